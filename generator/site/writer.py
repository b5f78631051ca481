"""Write generated pages into the docs directory, replacing the previous generation whole.

Generated paths are listed here once; hand-written pages (about.md, assets/) are never
touched, and a family removed from the catalog leaves no stale page behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path

GENERATED_DIRS = ("families", "models", "api", "badges", "charts")
GENERATED_FILES = ("index.md", "scorecards.md", "choose.md", "compare.md", "methodology.md",
                   "changelog.md", "feed.xml", "opinions.md", "providers.md")


def clean(docs_dir: Path) -> None:
    for name in GENERATED_DIRS:
        shutil.rmtree(docs_dir / name, ignore_errors=True)
    for name in GENERATED_FILES:
        (docs_dir / name).unlink(missing_ok=True)


def write_generated(docs_dir: Path, files: dict[str, str | bytes]) -> int:
    """Replace the generated part of `docs_dir` with `files` (relative path -> content)."""
    for rel in files:
        top = rel.split("/", 1)[0]
        if top not in GENERATED_DIRS and rel not in GENERATED_FILES:
            raise ValueError(f"{rel} is not a generated path: add it to writer.GENERATED_*")
    clean(docs_dir)
    for rel, content in sorted(files.items()):
        path = docs_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return len(files)
