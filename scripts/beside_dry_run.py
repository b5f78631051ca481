"""Issue 15's nightly steps, run here against fakes on 127.0.0.1 (tests/fake_sources.py):

    opinions (GitHub: the two indexes' repositories) -> providers (Hub mapping + router
    prices) -> validate -> render

in a throwaway directory holding a copy of catalog.yaml and the committed opinions/
(aliases and reviewed notes included). It never writes this checkout's opinions/ or a
catalog.providers.yaml here: fake figures never reach a committed file. The fake GitHub
serves a few real recorded files of each repository, so most committed aliases point at
entries the fake lacks: validate warns about each (an unused alias), as it would if a source
dropped a file.

    python scripts/beside_dry_run.py [--workdir DIR] [--catalog PATH]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_sources import FakeSources


def step(name: str, args: list[str], env: dict[str, str], cwd: Path) -> int:
    print(f"== {name}: python -m generator {' '.join(args)}", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        check=False,
        env={**__import__("os").environ, **env},
    )
    return proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--catalog", type=Path, default=ROOT / "catalog.yaml")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="beside-dry-run-"))
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(args.catalog, work / "catalog.yaml")
    (work / "opinions").mkdir(exist_ok=True)
    for name in ("aliases.yaml", "reviewed.yaml"):
        if (ROOT / "opinions" / name).exists():
            shutil.copy(ROOT / "opinions" / name, work / "opinions" / name)
    common = ["--catalog", str(work / "catalog.yaml"), "--lock", str(work / "catalog.lock.yaml")]
    with FakeSources() as fake:
        env = fake.env()
        if step("opinions", ["opinions", *common, "--out", str(work / "opinions")], env, ROOT):
            return 1
        if step("providers", ["providers", *common, "--retries", "0"], env, ROOT):
            return 1
    if step("validate", ["validate", *common], {}, ROOT):
        return 1
    if step("render", ["render", *common, "--docs-dir", str(work / "docs")], {}, ROOT):
        return 1
    doc = json.loads((work / "docs" / "api" / "catalog.json").read_text(encoding="utf-8"))
    served = sum(bool(m["providers"] and m["providers"]["served"]) for m in doc["models"])
    priced = sum(bool(m["providers"] and m["providers"]["cheapest"]) for m in doc["models"])
    opinions = sum(bool(m["second_opinions"]) for m in doc["models"])
    print(
        f"filled from the fakes: {served} models served, {priced} priced, "
        f"{opinions} with a second opinion; pages in {work / 'docs'}"
    )
    return 0 if served and priced and opinions else 1


if __name__ == "__main__":
    sys.exit(main())
