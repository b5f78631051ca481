"""Write generated pages into the docs directory, replacing the previous generation whole.

Generated paths are listed here once; hand-written pages (about.md, assets/) are never
touched, and a family removed from the catalog leaves no stale page behind. A file whose
bytes did not change is not rewritten, so `serve` (MkDocs' file watcher) sees only the
pages an edit really changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

GENERATED_DIRS = ("families", "models", "api", "badges", "charts")
GENERATED_FILES = (
    "index.md",
    "scorecards.md",
    "choose.md",
    "compare.md",
    "methodology.md",
    "changelog.md",
    "feed.xml",
    "opinions.md",
    "providers.md",
)


def clean(docs_dir: Path) -> None:
    for name in GENERATED_DIRS:
        shutil.rmtree(docs_dir / name, ignore_errors=True)
    for name in GENERATED_FILES:
        (docs_dir / name).unlink(missing_ok=True)


def _existing(docs_dir: Path) -> set[str]:
    """The generated files now on disk, as relative paths."""
    found = {name for name in GENERATED_FILES if (docs_dir / name).is_file()}
    for name in GENERATED_DIRS:
        found.update(
            p.relative_to(docs_dir).as_posix() for p in (docs_dir / name).rglob("*") if p.is_file()
        )
    return found


def write_generated(docs_dir: Path, files: dict[str, str | bytes]) -> int:
    """Make the generated part of `docs_dir` exactly `files` (relative path -> content):
    write new and changed files, delete generated files no longer produced, leave files
    with unchanged bytes alone. Returns the number of files written or deleted."""
    for rel in files:
        top = rel.split("/", 1)[0]
        if top not in GENERATED_DIRS and rel not in GENERATED_FILES:
            raise ValueError(f"{rel} is not a generated path: add it to writer.GENERATED_*")
    changed = 0
    for rel in sorted(_existing(docs_dir) - files.keys()):
        (docs_dir / rel).unlink()
        changed += 1
    for top in GENERATED_DIRS:  # directories a deleted page leaves empty
        for folder in sorted((p for p in (docs_dir / top).rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    for rel, content in sorted(files.items()):
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        path = docs_dir / rel
        try:
            if path.read_bytes() == data:
                continue
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        changed += 1
    return changed
