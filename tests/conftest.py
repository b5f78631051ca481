"""Shared fixtures: paths, a CLI runner in a subprocess, a site built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.site import writer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/golden/ from the current rendering")


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
            timeout: float = 300) -> Result:
    """Run `python -m generator ARGS` for real, in a subprocess."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})}, check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run_cli


def make_project(dest: Path) -> Path:
    """A copy of the site's configuration and hand-written pages, to build into."""
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    generated = shutil.ignore_patterns(*writer.GENERATED_DIRS, *writer.GENERATED_FILES)
    shutil.copytree(ROOT / "docs", dest / "docs", ignore=generated)
    return dest


@dataclass
class BuiltSite:
    root: Path
    site: Path
    result: Result


def build_site(tmp: Path, catalog: Path, lock: Path | None = None) -> BuiltSite:
    project = make_project(tmp)
    args = ["build", "--catalog", str(catalog), "--config", str(project / "mkdocs.yml"),
            "--docs-dir", str(project / "docs"), "--site-dir", str(project / "site"),
            "--lock", str(lock or project / "no-lock.yaml")]
    return BuiltSite(project, project / "site", run_cli(*args))


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_site(tmp_path_factory.mktemp("fixture-site"), FIXTURES / "catalog.yaml")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The published site: the committed catalog and lock, built as `make site` does."""
    return build_site(tmp_path_factory.mktemp("real-site"), ROOT / "catalog.yaml",
                      ROOT / "catalog.lock.yaml")
