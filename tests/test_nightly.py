"""`make nightly-dry-run` (scripts/nightly_dry_run.py) and the steps it shares with
.github/workflows/nightly.yml (scripts/nightly_record.sh, scripts/nightly_commit.sh): sync
against the fake Hub -> commit decision -> build, in a temporary copy, never touching this
checkout's lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "scripts" / "nightly_dry_run.py"
COMMIT = ROOT / "scripts" / "nightly_commit.sh"
RECORD = ROOT / "scripts" / "nightly_record.sh"
LOCK = ROOT / "catalog.lock.yaml"


def dry_run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "GITHUB_OUTPUT")}
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=240, check=False, env=env)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


def lock_state() -> bytes | None:
    return LOCK.read_bytes() if LOCK.exists() else None


def test_two_nights_commit_once_build_twice_and_leave_the_checkout_alone(tmp_path: Path
                                                                          ) -> None:
    before = lock_state()
    work = tmp_path / "night"

    first = dry_run("--workdir", str(work))
    assert first.returncode == 0, first.stdout + first.stderr
    out = first.stdout
    assert "fake Hub at http://127.0.0.1:" in out
    order = [out.index(step) for step in ("2. sync", "4. commit decision", "5. build",
                                           "7. would upload")]
    assert order == sorted(order)
    assert "changed=true" in out
    assert "the commit message is the sync summary" in out
    repo = work / "repo"
    log = git(repo, "log", "--format=%s").splitlines()
    assert len(log) == 2
    assert log[0].startswith("Hub sync ")  # the summary's title, without the Markdown #
    assert "new candidate" in log[0]  # the fake Hub's fresh repo was reported
    day = log[0].split()[2].rstrip(":")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "catalog.lock.yaml", f"changes/{day}.md"]  # the lock and its changelog entry only
    assert (repo / "changes" / f"{day}.md").read_text(encoding="utf-8").startswith(
        f"## Hub sync {day}")
    assert (repo / "site" / "index.html").is_file()
    assert (repo / "site" / "api" / "catalog.json").is_file()

    second = dry_run("--workdir", str(work))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "changed=false" in second.stdout
    assert "nothing to push" in second.stdout
    assert len(git(repo, "log", "--format=%s").splitlines()) == 2

    assert lock_state() == before, "the dry run wrote this checkout's catalog.lock.yaml"


def test_a_failed_sync_commits_nothing_and_builds_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "catalog.yaml"
    broken.write_text("families: [{id: Not A Slug}]\n", encoding="utf-8")
    work = tmp_path / "night"
    result = dry_run("--workdir", str(work), "--catalog", str(broken))
    assert result.returncode == 1
    assert "nightly dry run FAILED" in result.stdout
    assert "published site stays" in result.stdout
    assert "4. commit decision" not in result.stdout
    repo = work / "repo"
    assert len(git(repo, "log", "--format=%s").splitlines()) == 1
    assert not (repo / "site").exists()


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


def commit(repo: Path, summary: str | None = "## Hub sync 2026-01-02: 1 new\n\nbody\n",
           output: Path | None = None) -> subprocess.CompletedProcess[str]:
    summary_path = repo.parent / "summary.md"
    if summary is not None:
        summary_path.write_text(summary, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_OUTPUT"}
    if output is not None:
        env["GITHUB_OUTPUT"] = str(output)
    return subprocess.run(["bash", str(COMMIT), "catalog.lock.yaml", str(summary_path)],
                          cwd=repo, capture_output=True, text=True, check=False, env=env)


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


def record(repo: Path, summary: str) -> subprocess.CompletedProcess[str]:
    summary_path = repo.parent / "summary.md"
    summary_path.write_text(summary, encoding="utf-8")
    return subprocess.run(["bash", str(RECORD), "catalog.lock.yaml", str(summary_path)],
                          cwd=repo, capture_output=True, text=True, check=False)


def test_record_keeps_the_summary_of_a_changed_lock_under_its_own_day(repo: Path) -> None:
    (repo / "catalog.lock.yaml").write_text("models: {}\n", encoding="utf-8")
    result = record(repo, "## Hub sync 2025-12-31: 2 new\n\nbody\n")
    assert result.returncode == 0, result.stderr
    entry = repo / "changes" / "2025-12-31.md"
    assert entry.read_text(encoding="utf-8") == "## Hub sync 2025-12-31: 2 new\n\nbody\n"
    assert commit(repo).returncode == 0
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) == [
        "catalog.lock.yaml", "changes/2025-12-31.md"]


def test_record_writes_nothing_when_the_lock_is_unchanged(repo: Path) -> None:
    (repo / "catalog.lock.yaml").write_text("models: {}\n", encoding="utf-8")
    assert commit(repo).returncode == 0
    result = record(repo, "## Hub sync 2026-01-03: no changes\n")
    assert result.returncode == 0
    assert "no changelog entry" in result.stdout
    assert not (repo / "changes").exists()
