"""The writer rewrites only what changed, so `serve` reloads only the pages an edit touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.site import writer


def _stamps(docs: Path) -> dict[str, int]:
    return {
        p.relative_to(docs).as_posix(): p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()
    }


def test_unchanged_files_are_not_rewritten_and_stale_ones_go(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "assets").mkdir(parents=True)
    (docs / "about.md").write_text("hand-written\n", encoding="utf-8")
    (docs / "assets" / "atlas.css").write_text("body {}\n", encoding="utf-8")
    first: dict[str, str | bytes] = {
        "index.md": "home\n",
        "families/a.md": "A\n",
        "families/b.md": "B\n",
        "badges/old/x.svg": b"<svg/>",
        "api/catalog.json": b"{}",
    }
    assert writer.write_generated(docs, first) == 5
    before = _stamps(docs)
    for path in docs.rglob("*"):  # backdate: any rewrite would now show as a new mtime
        if path.is_file():
            ns = before[path.relative_to(docs).as_posix()] - 10**9
            os.utime(path, ns=(ns, ns))
    before = _stamps(docs)

    second: dict[str, str | bytes] = {
        "index.md": "home\n",
        "families/a.md": "A, edited\n",
        "api/catalog.json": b"{}",
        "families/c.md": "C\n",
    }
    # a.md and c.md written; b.md and the badge deleted (and its empty folder)
    assert writer.write_generated(docs, second) == 4
    after = _stamps(docs)
    assert after["index.md"] == before["index.md"]
    assert after["api/catalog.json"] == before["api/catalog.json"]
    assert after["families/a.md"] != before["families/a.md"]
    assert (docs / "families" / "a.md").read_text(encoding="utf-8") == "A, edited\n"
    assert (docs / "families" / "c.md").read_text(encoding="utf-8") == "C\n"
    assert not (docs / "families" / "b.md").exists()
    assert not (docs / "badges" / "old").exists()
    assert after["about.md"] == before["about.md"]
    assert after["assets/atlas.css"] == before["assets/atlas.css"]

    assert writer.write_generated(docs, second) == 0  # the same pages again: nothing to do
    assert _stamps(docs) == after


def test_only_generated_paths_are_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a generated path"):
        writer.write_generated(tmp_path, {"about.md": "overwritten?"})
    assert not (tmp_path / "about.md").exists()
