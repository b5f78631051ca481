"""The issue's "done when", for real: `python -m generator sync` in a subprocess against a fake
Hub (HF_ENDPOINT) that answers some repos and fails others, then `render` shows the fresh
statistics and the stale markers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.catalog.lock import load_lock
from tests.conftest import FIXTURES, Result, run_cli
from tests.fakehub import FakeHub, Fault, loopback_only, synthetic_configs, synthetic_model

CATALOG = FIXTURES / "catalog.yaml"
FAST = ["--timeout", "0.5", "--retries", "1", "--backoff", "0.01", "--max-rate", "0"]


def catalog_ids() -> tuple[list[str], list[str]]:
    data: dict[str, Any] = yaml.safe_load(CATALOG.read_text())
    repos = [
        m["id"]
        for fam in data["families"]
        for m in [*fam.get("models", []), *fam.get("derivatives", [])]
    ]
    orgs = sorted({org for fam in data["families"] for org in fam.get("hub_orgs", [])})
    return repos, orgs


REPOS, ORGS = catalog_ids()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    loopback_only(monkeypatch)
    models = {repo: synthetic_model(repo, i) for i, repo in enumerate(REPOS)}
    with FakeHub(models, configs=synthetic_configs(models)) as hub:
        yield hub


def sync(hub: FakeHub, tmp_path: Path, *extra: str, token: str = "") -> Result:
    env = {
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_TOKEN": token,
        "HF_HUB_OFFLINE": "0",
    }
    return run_cli(
        "sync",
        "--catalog",
        str(CATALOG),
        "--lock",
        str(tmp_path / "lock.yaml"),
        *FAST,
        *extra,
        env=env,
        timeout=60,
    )


def family_pages(tmp_path: Path) -> str:
    docs = tmp_path / "docs"
    result = run_cli(
        "render",
        "--catalog",
        str(CATALOG),
        "--lock",
        str(tmp_path / "lock.yaml"),
        "--docs-dir",
        str(docs),
    )
    assert result.code == 0, result.err
    return "".join(p.read_text() for p in sorted((docs / "families").glob("*.md")))


def test_sync_cli_keeps_failed_entries_and_the_build_marks_them(
    fake: FakeHub, tmp_path: Path
) -> None:
    first = sync(fake, tmp_path, "--summary", str(tmp_path / "summary.md"))
    assert first.code == 0, first.err
    good = load_lock(tmp_path / "lock.yaml")
    assert good is not None
    assert sorted(good.models) == sorted(REPOS)
    assert set(good.orgs) == set(ORGS)
    assert fake.api_requests() == len(REPOS) + len(ORGS)
    assert (tmp_path / "summary.md").read_text().startswith("## Hub sync ")

    healthy, failing = REPOS[0], REPOS[1:4]
    fake.models[healthy]["downloads"] = 424242
    for repo, kind in zip(failing, ["hang", "404", "503"], strict=False):
        fake.faults[repo] = Fault(kind)
    started = time.monotonic()
    second = sync(fake, tmp_path, "--max-failed-share", "0.5")  # 3 of 6 fail
    assert time.monotonic() - started < 30
    assert second.code == 0, second.err
    lock = load_lock(tmp_path / "lock.yaml")
    assert lock is not None
    assert lock.models[healthy].downloads == 424242
    for repo in failing:
        assert lock.models[repo].error
        assert lock.models[repo].downloads == good.models[repo].downloads

    pages = family_pages(tmp_path)
    assert "424,242" in pages or "424242" in pages
    assert pages.count('class="oma-stale"') >= len(failing)

    assert sync(fake, tmp_path, "--strict", "--max-failed-share", "1").code == 1


def test_sync_cli_on_an_expired_token_keeps_the_lock_and_exits_1(
    fake: FakeHub, tmp_path: Path
) -> None:
    fake.tokens = frozenset({"hf_current"})
    assert sync(fake, tmp_path, token="hf_current").code == 0
    good = (tmp_path / "lock.yaml").read_bytes()
    alert = tmp_path / "alert.md"
    result = sync(fake, tmp_path, "--alert", str(alert), token="hf_revoked")
    assert result.code == 1
    assert "could not be fetched, more than the 20% allowed" in result.err
    assert (tmp_path / "lock.yaml").read_bytes() == good
    assert "HF_TOKEN is probably expired" in alert.read_text()
    assert len(family_pages(tmp_path)) > 0  # the last good lock still builds
