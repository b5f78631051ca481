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
    proc = subprocess.run([tool("actionlint"), "-no-color"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_actionlint_is_not_vacuous(tmp_path: Path) -> None:
    """The same binary flags a broken workflow (so a clean run means something)."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                      "      - run: echo ${{ github.event.nope.title }}\n"
                      "        if: ${{ matrix.missing }}\n", encoding="utf-8")
    proc = subprocess.run([tool("actionlint"), "-no-color", str(broken)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 1
    assert "matrix" in proc.stdout


def zizmor(*args: str) -> subprocess.CompletedProcess[str]:
    # --offline: the audits that ask GitHub's API cannot run here (and need no token).
    return subprocess.run([tool("zizmor"), "--offline", "--no-progress", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**{k: v for k, v in os.environ.items()
                                  if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")},
                               "NO_COLOR": "1"})


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
        "    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n",
        encoding="utf-8")
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
            assert re.search(r"#\s*v\d+(\.\d+)*\s*$", line), f"{name}: {line.strip()} has no version"


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
    for needed in ("generator validate --format github", "generator schema --check",
                   "ruff check", "mypy", "actionlint", "zizmor --offline", ".ci/run",
                   "generator build --site-dir site",
                   "generator build --engine zensical",
                   'generator diff --base "$base" --catalog catalog.yaml',
                   "GITHUB_STEP_SUMMARY", 'git show "origin/${BASE_REF}:catalog.yaml"'):
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
    assert jobs["build"]["needs"] == "sync"
    assert jobs["commit"]["needs"] == "build"
    assert set(jobs["deploy"]["needs"]) == {"build", "commit"}
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert jobs["commit"]["if"] == "github.ref == 'refs/heads/main'"  # other branches: build only
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses(jobs["build"]))
    assert any(u.startswith("actions/deploy-pages@") for u in uses(jobs["deploy"]))
    assert "generator sync --summary sync-summary.md" in runs(jobs["sync"])
    assert "generator build" in runs(jobs["build"])
    assert "scripts/nightly_commit.sh catalog.lock.yaml sync-summary.md" in runs(jobs["commit"])
    assert "scripts/nightly_record.sh catalog.lock.yaml sync-summary.md" in runs(jobs["sync"])


def test_nightly_least_privilege() -> None:
    jobs = load("nightly.yml")["jobs"]
    granted = {job_id: job["permissions"] for job_id, job in jobs.items()}
    assert granted == {
        "sync": {"contents": "read"},
        "build": {"contents": "read"},
        "commit": {"contents": "write"},
        "deploy": {"pages": "write", "id-token": "write"},
    }


def test_hf_token_reaches_only_the_sync_step() -> None:
    jobs = load("nightly.yml")["jobs"]
    holders = [(job_id, step.get("name")) for job_id, job in jobs.items() for step in steps(job)
               if "secrets." in yaml.safe_dump(step)]
    assert [job_id for job_id, _name in holders] == ["sync"], holders
    sync_step = next(s for s in steps(jobs["sync"]) if "generator sync" in s.get("run", ""))
    assert sync_step["env"] == {"HF_TOKEN": "${{ secrets.HF_TOKEN }}"}


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
    ctx = next(i for i, line in enumerate(lines)
               if re.fullmatch(r"\s+context_length: \d+\n", line))
    lines[ctx] = re.sub(r"\d+", "lots", lines[ctx])
    expected.append((ctx + 1, lines[ctx].index("lots") + 1, "'lots' is not a number"))
    path = tmp_path / "catalog.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path, expected


def test_a_broken_catalog_gets_annotations_on_the_right_lines(tmp_path: Path) -> None:
    _path, expected = break_catalog(tmp_path)
    # As CI runs it: from the repository root, with the default (relative) catalog path.
    result = run_cli("validate", "--format", "github", "--lock", "no-lock.yaml", cwd=tmp_path,
                     env={"PYTHONPATH": str(ROOT)})
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
    result = run_cli("validate", "--format", "github", "--lock", "no-lock.yaml",
                     "--catalog", str(ROOT / "tests" / "fixtures" / "catalog.yaml"))
    assert result.code == 0, result.err
    assert "::error" not in result.out
