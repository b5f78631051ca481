"""`python -m generator serve`: a live preview that re-renders when catalog.yaml changes."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import FIXTURES, ROOT, make_project


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_re_renders_when_the_catalog_changes(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    catalog = project / "catalog.yaml"
    shutil.copy(FIXTURES / "catalog.yaml", catalog)
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "serve",
            "--catalog",
            str(catalog),
            "--lock",
            str(project / "none.yaml"),
            "--config",
            str(project / "mkdocs.yml"),
            "--docs-dir",
            str(project / "docs"),
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    # MkDocs serves under site_url's path, as the published site is.
    mount = re.search(
        r"^site_url: https?://[^/]+(/\S*)$", (ROOT / "mkdocs.yml").read_text(), re.MULTILINE
    )
    path = mount.group(1) if mount else "/"
    url = f"http://127.0.0.1:{port}{path}families/weights-only/"
    try:
        assert "Weights Only" in _get(url, time.monotonic() + 90)
        catalog.write_text(catalog.read_text().replace("name: Weights Only", "name: Renamed Fam"))
        deadline = time.monotonic() + 90
        while "Renamed Fam" not in _get(url, deadline):
            assert time.monotonic() < deadline, "the page was not re-rendered"
            time.sleep(0.5)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "re-rendered" in output, output
