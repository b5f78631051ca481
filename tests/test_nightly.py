"""`make nightly-dry-run` (scripts/nightly_dry_run.py) and the steps it shares with
.github/workflows/nightly.yml (scripts/nightly_record.sh, nightly_commit.sh, nightly_land.sh,
nightly_issue.sh, pages_preflight.sh): sync against the fake Hub -> build -> land the data
by pull request on a local "GitHub" (a bare repository and tests/fakegh.py), in a temporary
copy, never touching this checkout's lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from tests import fakegh

SCRIPT = ROOT / "scripts" / "nightly_dry_run.py"
COMMIT = ROOT / "scripts" / "nightly_commit.sh"
RECORD = ROOT / "scripts" / "nightly_record.sh"
LAND = ROOT / "scripts" / "nightly_land.sh"
ISSUE = ROOT / "scripts" / "nightly_issue.sh"
PREFLIGHT = ROOT / "scripts" / "pages_preflight.sh"
LOCK = ROOT / "catalog.lock.yaml"


def dry_run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "GITHUB_OUTPUT")}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout


def lock_state() -> bytes | None:
    return LOCK.read_bytes() if LOCK.exists() else None


def test_two_nights_land_once_build_twice_and_leave_the_checkout_alone(tmp_path: Path) -> None:
    before = lock_state()
    work = tmp_path / "night"

    first = dry_run("--workdir", str(work))
    assert first.returncode == 0, first.stdout + first.stderr
    out = first.stdout
    assert "fake Hub at http://127.0.0.1:" in out
    order = [
        out.index(step)
        for step in ("1. preflight", "2. sync", "4. build", "5. would upload", "6. land")
    ]
    assert order == sorted(order)
    assert "GitHub Pages is enabled with the source GitHub Actions" in out
    assert "opened pull request #100" in out
    origin = work / "origin.git"
    log = git(origin, "log", "--format=%s", "main").splitlines()
    assert len(log) == 2
    assert log[0].startswith("Hub sync ")  # the summary's title, without the Markdown #
    assert "new candidate" in log[0]  # the fake Hub's fresh repo was reported
    day = log[0].split()[2].rstrip(":")
    assert git(origin, "show", "--name-only", "--format=", "main").split() == [
        "catalog.lock.yaml",
        f"changes/{day}.md",
    ]  # the lock and its changelog entry only
    entry = git(origin, "show", f"main:changes/{day}.md")
    assert entry.startswith(f"## Hub sync {day}")
    assert "Run:" not in entry  # the public entry, not the maintainers' summary
    state = fakegh.read_state(work / "gh")
    assert [(p["head"], p["base"], p["auto_merge"]) for p in state["prs"]] == [
        ("bot/nightly-data", "main", True)
    ]
    assert state["dispatched"] == [{"workflow": "ci.yml", "ref": "bot/nightly-data"}]
    # the radar: the fake Hub's fresh repo opens one "New releases to catalog" issue
    assert "8. radar" in out
    (radar,) = [i for i in state["issues"] if i["title"] == "New releases to catalog"]
    assert radar["state"] == "OPEN"
    assert "/dry-run-new-model" in radar["body"]
    site = work / "repo" / "site"
    assert (site / "index.html").is_file()
    assert (site / "api" / "catalog.json").is_file()

    second = dry_run("--workdir", str(work))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "changed=false" in second.stdout
    assert "nothing to land" in second.stdout
    assert len(git(origin, "log", "--format=%s", "main").splitlines()) == 2
    assert len(fakegh.read_state(work / "gh")["prs"]) == 1
    radars = [
        i
        for i in fakegh.read_state(work / "gh")["issues"]
        if i["title"] == "New releases to catalog"
    ]
    assert len(radars) == 1  # edited in place, not opened again

    assert lock_state() == before, "the dry run wrote this checkout's catalog.lock.yaml"


def test_an_expired_token_publishes_the_last_good_lock_and_opens_one_issue(tmp_path: Path) -> None:
    work = tmp_path / "night"
    small = ["--workdir", str(work), "--catalog", str(ROOT / "tests" / "fixtures" / "catalog.yaml")]
    assert dry_run(*small).returncode == 0
    origin = work / "origin.git"
    good = git(origin, "show", "main:catalog.lock.yaml")

    failed = dry_run(*small, "--expired-token")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "FAILED after publishing" in failed.stdout
    assert "built site/" in failed.stdout  # published from the last good lock
    assert (work / "repo" / "catalog.lock.yaml").read_text(encoding="utf-8") == good
    assert "nothing to land" in failed.stdout or "lock is unchanged" in failed.stdout
    assert git(origin, "show", "main:catalog.lock.yaml") == good
    (issue,) = [
        i
        for i in fakegh.read_state(work / "gh")["issues"]
        if i["title"] == "Nightly Hub sync failed"
    ]
    assert "HF_TOKEN is probably expired or revoked" in issue["body"]
    assert "Run: https://github.com/" in issue["body"]

    again = dry_run(*small, "--expired-token")
    assert again.returncode == 1
    (issue,) = [
        i
        for i in fakegh.read_state(work / "gh")["issues"]  # still one, updated
        if i["title"] == "Nightly Hub sync failed"
    ]
    assert len(issue["comments"]) == 1
    assert issue["comments"][0].startswith("Failed again")


def test_a_broken_catalog_publishes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "catalog.yaml"
    broken.write_text("families: [{id: Not A Slug}]\n", encoding="utf-8")
    work = tmp_path / "night"
    result = dry_run("--workdir", str(work), "--catalog", str(broken))
    assert result.returncode == 1
    assert "nightly dry run FAILED" in result.stdout
    assert "published site stays" in result.stdout
    assert "6. land" not in result.stdout
    assert len(git(work / "origin.git", "log", "--format=%s", "main").splitlines()) == 1
    assert not (work / "repo" / "site").exists()


def test_the_workdir_must_be_outside_the_checkout() -> None:
    result = dry_run("--workdir", str(ROOT / "tmp-night"))
    assert result.returncode == 2
    assert "must be outside" in result.stderr
    assert not (ROOT / "tmp-night").exists()


# -- scripts/nightly_commit.sh on its own ---------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "--quiet", "--initial-branch", "main")
    (path / "catalog.yaml").write_text("families: []\n", encoding="utf-8")
    git(path, "add", "catalog.yaml")
    git(path, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "start")
    return path


def commit(
    repo: Path,
    summary: str | None = "## Hub sync 2026-01-02: 1 new\n\nbody\n",
    output: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    summary_path = repo.parent / "summary.md"
    if summary is not None:
        summary_path.write_text(summary, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_OUTPUT"}
    if output is not None:
        env["GITHUB_OUTPUT"] = str(output)
    return subprocess.run(
        ["bash", str(COMMIT), "catalog.lock.yaml", str(summary_path)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_commit_step_commits_a_new_lock_with_the_summary(repo: Path) -> None:
    (repo / "catalog.lock.yaml").write_text("models: {}\n", encoding="utf-8")
    (repo / "stray.txt").write_text("not mine\n", encoding="utf-8")
    output = repo.parent / "github-output"
    result = commit(repo, output=output)
    assert result.returncode == 0, result.stderr
    assert output.read_text(encoding="utf-8") == "changed=true\n"
    assert git(repo, "log", "-1", "--format=%s%n%b").startswith("Hub sync 2026-01-02: 1 new\n")
    assert git(repo, "log", "-1", "--format=%an").strip() == "github-actions[bot]"
    assert "stray.txt" in git(repo, "status", "--porcelain")  # only the lock is committed


def test_commit_step_leaves_an_unchanged_lock_alone(repo: Path) -> None:
    (repo / "catalog.lock.yaml").write_text("models: {}\n", encoding="utf-8")
    assert commit(repo).returncode == 0
    output = repo.parent / "github-output"
    result = commit(repo, output=output)
    assert result.returncode == 0
    assert "changed=false" in result.stdout
    assert output.read_text(encoding="utf-8") == "changed=false\n"
    assert len(git(repo, "log", "--format=%s").splitlines()) == 2


def test_commit_step_refuses_without_a_summary(repo: Path) -> None:
    (repo / "catalog.lock.yaml").write_text("models: {}\n", encoding="utf-8")
    result = commit(repo, summary=None)
    assert result.returncode == 1
    assert "no sync summary" in result.stderr
    assert len(git(repo, "log", "--format=%s").splitlines()) == 1


# -- scripts/nightly_record.sh ----------------------------------------------------------------


def record(repo: Path, entry: str) -> subprocess.CompletedProcess[str]:
    entry_path = repo.parent / "changelog.md"
    entry_path.write_text(entry, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_OUTPUT"}
    return subprocess.run(
        ["bash", str(RECORD), "catalog.lock.yaml", str(entry_path)],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_record_keeps_the_entry_of_a_changed_lock_under_its_own_day(repo: Path) -> None:
    (repo / "catalog.lock.yaml").write_text("models: {}\n", encoding="utf-8")
    result = record(repo, "## Hub sync 2025-12-31: 2 new\n\nbody\n")
    assert result.returncode == 0, result.stderr
    assert "changed=true" in result.stdout
    entry = repo / "changes" / "2025-12-31.md"
    assert entry.read_text(encoding="utf-8") == "## Hub sync 2025-12-31: 2 new\n\nbody\n"
    assert commit(repo).returncode == 0
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) == [
        "catalog.lock.yaml",
        "changes/2025-12-31.md",
    ]


def test_record_writes_nothing_when_the_lock_is_unchanged(repo: Path) -> None:
    (repo / "catalog.lock.yaml").write_text("models: {}\n", encoding="utf-8")
    assert commit(repo).returncode == 0
    result = record(repo, "## Hub sync 2026-01-03: no changes\n")
    assert result.returncode == 0
    assert "no changelog entry" in result.stdout
    assert "changed=false" in result.stdout
    assert not (repo / "changes").exists()


def test_record_never_overwrites_an_entry_or_an_edit_of_the_same_day(repo: Path) -> None:
    (repo / "catalog.lock.yaml").write_text("models: {}\n", encoding="utf-8")
    changes = repo / "changes"
    changes.mkdir()
    edited = "## Hub sync 2026-01-04: 1 new\n\nA maintainer's note merged during the run.\n"
    (changes / "2026-01-04.md").write_text(edited, encoding="utf-8")
    later = "## Hub sync 2026-01-04: 1 license change\n\n- `a/b`: MIT → Apache-2.0\n"
    assert "appended" in record(repo, later).stdout
    text = (changes / "2026-01-04.md").read_text(encoding="utf-8")
    assert text == edited + "\n" + later
    assert "already ends with this entry" in record(repo, later).stdout  # once only
    assert (changes / "2026-01-04.md").read_text(encoding="utf-8") == text


# -- scripts/nightly_land.sh: the data lands by pull request, never by a push to main ----------


@pytest.fixture
def github(tmp_path: Path, repo: Path) -> tuple[Path, Path]:
    """A bare "GitHub" repository holding `repo`'s main, and the fake gh's directory."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(repo), str(origin))
    gh_bin = tmp_path / "gh"
    fakegh.install(gh_bin, {})
    return origin, gh_bin


def synced_dir(tmp_path: Path, day: str = "2026-02-01", lock: str = "models: {a: 1}\n") -> Path:
    synced = tmp_path / f"synced-{day}"
    synced.mkdir(exist_ok=True)
    (synced / "catalog.lock.yaml").write_text(lock, encoding="utf-8")
    (synced / "sync-summary.md").write_text(
        f"## Hub sync {day}: 1 new, 3 failed\n\nall\n", encoding="utf-8"
    )
    (synced / "sync-changelog.md").write_text(
        f"## Hub sync {day}: 1 new\n\npublic\n", encoding="utf-8"
    )
    return synced


def land(
    tmp_path: Path,
    origin: Path,
    gh_bin: Path,
    synced: Path,
    kind: str = "github",
    clone: str = "land",
) -> subprocess.CompletedProcess[str]:
    checkout = tmp_path / clone
    if checkout.exists():
        subprocess.run(["rm", "-rf", str(checkout)], check=True)
    git(tmp_path, "clone", "--quiet", str(origin), str(checkout))
    env = fakegh.env(gh_bin, {k: v for k, v in os.environ.items() if k != "GITHUB_OUTPUT"})
    env |= {
        "SYNCED": str(synced),
        "TOKEN_KIND": kind,
        "BASE": "main",
        "REPOSITORY": "o/r",
        "GIT_AUTHOR_NAME": "t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@localhost",
        "GIT_COMMITTER_EMAIL": "t@localhost",
    }
    return subprocess.run(
        ["bash", str(LAND)], cwd=checkout, capture_output=True, text=True, check=False, env=env
    )


def test_land_pushes_the_bot_branch_opens_one_pull_request_and_enables_auto_merge(
    tmp_path: Path, github: tuple[Path, Path]
) -> None:
    origin, gh_bin = github
    main_before = git(origin, "rev-parse", "main")
    result = land(tmp_path, origin, gh_bin, synced_dir(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert git(origin, "rev-parse", "main") == main_before  # main is never pushed to
    assert (
        git(origin, "show", "--name-only", "--format=%s", "bot/nightly-data").split("\n")[0]
        == "Hub sync 2026-02-01: 1 new, 3 failed"
    )
    assert (
        git(origin, "show", "bot/nightly-data:changes/2026-02-01.md")
        == "## Hub sync 2026-02-01: 1 new\n\npublic\n"
    )  # the public entry in the changelog
    state = fakegh.read_state(gh_bin)
    (pr,) = state["prs"]
    assert (pr["head"], pr["base"], pr["auto_merge"]) == ("bot/nightly-data", "main", True)
    assert "3 failed" in pr["body"]  # the maintainers see the failures in the pull request
    assert state["dispatched"] == [{"workflow": "ci.yml", "ref": "bot/nightly-data"}]

    # The next night, the pull request still open: updated in place, last night's entry kept.
    again = land(
        tmp_path, origin, gh_bin, synced_dir(tmp_path, "2026-02-02", "models: {}\n"), kind="app"
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "carried over changes/2026-02-01.md" in again.stdout
    state = fakegh.read_state(gh_bin)
    assert len(state["prs"]) == 1
    assert state["prs"][0]["title"].startswith("Hub sync 2026-02-02")
    files = git(origin, "ls-tree", "-r", "--name-only", "bot/nightly-data", "changes/").split()
    assert files == ["changes/2026-02-01.md", "changes/2026-02-02.md"]
    assert len(state["dispatched"]) == 1  # an App token's push starts CI itself


def test_land_keeps_what_main_got_meanwhile_and_appends_the_entry(
    tmp_path: Path, repo: Path, github: tuple[Path, Path]
) -> None:
    origin, gh_bin = github
    (repo / "changes").mkdir()
    (repo / "changes" / "2026-02-01.md").write_text(
        "## Hub sync 2026-02-01: edited\n", encoding="utf-8"
    )
    (repo / "catalog.yaml").write_text(
        "families: [] # merged while the sync ran\n", encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "edit")
    git(repo, "push", "--quiet", str(origin), "main")
    assert land(tmp_path, origin, gh_bin, synced_dir(tmp_path)).returncode == 0
    assert "merged while the sync ran" in git(origin, "show", "bot/nightly-data:catalog.yaml")
    entry = git(origin, "show", "bot/nightly-data:changes/2026-02-01.md")
    assert entry == "## Hub sync 2026-02-01: edited\n\n## Hub sync 2026-02-01: 1 new\n\npublic\n"


def test_land_says_how_to_allow_auto_merge(tmp_path: Path, github: tuple[Path, Path]) -> None:
    origin, gh_bin = github
    state = fakegh.read_state(gh_bin)
    state["auto_merge_allowed"] = False
    (gh_bin / "gh-state.json").write_text(json.dumps(state), encoding="utf-8")
    result = land(tmp_path, origin, gh_bin, synced_dir(tmp_path))
    assert result.returncode == 1
    assert "::error title=Auto-merge is not allowed::" in result.stdout
    assert "Allow auto-merge" in result.stdout


def test_land_with_nothing_new_does_nothing(tmp_path: Path, github: tuple[Path, Path]) -> None:
    origin, gh_bin = github
    synced = synced_dir(tmp_path)
    assert land(tmp_path, origin, gh_bin, synced).returncode == 0
    git(origin, "update-ref", "refs/heads/main", "refs/heads/bot/nightly-data")  # it merged
    state = fakegh.read_state(gh_bin)
    state["prs"][0]["state"] = "MERGED"
    (gh_bin / "gh-state.json").write_text(json.dumps(state), encoding="utf-8")
    result = land(tmp_path, origin, gh_bin, synced)
    assert result.returncode == 0
    assert "nothing to land" in result.stdout
    assert len(fakegh.read_state(gh_bin)["prs"]) == 1


# -- scripts/nightly_issue.sh: one issue, updated -------------------------------------------------


def issue(tmp_path: Path, gh_bin: Path, alert: Path) -> subprocess.CompletedProcess[str]:
    env = fakegh.env(gh_bin) | {"REPOSITORY": "o/r", "RUN_URL": "https://github.com/o/r/run/7"}
    return subprocess.run(
        ["bash", str(ISSUE), str(alert)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_issue_is_opened_once_then_updated(tmp_path: Path) -> None:
    gh_bin = tmp_path / "gh"
    fakegh.install(
        gh_bin,
        {
            "issues": [
                {"number": 1, "title": "Unrelated", "body": "", "state": "OPEN", "comments": []}
            ]
        },
    )
    alert = tmp_path / "alert.md"
    alert.write_text(
        "## Nightly Hub sync failed on 2026-03-01\n\n401 everywhere\n", encoding="utf-8"
    )
    assert issue(tmp_path, gh_bin, alert).returncode == 0
    alert.write_text("## Nightly Hub sync failed on 2026-03-02\n\nstill\n", encoding="utf-8")
    assert "updated issue #2" in issue(tmp_path, gh_bin, alert).stdout
    issues = fakegh.read_state(gh_bin)["issues"]
    assert [i["title"] for i in issues] == ["Unrelated", "Nightly Hub sync failed"]
    assert issues[1]["body"].startswith("## Nightly Hub sync failed on 2026-03-02")
    assert issues[1]["comments"] == ["Failed again: https://github.com/o/r/run/7"]


def test_issue_without_a_report_says_the_job_failed_early(tmp_path: Path) -> None:
    gh_bin = tmp_path / "gh"
    fakegh.install(gh_bin, {})
    assert issue(tmp_path, gh_bin, tmp_path / "absent.md").returncode == 0
    (created,) = fakegh.read_state(gh_bin)["issues"]
    assert "failed before it could write its report" in created["body"]


# -- scripts/pages_preflight.sh ----------------------------------------------------------------


def preflight(tmp_path: Path, pages: dict[str, str] | None) -> subprocess.CompletedProcess[str]:
    gh_bin = tmp_path / "gh"
    fakegh.install(gh_bin, {"pages": pages})
    return subprocess.run(
        ["bash", str(PREFLIGHT), str(ROOT / "mkdocs.yml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=fakegh.env(gh_bin) | {"REPOSITORY": "o/r"},
    )


SITE_URL = next(
    line.split()[1]
    for line in (ROOT / "mkdocs.yml").read_text().splitlines()
    if line.startswith("site_url:")
)


def test_preflight_fails_early_with_the_setting_when_pages_is_off(tmp_path: Path) -> None:
    result = preflight(tmp_path, None)
    assert result.returncode == 1
    assert result.stdout.startswith("::error title=GitHub Pages is not enabled::")
    assert 'Source to "GitHub Actions"' in result.stdout
    assert "https://github.com/o/r/settings/pages" in result.stdout


def test_preflight_refuses_pages_built_from_a_branch(tmp_path: Path) -> None:
    result = preflight(tmp_path, {"build_type": "legacy", "html_url": SITE_URL})
    assert result.returncode == 1
    assert "build from a branch (build_type: legacy)" in result.stdout


def test_preflight_passes_and_checks_site_url(tmp_path: Path) -> None:
    ok = preflight(tmp_path, {"build_type": "workflow", "html_url": SITE_URL})
    assert ok.returncode == 0, ok.stdout
    assert "::warning" not in ok.stdout
    moved = preflight(tmp_path, {"build_type": "workflow", "html_url": "https://x.example/"})
    assert moved.returncode == 0
    assert "::warning title=site_url is not the Pages address::" in moved.stdout
