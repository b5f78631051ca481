"""`make nightly-dry-run`: the nightly workflow's steps, run here against the fake Hub.

.github/workflows/nightly.yml does, on GitHub:

    sync (HF_TOKEN) -> validate -> changelog entry (scripts/nightly_record.sh) -> commit
    decision (scripts/nightly_commit.sh: commit the lock only if it changed) -> build
    (mkdocs --strict) -> push the commit -> upload-pages-artifact -> deploy-pages

This script runs the same commands in a throwaway copy of the working tree (a fresh git
repository), with `sync` aimed at tests/fakehub.py on 127.0.0.1 through HF_ENDPOINT. It
never writes this checkout's catalog.lock.yaml: the committed lock only ever holds what a
real sync of the real Hub returned. A failed step stops the run before anything is
committed or built, as on GitHub, and the exit status is 1.

    python scripts/nightly_dry_run.py [--workdir DIR] [--catalog PATH] [--engine zensical]

Run it twice with the same --workdir to see the second night: the same Hub answers give
a byte-identical lock, so nothing is committed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from fakehub import FakeHub, synthetic_model

from generator.catalog import licenses
from generator.catalog.drift import HUB_GATED_FOR_ACCESS
from generator.catalog.schema import Component
from generator.catalog.validate import all_entries, load
from generator.score.scorecard import Scorer

LOCK = "catalog.lock.yaml"
# Never handed to the sync: the dry run is anonymous and offline but for the fake Hub.
HUB_VARIABLES = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "HF_OIDC_RESOURCE",
                 "HF_ENDPOINT", "HF_HOME")


class StepFailed(Exception):
    """A nightly step failed: the run stops before anything is committed or published."""


def say(text: str) -> None:
    print(text, flush=True)


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    say(f"$ {' '.join(cmd)}")
    proc = subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True, check=False)
    out = (proc.stdout + proc.stderr).rstrip()
    if out:
        say("  " + out.replace("\n", "\n  "))
    if check and proc.returncode != 0:
        raise StepFailed(f"`{' '.join(cmd[:4])} ...` exited {proc.returncode}")
    return proc


def git_output(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


def checkout(repo: Path, catalog: Path | None) -> None:
    """Copy the working tree as `git add -A` would see it into a fresh repository."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if catalog is not None:
        shutil.copy(catalog, repo / "catalog.yaml")
    run(["git", "init", "--quiet", "--initial-branch", "main"], repo)
    run(["git", "add", "--all"], repo)
    run(["git", "-c", "user.name=dry run", "-c", "user.email=dry-run@localhost", "commit",
         "--quiet", "--message", "the repository as checked out"], repo)


def fake_models(catalog_path: Path) -> dict[str, dict[str, Any]]:
    """A Hub answer for every repo in the catalog that agrees with the curated license and
    gating (so validate reports no drift), plus one fresh repo in the first family's
    organization that the sync should report as a release candidate."""
    loaded = load(catalog_path)
    if loaded.catalog is None:
        return {}
    catalog = loaded.catalog
    scorer = Scorer(catalog)
    models = {}
    for i, (_family, entry) in enumerate(all_entries(catalog)):
        card = scorer.score(entry.id)
        hub_ids = [h for lic in card.license_ids for h in licenses.hub_ids(lic, catalog)]
        weights = card.components[Component.WEIGHTS].assessment
        gated = HUB_GATED_FOR_ACCESS.get(weights.access) if weights.access else None
        models[entry.id] = _agreeing(synthetic_model(entry.id, i), hub_ids, gated)
    orgs = [org for family in catalog.families for org in family.hub_orgs]
    if orgs:
        fresh = f"{orgs[0]}/dry-run-new-model"
        created = datetime.now(UTC) - timedelta(days=1)
        models[fresh] = synthetic_model(fresh, len(models), created=created)
    return models


def _agreeing(payload: dict[str, Any], hub_ids: list[str], gated: bool | str | None
              ) -> dict[str, Any]:
    if hub_ids:
        payload["tags"] = [t for t in payload["tags"] if not t.startswith("license:")]
        payload["tags"].append(f"license:{hub_ids[0]}")
        payload["cardData"]["license"] = hub_ids[0]
    if gated is not None:
        payload["gated"] = gated
    return payload


def nightly(work: Path, catalog: Path | None, engine: str) -> bool:
    """The nightly's steps; returns whether the lock was committed."""
    repo, summary, hf_home = work / "repo", work / "sync-summary.md", work / "hf-home"
    if (repo / ".git").is_dir():
        say(f"reusing {repo} (a later night: the lock there is the last run's)")
    else:
        repo.mkdir(parents=True)
        say(f"1. checkout: copying the working tree into {repo}")
        checkout(repo, catalog)

    with FakeHub(fake_models(repo / "catalog.yaml")) as hub:
        say(f"2. sync: fake Hub at {hub.url} ({len(hub.models)} repos)")
        env = {k: v for k, v in os.environ.items() if k not in HUB_VARIABLES}
        env |= {"HF_ENDPOINT": hub.url, "HF_HOME": str(hf_home)}
        summary.unlink(missing_ok=True)
        run([sys.executable, "-m", "generator", "sync", "--lock", LOCK, "--summary",
             str(summary), "--max-rate", "0"], repo, env)

    say("3. validate the catalog against the new lock; record the changelog entry")
    run([sys.executable, "-m", "generator", "validate"], repo)

    run(["bash", "scripts/nightly_record.sh", LOCK, str(summary)], repo)

    say("4. commit decision (scripts/nightly_commit.sh): commit the lock only if it changed")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_OUTPUT"}
    proc = run(["bash", "scripts/nightly_commit.sh", LOCK, str(summary)], repo, env)
    changed = "changed=true" in proc.stdout
    if changed:
        body = git_output(repo, "log", "-1", "--format=%B").strip().splitlines()
        say(f"   the commit message is the sync summary printed above: {body[0]!r} and "
            f"{len(body) - 1} more lines")

    say(f"5. build ({engine}, strict): if it fails, nothing is pushed or published")
    run([sys.executable, "-m", "generator", "build", "--engine", engine], repo)

    say("6. would push the commit" if changed else "6. nothing to push")
    say(f"7. would upload {repo / 'site'} with actions/upload-pages-artifact and publish it "
        "with actions/deploy-pages")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path,
                        help="where to run (kept afterwards; reused when it holds a previous "
                        "run); default: a temporary directory, removed at the end")
    parser.add_argument("--catalog", type=Path,
                        help="use this catalog instead of the working tree's catalog.yaml")
    parser.add_argument("--engine", choices=["mkdocs", "zensical"], default="mkdocs")
    args = parser.parse_args(argv)

    work = (args.workdir or Path(tempfile.mkdtemp(prefix="nightly-dry-run-"))).resolve()
    if work == ROOT or ROOT.is_relative_to(work) or work.is_relative_to(ROOT):
        parser.error(f"--workdir must be outside {ROOT}: the dry run never touches the "
                     "checkout")
    work.mkdir(parents=True, exist_ok=True)
    try:
        changed = nightly(work, args.catalog.resolve() if args.catalog else None, args.engine)
    except StepFailed as exc:
        say(f"nightly dry run FAILED: {exc}. Nothing was committed or built; the published "
            "site stays as it was.")
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    say(f"nightly dry run OK: lock {'changed and committed' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
