"""`make bench-build`: how the build scales with the catalog.

Times the generator's pure stages (load + validate, score, render) and the full
`mkdocs build --strict` for the committed catalog and for synthetic catalogs 2x and 4x its
size (every family copied under new ids), and prints the ratios. Nothing is asserted: the
figures are for people (README and closing notes report ratios, not wall-clock limits).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.catalog import validate as catalog_mod
from generator.score.scorecard import Scorer
from generator.site.render import SiteData, render_site
from generator.site.writer import GENERATED_DIRS, GENERATED_FILES


def scaled_catalog(factor: int, dest: Path) -> Path:
    """The committed catalog with every family repeated `factor` times under new ids."""
    data = yaml.safe_load((ROOT / "catalog.yaml").read_text(encoding="utf-8"))
    families = []
    for copy in range(factor):
        for family in data["families"]:
            text = yaml.safe_dump(family)
            if copy:
                ids = [m["id"] for m in family.get("models", []) + family.get("derivatives", [])]
                for repo in sorted(ids, key=len, reverse=True):
                    text = text.replace(repo, f"{repo}-copy{copy}")
                text = text.replace(f"id: {family['id']}\n", f"id: {family['id']}-copy{copy}\n", 1)
            families.append(yaml.safe_load(text))
    data["families"] = families
    dest.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return dest


def time_stages(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    loaded = catalog_mod.load(path)
    assert loaded.catalog is not None, [str(p) for p in loaded.errors[:5]]
    files = render_site(SiteData(loaded.catalog, Scorer(loaded.catalog).score_all(), None, 7))
    return time.perf_counter() - start, sum(1 for f in files if f.endswith(".md"))


def time_build(path: Path, work: Path) -> float:
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", work / "docs", ignore=shutil.ignore_patterns(*GENERATED_DIRS, *GENERATED_FILES))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", "build", "--catalog", str(path),
                    "--lock", str(work / "none.yaml"), "--config", str(work / "mkdocs.yml"),
                    "--docs-dir", str(work / "docs"), "--site-dir", str(work / "site")],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for factor in (1, 2, 4):
            path = scaled_catalog(factor, Path(tmp) / f"catalog-{factor}.yaml")
            stage_times = []
            for _ in range(3):
                seconds, pages = time_stages(path)
                stage_times.append(seconds)
            work = Path(tmp) / f"site-{factor}"
            work.mkdir()
            build = time_build(path, work)
            models = len(yaml.safe_load(path.read_text())["families"])
            rows.append((factor, models, pages, statistics.median(stage_times), build))
    base = rows[0]
    print("factor  families  pages  generator (s)  full build (s)  build ratio")
    for factor, families, pages, stages, build in rows:
        print(f"{factor:>6}  {families:>8}  {pages:>5}  {stages:>13.2f}  {build:>14.2f}  "
              f"{build / base[4]:>10.2f}x")


if __name__ == "__main__":
    main()
