"""`make nightly-dry-run`: the nightly workflow's steps, run here against a fake Hub and a
fake GitHub.

.github/workflows/nightly.yml does, on GitHub:

    preflight (scripts/pages_preflight.sh: Pages enabled?) | sync (HF_TOKEN) -> validate ->
    changelog entry (scripts/nightly_record.sh) -> build (mkdocs --strict) -> deploy-pages
    -> land (scripts/nightly_land.sh: commit onto bot/nightly-data, pull request,
    auto-merge) -> report (scripts/nightly_issue.sh, then fail) when the sync failed

This script runs the same commands in a throwaway directory: "GitHub" is a bare repository
(`origin.git`, its main holding a copy of this working tree) plus tests/fakegh.py as `gh`
(pull requests, issues, Pages settings in a JSON file), and `sync` is aimed at
tests/fakehub.py on 127.0.0.1 through HF_ENDPOINT. Each night clones main afresh, as the
jobs' checkouts do; the bot's pull request is then merged, as auto-merge would once the
required checks passed. It never writes this checkout's catalog.lock.yaml: the committed
lock only ever holds what a real sync of the real Hub returned.

    python scripts/nightly_dry_run.py [--workdir DIR] [--catalog PATH] [--engine zensical]
                                      [--expired-token]

Run it twice with the same --workdir to see the second night: the same Hub answers give
a byte-identical lock, so nothing lands. --expired-token makes the fake Hub refuse the
token on every request, as after an HF_TOKEN expired: the site is still built from the last
good lock, one issue is opened (or updated), and the run fails (exit 1).
"""

from __future__ import annotations

import argparse
import json
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

import fakegh
from fakehub import FakeHub, synthetic_configs, synthetic_model

from generator.catalog import licenses
from generator.catalog.drift import HUB_GATED_FOR_ACCESS
from generator.catalog.schema import Component
from generator.catalog.validate import all_entries, load
from generator.pipeline import site_url
from generator.score.scorecard import Scorer

LOCK = "catalog.lock.yaml"
BOT_BRANCH = "bot/nightly-data"
VALID_TOKEN = "hf_dry_run_valid_token"
# Never handed to the sync: the dry run is offline but for the fake Hub.
HUB_VARIABLES = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_HUB_OFFLINE",
    "HF_OIDC_RESOURCE",
    "HF_ENDPOINT",
    "HF_HOME",
    "GITHUB_OUTPUT",
    "GH_TOKEN",
    "GITHUB_TOKEN",
)
GIT_ID = ["-c", "user.name=dry run", "-c", "user.email=dry-run@localhost"]


class StepFailed(Exception):
    """A step failed that stops the run before anything is published."""


def say(text: str) -> None:
    print(text, flush=True)


def clean_env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in HUB_VARIABLES}, **extra}


def run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    say(f"$ {' '.join(cmd)}")
    proc = subprocess.run(
        cmd, cwd=cwd, env=env or clean_env(), text=True, capture_output=True, check=False
    )
    out = (proc.stdout + proc.stderr).rstrip()
    if out:
        say("  " + out.replace("\n", "\n  "))
    if check and proc.returncode != 0:
        raise StepFailed(f"`{' '.join(cmd[:4])} ...` exited {proc.returncode}")
    return proc


def git_output(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def make_origin(work: Path, catalog: Path | None) -> Path:
    """A bare repository whose main holds the working tree as `git add -A` would see it."""
    origin, seed = work / "origin.git", work / "seed"
    listed = (
        subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = seed / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    if catalog is not None:
        shutil.copy(catalog, seed / "catalog.yaml")
    run(["git", "init", "--quiet", "--initial-branch", "main"], seed)
    run(["git", "add", "--all"], seed)
    run(["git", *GIT_ID, "commit", "--quiet", "--message", "the repository as checked out"], seed)
    run(["git", "clone", "--quiet", "--bare", str(seed), str(origin)], work)
    shutil.rmtree(seed)
    return origin


def checkout(origin: Path, path: Path) -> Path:
    """A fresh clone of main, as a job's actions/checkout gives."""
    shutil.rmtree(path, ignore_errors=True)
    run(["git", "clone", "--quiet", "--branch", "main", str(origin), str(path)], origin.parent)
    return path


def fake_hub_data(
    catalog_path: Path,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """A Hub answer for every repo in the catalog that agrees with the curated license and
    gating (so validate reports no drift), plus one fresh repo in the first family's
    organization that the sync should report as a release candidate; and their config.json
    files (where the context length is, as on the real Hub)."""
    loaded = load(catalog_path)
    if loaded.catalog is None:
        return {}, {}
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
    return models, synthetic_configs(models)


def _agreeing(
    payload: dict[str, Any], hub_ids: list[str], gated: bool | str | None
) -> dict[str, Any]:
    if hub_ids:
        payload["tags"] = [t for t in payload["tags"] if not t.startswith("license:")]
        payload["tags"].append(f"license:{hub_ids[0]}")
        payload["cardData"]["license"] = hub_ids[0]
    if gated is not None:
        payload["gated"] = gated
    return payload


def github(work: Path, repo: Path) -> Path:
    """The fake `gh`, kept across nights (its pull requests and issues persist)."""
    bin_dir = work / "gh"
    if not (bin_dir / "gh-state.json").exists():
        pages = {
            "build_type": "workflow",
            "html_url": site_url(repo / "mkdocs.yml"),
            "status": "built",
        }
        fakegh.install(bin_dir, {"pages": pages})
    return bin_dir


def nightly(work: Path, catalog: Path | None, engine: str, expired_token: bool) -> bool:
    """The nightly's jobs; returns whether the sync succeeded (False: the run fails, after
    the site was built)."""
    origin = work / "origin.git"
    if origin.is_dir():
        say(f"reusing {origin} (a later night: its main holds what earlier nights landed)")
    else:
        say(f'0. "GitHub": {origin}, main = a copy of the working tree')
        make_origin(work, catalog)
    repo = checkout(origin, work / "repo")
    gh_bin = github(work, repo)
    gh_env = fakegh.env(gh_bin, clean_env(REPOSITORY="dry-run/open-model-atlas"))

    say("1. preflight (scripts/pages_preflight.sh): is GitHub Pages enabled?")
    run(["bash", "scripts/pages_preflight.sh", "mkdocs.yml"], repo, gh_env)

    synced, hf_home = work / "synced", work / "hf-home"
    shutil.rmtree(synced, ignore_errors=True)
    synced.mkdir()
    models, configs = fake_hub_data(repo / "catalog.yaml")
    with FakeHub(models, configs=configs, tokens=frozenset({VALID_TOKEN})) as hub:
        token = "hf_expired_token" if expired_token else VALID_TOKEN
        say(
            f"2. sync: fake Hub at {hub.url} ({len(hub.models)} repos)"
            + (", which refuses the (expired) token" if expired_token else "")
        )
        env = clean_env(HF_ENDPOINT=hub.url, HF_HOME=str(hf_home), HF_TOKEN=token)
        proc = run(
            [
                sys.executable,
                "-m",
                "generator",
                "sync",
                "--lock",
                LOCK,
                "--summary",
                str(synced / "sync-summary.md"),
                "--changelog",
                str(synced / "sync-changelog.md"),
                "--alert",
                str(synced / "sync-alert.md"),
                "--max-rate",
                "0",
            ],
            repo,
            env,
            check=False,
        )
    sync_ok = proc.returncode == 0
    if not sync_ok:
        say(
            "   the sync failed (continue-on-error): the lock was left as it was; the site is "
            "built from the last good lock"
        )

    say("3. validate the catalog against the lock; record the changelog entry")
    run([sys.executable, "-m", "generator", "validate"], repo)
    recorded = run(
        ["bash", "scripts/nightly_record.sh", LOCK, str(synced / "sync-changelog.md")], repo
    )
    lock_changed = "changed=true" in recorded.stdout
    shutil.copy(repo / LOCK, synced / LOCK) if (repo / LOCK).exists() else None

    say(f"4. build ({engine}, strict): if it fails, nothing is published or landed")
    run([sys.executable, "-m", "generator", "build", "--engine", engine], repo)
    say(
        f"5. would upload {repo / 'site'} with actions/upload-pages-artifact and publish it "
        "with actions/deploy-pages (deploy needs the build only, not the data landing)"
    )

    if lock_changed:
        say(
            f"6. land (scripts/nightly_land.sh): commit onto {BOT_BRANCH}, pull request, auto-merge"
        )
        land = checkout(origin, work / "land")  # main as it is now
        run(
            ["bash", "scripts/nightly_land.sh"],
            land,
            {**gh_env, "SYNCED": str(synced), "TOKEN_KIND": "github", "BASE": "main"},
        )
        merge_bot_pull_request(origin, gh_bin)
    else:
        say("6. land: the lock is unchanged, nothing to land")

    if not sync_ok:
        say("7. report (scripts/nightly_issue.sh): open or update the one issue, then fail")
        run(
            ["bash", "scripts/nightly_issue.sh", str(synced / "sync-alert.md")],
            repo,
            {**gh_env, "RUN_URL": "https://github.com/dry-run/open-model-atlas/actions/runs/1"},
        )

    say(
        '8. radar (scripts/radar_issue.sh): one issue "New releases to catalog", created, '
        "edited in place, closed when empty"
    )
    with FakeHub(models, configs=configs, tokens=frozenset({VALID_TOKEN})) as hub:
        path = os.pathsep.join([str(Path(sys.executable).parent), gh_env["PATH"]])
        radar = run(
            ["bash", "scripts/radar_issue.sh", "90"],
            repo,
            {
                **gh_env,
                "PATH": path,
                "HF_ENDPOINT": hub.url,
                "HF_HOME": str(hf_home),
                "HF_TOKEN": token,
            },
            check=False,
        )
    if radar.returncode != 0:
        say(
            "   the radar could not list any organization: its job fails, the issue is left "
            "as it was (the sync's own issue says why)"
        )
    return sync_ok


def merge_bot_pull_request(origin: Path, gh_bin: Path) -> None:
    """What auto-merge does once the required checks pass: main takes the bot branch."""
    state = fakegh.read_state(gh_bin)
    open_prs = [p for p in state["prs"] if p["state"] == "OPEN" and p["auto_merge"]]
    if not open_prs:
        return
    run(["git", "push", "--quiet", ".", f"refs/heads/{BOT_BRANCH}:refs/heads/main"], origin)
    for pr in open_prs:
        pr["state"] = "MERGED"
    (gh_bin / "gh-state.json").write_text(json.dumps(state, indent=1), encoding="utf-8")
    say(
        f"   (simulated) the required checks passed: auto-merge merged #{open_prs[0]['number']}"
        f" {open_prs[0]['title']!r} into main"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where to run (kept afterwards; reused when it holds a previous "
        "run); default: a temporary directory, removed at the end",
    )
    parser.add_argument(
        "--catalog", type=Path, help="use this catalog instead of the working tree's catalog.yaml"
    )
    parser.add_argument("--engine", choices=["mkdocs", "zensical"], default="mkdocs")
    parser.add_argument(
        "--expired-token",
        action="store_true",
        help="the fake Hub refuses the token on every request (401)",
    )
    args = parser.parse_args(argv)

    work = (args.workdir or Path(tempfile.mkdtemp(prefix="nightly-dry-run-"))).resolve()
    if work == ROOT or ROOT.is_relative_to(work) or work.is_relative_to(ROOT):
        parser.error(f"--workdir must be outside {ROOT}: the dry run never touches the checkout")
    work.mkdir(parents=True, exist_ok=True)
    try:
        sync_ok = nightly(
            work, args.catalog.resolve() if args.catalog else None, args.engine, args.expired_token
        )
    except StepFailed as exc:
        say(
            f"nightly dry run FAILED: {exc}. Nothing was published or landed; the published "
            "site stays as it was."
        )
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    if not sync_ok:
        say(
            "nightly dry run FAILED after publishing: the sync failed, the site was built from "
            "the last good lock, and the issue was opened or updated"
        )
        return 1
    say("nightly dry run OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
