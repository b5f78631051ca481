"""Shared fixtures: paths, a CLI runner in a subprocess, a site built once per session."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator.site import writer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/golden/ from the current rendering",
    )


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 300
) -> Result:
    """Run `python -m generator ARGS` for real, in a subprocess."""
    proc = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
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
    args = [
        "build",
        "--catalog",
        str(catalog),
        "--config",
        str(project / "mkdocs.yml"),
        "--docs-dir",
        str(project / "docs"),
        "--site-dir",
        str(project / "site"),
        "--lock",
        str(lock or project / "no-lock.yaml"),
    ]
    return BuiltSite(project, project / "site", run_cli(*args))


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_site(tmp_path_factory.mktemp("fixture-site"), FIXTURES / "catalog.yaml")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The published site: the committed catalog and lock, built as `make site` does."""
    return build_site(
        tmp_path_factory.mktemp("real-site"), ROOT / "catalog.yaml", ROOT / "catalog.lock.yaml"
    )


# -- browser tests: one server and one Chromium for the session --------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The flags this sandbox needs: no background traffic to Google, no GPU, running as root.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser() -> str:
    if CHROMIUM:
        return CHROMIUM
    message = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI must run the browser tests")
    pytest.skip(message)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(real_site: BuiltSite) -> Iterator[str]:
    assert real_site.result.code == 0, real_site.result.err
    handler = functools.partial(_Quiet, directory=str(real_site.site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    outside: list[str] = []

    def watch(request: Any) -> None:
        if not request.url.startswith((base_url, "data:", "blob:")):
            outside.append(request.url)

    page.on("request", watch)
    yield page
    context.close()
    assert outside == [], f"third-party requests at page load: {outside}"
