"""The import graph is a contract (pyproject.toml [tool.importlinter]): the stages point one
way and only the CLI and the pipeline reach the network stage."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def test_the_import_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_view_importing_the_network_stage_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(
        ROOT / "generator", tmp_path / "generator", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    views = tmp_path / "generator" / "site" / "views.py"
    views.write_text(views.read_text() + "\nfrom generator.hub import sync  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "Only the CLI and the pipeline use the network stage (hub) BROKEN" in result.stdout
