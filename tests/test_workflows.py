"""The GitHub Actions workflows: clean under actionlint and zizmor, and the policies the
issue asks for (pinned actions, least privilege, no secrets for fork PRs, no overlap).
GitHub is unreachable from here, so the workflows are checked by construction; their
steps are exercised by tests/test_nightly.py. Also: CI's annotations land on the right
catalog lines."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, run_cli

WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            pytest.fail(f"{name} is not installed: run `make install` (it is a dev dependency)")
        return found
    return str(path)


def load(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # PyYAML reads the `on:` key as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def uses(job: dict[str, Any]) -> list[str]:
    return [s["uses"] for s in steps(job) if "uses" in s]


def runs(job: dict[str, Any]) -> str:
    return "\n".join(s["run"] for s in steps(job) if "run" in s)


# -- the linters ---------------------------------------------------------------------------


def test_actionlint_reports_nothing() -> None:
    proc = subprocess.run(
        [tool("actionlint"), "-no-color"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_actionlint_is_not_vacuous(tmp_path: Path) -> None:
    """The same binary flags a broken workflow (so a clean run means something)."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.event.nope.title }}\n"
        "        if: ${{ matrix.missing }}\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [tool("actionlint"), "-no-color", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert "matrix" in proc.stdout


def zizmor(*args: str) -> subprocess.CompletedProcess[str]:
    # --offline: the audits that ask GitHub's API cannot run here (and need no token).
    return subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")
            },
            "NO_COLOR": "1",
        },
    )


def test_zizmor_reports_nothing() -> None:
    proc = zizmor("--config", ".github/zizmor.yml", ".github/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout + proc.stderr


def test_zizmor_is_not_vacuous(tmp_path: Path) -> None:
    """zizmor flags the template injection our workflows avoid by passing values via env."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        '    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n',
        encoding="utf-8",
    )
    proc = zizmor(str(bad))
    assert proc.returncode != 0
    assert "template-injection" in proc.stdout


# -- policies ------------------------------------------------------------------------------


def all_workflows() -> dict[str, dict[Any, Any]]:
    return {p.name: load(p.name) for p in sorted(WORKFLOWS.glob("*.yml"))}


def test_the_two_workflows_exist() -> None:
    assert set(all_workflows()) >= {"ci.yml", "nightly.yml"}


def test_every_action_is_pinned_to_a_full_sha_with_its_version() -> None:
    for name in all_workflows():
        for line in (WORKFLOWS / name).read_text(encoding="utf-8").splitlines():
            if "uses:" not in line:
                continue
            ref = line.split("uses:", 1)[1].split("#", 1)[0].strip()
            assert SHA_PIN.match(ref), f"{name}: {line.strip()} is not pinned to a commit SHA"
            assert re.search(r"#\s*v\d+(\.\d+)*\s*$", line), (
                f"{name}: {line.strip()} has no version"
            )


def test_no_pull_request_target_and_no_default_permissions() -> None:
    for name, wf in all_workflows().items():
        assert "pull_request_target" not in wf["on"], name
        assert wf.get("permissions") == {}, f"{name}: top-level permissions must be {{}}"
        for job_id, job in wf["jobs"].items():
            assert "permissions" in job, f"{name}: job {job_id} sets no permissions"
            assert isinstance(job.get("timeout-minutes"), int), f"{name}: {job_id} has no timeout"
            for step in steps(job):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{name}: {job_id}"


def test_no_expression_is_expanded_inside_a_shell_script() -> None:
    """github.* and other values reach `run:` through env vars, never `${{ }}` (injection)."""
    for name, wf in all_workflows().items():
        for job_id, job in wf["jobs"].items():
            assert "${{" not in runs(job), f"{name}: job {job_id} expands an expression in run:"


def test_ci_checks_pull_requests_without_secrets() -> None:
    wf = load("ci.yml")
    assert {"pull_request", "push"} <= set(wf["on"])
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    assert "${{ secrets." not in text
    jobs = wf["jobs"]
    for job in jobs.values():
        assert job["permissions"] == {"contents": "read"}
    script = "\n".join(runs(job) for job in jobs.values())
    for needed in (
        "generator validate --format github",
        "generator schema --check",
        "ruff check",
        "mypy",
        "actionlint",
        "zizmor --offline",
        ".ci/run",
        "generator build --site-dir site",
        "generator build --engine zensical",
        'generator diff --base "$base" --catalog catalog.yaml',
        "GITHUB_STEP_SUMMARY",
        'git show "origin/${BASE_REF}:catalog.yaml"',
    ):
        assert needed in script, needed
    site = jobs["site"]
    assert any(u.startswith("actions/upload-artifact@") for u in uses(site))
    checkout = next(s for s in steps(site) if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # origin/<base> must exist for the diff


def test_nightly_shape() -> None:
    wf = load("nightly.yml")
    assert set(wf["on"]) == {"schedule", "workflow_dispatch"}
    assert wf["concurrency"]["cancel-in-progress"] is False
    jobs = wf["jobs"]
    assert set(jobs) == {"preflight", "sync", "build", "deploy", "land", "report", "radar"}
    assert jobs["build"]["needs"] == "sync"
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert jobs["sync"]["environment"] == "hub-sync"  # HF_TOKEN lives in its own environment
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses(jobs["build"]))
    assert any(u.startswith("actions/deploy-pages@") for u in uses(jobs["deploy"]))
    assert "generator sync --summary sync-summary.md" in runs(jobs["sync"])
    assert "generator build" in runs(jobs["build"])
    assert "scripts/nightly_record.sh catalog.lock.yaml sync-changelog.md" in runs(jobs["sync"])
    assert "scripts/nightly_land.sh" in runs(jobs["land"])
    assert "scripts/pages_preflight.sh" in runs(jobs["preflight"])
    assert "scripts/nightly_issue.sh" in runs(jobs["report"])
    assert "scripts/radar_issue.sh" in runs(jobs["radar"])
    assert jobs["radar"]["needs"] == "sync"  # never shares the Hub's rate limit with the sync
    assert jobs["radar"]["environment"] == "hub-sync"
    for job in jobs.values():  # the pip cache
        for step in steps(job):
            if step.get("uses", "").startswith("actions/setup-python@"):
                assert step["with"]["cache"] == "pip"


def ancestors(jobs: dict[str, Any], job_id: str) -> set[str]:
    needs = jobs[job_id].get("needs", [])
    direct = {needs} if isinstance(needs, str) else set(needs)
    return direct.union(*(ancestors(jobs, n) for n in direct))


def test_deploy_does_not_depend_on_the_data_push() -> None:
    """A protected main refuses a GITHUB_TOKEN push; the site must go live all the same."""
    jobs = load("nightly.yml")["jobs"]
    assert "land" not in ancestors(jobs, "deploy")
    assert ancestors(jobs, "deploy") == {"preflight", "build", "sync"}
    assert "land" not in jobs["deploy"]["if"]
    # Nothing in the workflow pushes to main: the land job pushes the bot branch only.
    assert "git push" not in runs(jobs["land"])
    land = (ROOT / "scripts" / "nightly_land.sh").read_text(encoding="utf-8")
    assert 'push --force --quiet "$remote" "HEAD:refs/heads/${branch}"' in land
    assert "branch=${BOT_BRANCH:-bot/nightly-data}" in land
    assert "--auto --squash" in land


# -- a small model of how GitHub Actions decides which jobs run ---------------------------------


def evaluate(condition: str | None, values: dict[str, str]) -> bool:
    """A job's `if:` as GitHub evaluates the few forms the nightly uses."""
    if condition is None:
        return all(
            values.get(f"needs.{n}.result") == "success"
            for n in values.get("_ancestors", "").split()
        )
    text = condition.strip().removeprefix("${{").removesuffix("}}")
    # No status function: GitHub adds success() (every ancestor succeeded).
    if "cancelled()" not in text and "always()" not in text and not evaluate(None, values):
        return False
    text = text.replace("!cancelled()", "True").replace("!=", " NE ").replace("!", " not ")
    text = text.replace(" NE ", " != ").replace("&&", " and ").replace("||", " or ")
    text = re.sub(
        r"\b(github|needs|vars|steps)\.[\w.-]+", lambda m: repr(values.get(m.group(0), "")), text
    )
    return bool(eval(text, {"__builtins__": {}}, {"True": True}))


def simulate(
    sync_step: str,
    sync_job: str = "success",
    build: str = "success",
    lock_changed: str = "true",
    land: str = "success",
) -> dict[str, str]:
    """Each job's result when the sync step ends `sync_step` (the job goes on: it is
    continue-on-error) and the sync job ends `sync_job`."""
    jobs = load("nightly.yml")["jobs"]
    values = {"github.ref": "refs/heads/main", "vars.NIGHTLY_APP_ID": ""}
    results: dict[str, str] = {}
    order = ["preflight", "sync", "build", "deploy", "land", "report"]
    for job_id in order:
        values["_ancestors"] = " ".join(sorted(ancestors(jobs, job_id)))
        if not evaluate(jobs[job_id].get("if"), values):
            results[job_id] = "skipped"
        elif job_id == "sync":
            results[job_id] = sync_job
            if sync_job == "success":
                values["needs.sync.outputs.outcome"] = sync_step
                values["needs.sync.outputs.lock-changed"] = lock_changed
        elif job_id == "report":  # its last step exits 1
            results[job_id] = "failure"
        else:
            results[job_id] = {"build": build, "land": land}.get(job_id, "success")
        values[f"needs.{job_id}.result"] = results[job_id]
    return results


def test_a_mass_failure_publishes_then_fails_the_run() -> None:
    jobs = load("nightly.yml")["jobs"]
    sync_step = next(s for s in steps(jobs["sync"]) if "generator sync" in s.get("run", ""))
    assert sync_step["continue-on-error"] is True  # exit 1 = a mass failure; the job goes on
    assert "--alert sync-alert.md" in sync_step["run"]
    assert jobs["sync"]["outputs"]["outcome"] == "${{ steps.sync.outcome }}"
    # The mass failure left the lock as it was: nothing to land, the rest publishes.
    results = simulate(sync_step="failure", lock_changed="false")
    assert results == {
        "preflight": "success",
        "sync": "success",
        "build": "success",
        "deploy": "success",
        "land": "skipped",
        "report": "failure",
    }
    assert {"deploy", "land"} <= ancestors(jobs, "report")  # it fails the run after publishing
    last = steps(jobs["report"])[-1]
    assert last["run"].rstrip().endswith("exit 1")


def test_a_broken_sync_job_still_publishes_the_committed_lock() -> None:
    results = simulate(sync_step="", sync_job="failure")
    assert results["build"] == "success"
    assert results["deploy"] == "success"
    assert results["land"] == "skipped"
    assert results["report"] == "failure"
    download = next(
        s
        for s in steps(load("nightly.yml")["jobs"]["build"])
        if s.get("uses", "").startswith("actions/download-artifact@")
    )
    assert download["continue-on-error"] is True  # no artifact: build from the checkout


def test_a_healthy_night_lands_and_reports_nothing() -> None:
    assert simulate(sync_step="success") == {
        "preflight": "success",
        "sync": "success",
        "build": "success",
        "deploy": "success",
        "land": "success",
        "report": "skipped",
    }
    # The pull request failing to land does not unpublish anything or open the sync issue.
    results = simulate(sync_step="success", land="failure")
    assert results["deploy"] == "success"
    assert results["report"] == "skipped"


def test_a_failed_build_publishes_and_lands_nothing() -> None:
    results = simulate(sync_step="success", build="failure")
    assert results["deploy"] == "skipped"
    assert results["land"] == "skipped"


def test_nightly_least_privilege() -> None:
    jobs = load("nightly.yml")["jobs"]
    granted = {job_id: job["permissions"] for job_id, job in jobs.items()}
    assert granted == {
        "preflight": {"contents": "read", "pages": "read"},
        "sync": {"contents": "read"},
        "build": {"contents": "read"},
        "deploy": {"pages": "write", "id-token": "write"},
        "land": {"contents": "write", "pull-requests": "write", "actions": "write"},
        "report": {"contents": "read", "issues": "write"},
        "radar": {"contents": "read", "issues": "write"},
    }


def test_secrets_reach_only_their_steps() -> None:
    jobs = load("nightly.yml")["jobs"]
    holders = [
        (job_id, step.get("name") or step.get("uses", "").split("@")[0])
        for job_id, job in jobs.items()
        for step in steps(job)
        if "secrets." in yaml.safe_dump(step)
    ]
    assert holders == [
        ("sync", "Sync (HF_TOKEN is optional; without it the sync runs anonymously, slower)"),
        ("land", "GitHub App token (when the NIGHTLY_APP_ID variable is set)"),
        (
            "land",
            ("Commit onto bot/nightly-data, open or update its pull request, enable auto-merge"),
        ),
        (
            "radar",
            ("List new releases and keep the issue current (created, edited, closed when empty)"),
        ),
    ]
    sync_step = next(s for s in steps(jobs["sync"]) if "generator sync" in s.get("run", ""))
    assert sync_step["env"] == {"HF_TOKEN": "${{ secrets.HF_TOKEN }}"}
    assert jobs["land"]["environment"] == "nightly-data"
    text = (WORKFLOWS / "nightly.yml").read_text(encoding="utf-8")
    assert text.count("secrets.HF_TOKEN") == 2  # the sync's and the radar's steps only


def test_actions_are_on_their_node_24_majors() -> None:
    """checkout v5, setup-python v6, upload-artifact v6, download-artifact v7, pages v5."""
    majors = {
        "actions/checkout": 5,
        "actions/setup-python": 6,
        "actions/upload-artifact": 6,
        "actions/download-artifact": 7,
        "actions/upload-pages-artifact": 5,
        "actions/deploy-pages": 5,
        "actions/create-github-app-token": 2,
    }
    seen = set()
    for name in all_workflows():
        for line in (WORKFLOWS / name).read_text(encoding="utf-8").splitlines():
            match = re.search(r"uses: ([\w-]+/[\w-]+)@[0-9a-f]{40} # v(\d+)", line)
            if match:
                seen.add(match.group(1))
                assert int(match.group(2)) >= majors[match.group(1)], line.strip()
    assert seen == set(majors)


def test_the_test_container_is_pinned_by_digest() -> None:
    image = load("ci.yml")["jobs"]["test"]["container"]
    assert re.fullmatch(r"python:3\.11-bookworm@sha256:[0-9a-f]{64}", image)


def test_dependabot_covers_pip_and_actions() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    assert {u["package-ecosystem"] for u in config["updates"]} == {"pip", "github-actions"}


# -- annotations on the exact catalog line ----------------------------------------------------


def break_catalog(tmp_path: Path) -> tuple[Path, list[tuple[int, int, str]]]:
    """A copy of the real catalog with two mistakes a PR could make; returns their places."""
    lines = (ROOT / "catalog.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    expected = []
    status = next(i for i, line in enumerate(lines) if line.strip() == "status: open")
    lines[status] = lines[status].replace("status: open", "status: opn")
    expected.append((status + 1, lines[status].index("opn") + 1, "'opn' is not one of"))
    ctx = next(i for i, line in enumerate(lines) if re.fullmatch(r"\s+context_length: \d+\n", line))
    lines[ctx] = re.sub(r"\d+", "lots", lines[ctx])
    expected.append((ctx + 1, lines[ctx].index("lots") + 1, "'lots' is not a number"))
    path = tmp_path / "catalog.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path, expected


def test_a_broken_catalog_gets_annotations_on_the_right_lines(tmp_path: Path) -> None:
    _path, expected = break_catalog(tmp_path)
    # As CI runs it: from the repository root, with the default (relative) catalog path.
    result = run_cli(
        "validate",
        "--format",
        "github",
        "--lock",
        "no-lock.yaml",
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert result.code == 1
    annotations = [line for line in result.out.splitlines() if line.startswith("::")]
    assert len(annotations) == len(expected), result.out + result.err
    for (line, col, message), annotation in zip(expected, annotations, strict=True):
        prefix = f"::error file=catalog.yaml,line={line},col={col}::"
        assert annotation.startswith(prefix), (annotation, prefix)
        assert message in annotation
    # The human-readable form is still there for the log.
    assert f"catalog.yaml:{expected[0][0]}:{expected[0][1]}: " in result.err


def test_a_valid_catalog_gets_no_annotations() -> None:
    result = run_cli(
        "validate",
        "--format",
        "github",
        "--lock",
        "no-lock.yaml",
        "--catalog",
        str(ROOT / "tests" / "fixtures" / "catalog.yaml"),
    )
    assert result.code == 0, result.err
    assert "::error" not in result.out


# -- docs/maintainers.md states the settings exactly as the workflows need them ----------------


def test_maintainers_doc_names_what_the_workflows_use() -> None:
    doc = (ROOT / "docs" / "maintainers.md").read_text(encoding="utf-8")
    nightly_text = (WORKFLOWS / "nightly.yml").read_text(encoding="utf-8")
    jobs = load("nightly.yml")["jobs"]
    # Every environment, secret and variable the nightly reads is a setting in the doc.
    environments = {
        j["environment"] if isinstance(j["environment"], str) else j["environment"]["name"]
        for j in jobs.values()
        if "environment" in j
    }
    assert environments == {"hub-sync", "github-pages", "nightly-data"}
    names = set(re.findall(r"\$\{\{[^}]*?\b(?:secrets|vars)\.(\w+)", nightly_text))
    assert names == {"HF_TOKEN", "NIGHTLY_APP_ID", "NIGHTLY_APP_PRIVATE_KEY", "NIGHTLY_PAT"}
    for name in environments | names:
        assert f"`{name}`" in doc, name
    # The required checks are CI's job names, as GitHub shows them.
    for job in load("ci.yml")["jobs"].values():
        assert f"**`{job['name']}`**" in doc, job["name"]
    assert "bot/nightly-data" in doc
    land = (ROOT / "scripts" / "nightly_land.sh").read_text(encoding="utf-8")
    assert "BOT_BRANCH:-bot/nightly-data" in land
    assert "Source: **GitHub Actions**" in doc
    assert "Allow auto-merge" in doc
    assert "Allow GitHub Actions to create and approve pull requests" in doc
    assert "[docs/maintainers.md](docs/maintainers.md)" in (ROOT / "README.md").read_text(
        encoding="utf-8"
    )
