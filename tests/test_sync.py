"""`sync` against a fake Hub on 127.0.0.1: what is recorded, what a no-op sync leaves, how
every fault keeps the last good data, candidates, the summary, the token, drift."""

from __future__ import annotations

import argparse
import copy
import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from generator.catalog.lock import Lock, load_lock
from generator.hub.client import EXPAND, HubClient, HubConfig
from generator.hub.sync import Progress, add_arguments, run, sync_lock
from tests.fakehub import (
    FakeHub,
    Fault,
    load_config,
    load_fixture,
    point_hub_at,
    synthetic_configs,
    synthetic_model,
)

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
OLMO, LLAMA, BERT = (load_fixture(n) for n in ("olmo-7b", "llama-2-7b-hf", "bert-base-uncased"))
HEALTHY = ["ok/one", "ok/two"]
FAULTS = {  # repo -> how the fake fails it in the faulty run
    "gone/deleted": Fault("404"),
    "gone/private": Fault("401"),
    "slow/hang": Fault("hang"),
    "flaky/server": Fault("503"),
    "flaky/reset": Fault("reset"),
    "bad/malformed": Fault("malformed"),
    "bad/truncated": Fault("truncated"),
    "busy/limited": Fault("429", headers={"Retry-After": "0"}),
}


def models_for(repos: list[str]) -> dict[str, dict[str, Any]]:
    return {repo: synthetic_model(repo, i) for i, repo in enumerate(repos)}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    synthetic = models_for(HEALTHY + list(FAULTS))
    # Copies: a test that moves a repo's commit must not move it for the next test.
    models = copy.deepcopy({**synthetic, OLMO["id"]: OLMO, LLAMA["id"]: LLAMA, BERT["id"]: BERT})
    configs = {
        **synthetic_configs(synthetic),
        OLMO["id"]: load_config("olmo-7b"),
        LLAMA["id"]: load_config("llama-2-7b-hf"),
        BERT["id"]: load_config("bert-base-uncased"),
    }
    with FakeHub(
        models,
        redirects={"bert-base-uncased": BERT["id"]},
        configs=configs,
        tokens=frozenset({GRANTED}),
        gated_access=frozenset({GRANTED}),
    ) as hub:
        point_hub_at(hub, monkeypatch, tmp_path / "hf-home")
        yield hub


CATALOG = [*HEALTHY, *FAULTS, OLMO["id"], LLAMA["id"], "bert-base-uncased"]
GRANTED = "hf_granted_gated_access"  # the one token the fake accepts; it may read gated files


def sync(
    hub: FakeHub,
    old: Lock | None,
    now: datetime = NOW,
    repos: list[str] = CATALOG,
    orgs: tuple[str, ...] = (),
    token: str | None = None,
) -> tuple[Lock, Any]:
    config = HubConfig(
        endpoint=hub.url, timeout=0.5, retries=1, backoff=0.01, max_rate=None, token=token
    )
    with HubClient(config) as client:
        return sync_lock(
            client, repos, orgs, old, now=now, workers=8, progress=Progress(0, io.StringIO())
        )


def cli_args(tmp_path: Path, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lock", type=Path)
    add_arguments(parser)
    return parser.parse_args(
        [
            "--lock",
            str(tmp_path / "catalog.lock.yaml"),
            "--timeout",
            "0.5",
            "--retries",
            "1",
            "--backoff",
            "0.01",
            "--max-rate",
            "0",
            *extra,
        ]
    )


# -- a healthy sync ------------------------------------------------------------------------


def test_healthy_sync_records_the_hub_fields(fake: FakeHub) -> None:
    lock, summary = sync(fake, None)
    olmo = lock.models[OLMO["id"]]
    assert (olmo.downloads, olmo.downloads_all_time, olmo.likes) == (12345, 987654, 640)
    assert olmo.license == "apache-2.0"
    assert olmo.datasets == ["allenai/dolma"]
    assert olmo.arxiv == ["2402.00838"]
    assert olmo.parameters == 6888095744
    assert olmo.context_length == 2048  # from config.json: the API's config lacks it
    assert olmo.config_sha == OLMO["sha"]
    assert olmo.fetched_at == NOW
    assert olmo.error is None
    assert lock.models["bert-base-uncased"].context_length == 512  # config.json, again
    llama = lock.models[LLAMA["id"]]
    assert llama.gated == "manual"  # gated repos' metadata is public
    assert llama.error is None
    assert llama.context_length is None  # its config.json refuses anonymous requests
    assert llama.config_sha is None  # so the next sync asks again
    assert llama.children == {"adapter": 4310, "finetune": 1520, "merge": 96, "quantized": 210}
    assert f"`{OLMO['id']}`" in summary.new
    assert [line.split(":")[0] for line in summary.config_unread] == [f"`{LLAMA['id']}`"]
    # Every repo's context length comes from config.json: one download per repo.
    assert fake.resolver_requests() == len(CATALOG)


def test_a_token_with_access_reads_the_gated_config(fake: FakeHub) -> None:
    lock, summary = sync(fake, None, repos=[LLAMA["id"]], token=GRANTED)
    assert lock.models[LLAMA["id"]].context_length == 4096
    assert not summary.config_unread


def test_one_api_request_per_model(fake: FakeHub) -> None:
    repos = [*HEALTHY, OLMO["id"], LLAMA["id"]]
    sync(fake, None, repos=repos)
    assert fake.api_requests() == len(repos)


def test_renamed_repo_is_kept_under_the_catalog_id(fake: FakeHub) -> None:
    lock, summary = sync(fake, None)
    entry = lock.models["bert-base-uncased"]
    assert (entry.id, entry.renamed_to) == (BERT["id"], BERT["id"])
    assert entry.downloads_all_time == BERT["downloadsAllTime"]
    assert summary.renamed == [f"`bert-base-uncased` → `{BERT['id']}`"]
    assert "update catalog.yaml" in summary.to_markdown()


def test_a_sync_that_changes_nothing_leaves_the_lock_byte_identical(
    fake: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repos = [*HEALTHY, OLMO["id"], LLAMA["id"]]
    assert run(cli_args(tmp_path), repos, {"olmo": ["allenai"]}) == 0
    first = (tmp_path / "catalog.lock.yaml").read_bytes()
    resolver_before = fake.resolver_requests()
    assert run(cli_args(tmp_path), repos, {"olmo": ["allenai"]}) == 0
    assert (tmp_path / "catalog.lock.yaml").read_bytes() == first
    # config.json only when the sha moves, and for the gated repo whose config.json refused
    # the anonymous sync: that one is asked again every night.
    assert fake.resolver_requests() == resolver_before + 1
    assert "The lock is unchanged." in capsys.readouterr().out


def test_only_changed_entries_get_a_new_fetched_at(fake: FakeHub) -> None:
    first, _ = sync(fake, None, repos=HEALTHY)
    fake.models["ok/one"]["downloads"] += 10
    later = NOW + timedelta(days=1)
    second, summary = sync(fake, first, now=later, repos=HEALTHY)
    assert second.models["ok/one"].fetched_at == later
    assert second.models["ok/one"].downloads == first.models["ok/one"].downloads + 10  # type: ignore[operator]
    assert second.models["ok/two"].fetched_at == NOW
    assert second.synced_at == later.date()
    assert (summary.updated, summary.unchanged) == (1, 1)


def test_config_json_is_read_again_when_the_commit_changes(fake: FakeHub) -> None:
    first, _ = sync(fake, None, repos=[OLMO["id"]])
    fake.models[OLMO["id"]]["sha"] = "f" * 40
    fake.configs[OLMO["id"]] = {"max_sequence_length": 4096}
    second, _ = sync(fake, first, repos=[OLMO["id"]])
    assert second.models[OLMO["id"]].context_length == 4096
    assert fake.resolver_requests() == 2


# -- faults --------------------------------------------------------------------------------


def test_every_fault_keeps_the_last_good_entry(
    fake: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orgs = {"olmo": ["allenai"]}
    assert run(cli_args(tmp_path), CATALOG, orgs) == 0
    good = load_lock(tmp_path / "catalog.lock.yaml")
    assert good is not None
    assert all(e.error is None for e in good.models.values())

    fake.faults.update({repo: Fault(f.kind, headers=f.headers) for repo, f in FAULTS.items()})
    fake.models["ok/one"]["likes"] = 12345
    summary_path = tmp_path / "summary.md"
    started = time.monotonic()
    # 8 of 13 repos fail: far above the default 20%, which would leave the lock as it was;
    # allow them all to see what each fault does to its entry.
    code = run(
        cli_args(tmp_path, "--summary", str(summary_path), "--max-failed-share", "1"), CATALOG, orgs
    )
    assert time.monotonic() - started < 10
    assert code == 0  # failures fail the run only with --strict
    lock = load_lock(tmp_path / "catalog.lock.yaml")
    assert lock is not None

    assert lock.models["ok/one"].likes == 12345
    assert lock.models["ok/one"].error is None
    expected_kinds = {
        "gone/deleted": "not_found",
        "gone/private": "not_found",
        "slow/hang": "timeout",
        "flaky/server": "http",
        "flaky/reset": "network",
        "bad/malformed": "invalid_response",
        "bad/truncated": "invalid_response",
        "busy/limited": "rate_limited",
    }
    for repo, kind in expected_kinds.items():
        entry, before = lock.models[repo], good.models[repo]
        assert entry.error_kind == kind, repo
        assert entry.error
        assert entry.error_since is not None
        assert entry.data() == before.data(), repo  # the last good data, untouched
        assert entry.fetched_at == before.fetched_at

    summary = summary_path.read_text()
    assert "### Missing on the Hub" in summary
    assert "`gone/deleted`" in summary
    assert "### Failed (will be retried next sync)" in summary
    assert "`slow/hang`: no answer from the Hub within 0.5 s" in summary
    assert "2 missing, 6 failed" in summary
    out = capsys.readouterr()
    assert "gone/private" in out.err  # reported as it happens too

    assert run(cli_args(tmp_path, "--strict", "--max-failed-share", "1"), CATALOG, orgs) == 1


def test_error_since_stays_at_the_first_failure(fake: FakeHub) -> None:
    repos = ["flaky/server"]
    good, _ = sync(fake, None, repos=repos)
    fake.faults["flaky/server"] = Fault("503")
    first_failure, _ = sync(fake, good, now=NOW + timedelta(days=1), repos=repos)
    again, _ = sync(fake, first_failure, now=NOW + timedelta(days=2), repos=repos)
    assert again.models["flaky/server"].error_since == NOW + timedelta(days=1)
    assert again.models["flaky/server"] == first_failure.models["flaky/server"]
    del fake.faults["flaky/server"]
    recovered, summary = sync(fake, again, now=NOW + timedelta(days=3), repos=repos)
    assert recovered.models["flaky/server"].error is None
    assert recovered.models["flaky/server"].error_since is None
    assert summary.recovered


def test_a_repo_that_never_answered_gets_a_placeholder(fake: FakeHub) -> None:
    lock, summary = sync(fake, None, repos=["nobody/typo"])
    entry = lock.models["nobody/typo"]
    assert entry.fetched_at is None
    assert entry.error_kind == "not_found"
    assert "never fetched" in summary.missing[0]


def test_hub_down_entirely_still_ends_in_bounded_time(fake: FakeHub) -> None:
    for repo in CATALOG:
        fake.faults[repo] = Fault("hang")
    started = time.monotonic()
    lock, summary = sync(fake, None)
    assert time.monotonic() - started < 5
    assert len(summary.failed) == len(CATALOG)
    assert all(e.error_kind == "timeout" for e in lock.models.values())


def test_deadline_stops_the_sync(fake: FakeHub, tmp_path: Path) -> None:
    for repo in CATALOG:
        fake.faults[repo] = Fault("hang")
    started = time.monotonic()
    code = run(
        cli_args(tmp_path, "--deadline", "0.2", "--workers", "1", "--max-failed-share", "1"),
        CATALOG,
        {},
    )
    assert time.monotonic() - started < 3
    assert code == 0
    lock = load_lock(tmp_path / "catalog.lock.yaml")
    assert lock is not None
    kinds = {e.error_kind for e in lock.models.values()}
    assert "deadline" in kinds


# -- candidates, token, progress -----------------------------------------------------------


def test_candidates_are_recent_org_repos_not_in_the_catalog(fake: FakeHub) -> None:
    fake.models["allenai/OLMo-3-7B"] = synthetic_model(
        "allenai/OLMo-3-7B", 1, created=NOW - timedelta(days=3)
    )
    fake.models["allenai/old-thing"] = synthetic_model(
        "allenai/old-thing", 2, created=NOW - timedelta(days=400)
    )
    fake.models[OLMO["id"]]["createdAt"] = (NOW - timedelta(days=1)).isoformat()
    lock, summary = sync(fake, None, repos=[OLMO["id"]], orgs=("allenai",))
    assert lock.orgs["allenai"].candidates == ["allenai/OLMo-3-7B"]
    assert summary.new_candidates == 1
    again, summary = sync(fake, lock, repos=[OLMO["id"]], orgs=("allenai",))
    assert summary.new_candidates == 0
    assert again.orgs == lock.orgs
    assert sum(1 for r in fake.log if r.path == "/api/models") == 2  # one listing per sync


def test_token_is_used_but_never_printed_or_written(
    fake: FakeHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "hf_DoNotLeakThisToken123"
    monkeypatch.setenv("HF_TOKEN", secret)
    fake.tokens = frozenset({secret})
    fake.faults["gone/deleted"] = Fault("401")
    summary = tmp_path / "summary.md"
    run(
        cli_args(tmp_path, "--summary", str(summary), "--max-failed-share", "1"),
        ["ok/one", "gone/deleted"],
        {},
    )
    assert fake.requests("/api/models/ok/one")[0].headers["authorization"] == f"Bearer {secret}"
    out = capsys.readouterr()
    written = (tmp_path / "catalog.lock.yaml").read_text() + summary.read_text()
    for text in (out.out, out.err, written):
        assert secret not in text
    assert "with HF_TOKEN" in out.out


def test_progress_prints_plain_lines_without_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(20, stream)
    for i in range(20):
        progress.advance(f"r/{i}", "HTTP 503 from the Hub" if i == 3 else None)
    lines = stream.getvalue().splitlines()
    assert "sync: r/3: HTTP 503 from the Hub" in lines
    assert lines[-1] == "sync: 20/20 done, 1 failed"
    assert len(lines) == 11


# -- partial answers never wipe good data ----------------------------------------------------


def test_a_400_on_the_expand_list_keeps_the_fields_it_left_out(fake: FakeHub) -> None:
    repos = [*HEALTHY, OLMO["id"]]
    good, _ = sync(fake, None, repos=repos)
    fake.rejected_expand = frozenset({"evalResults"})  # the Hub drops one property
    fake.models[OLMO["id"]]["downloads"] += 1  # and the core fields still move
    later = NOW + timedelta(days=1)
    lock, summary = sync(fake, good, now=later, repos=repos)
    olmo, before = lock.models[OLMO["id"]], good.models[OLMO["id"]]
    assert olmo.error is None
    assert olmo.downloads == before.downloads + 1  # type: ignore[operator]
    assert olmo.downloads_all_time == before.downloads_all_time == OLMO["downloadsAllTime"]
    assert olmo.children == before.children
    assert olmo.children
    assert olmo.has_eval_results is before.has_eval_results is False
    assert olmo.context_length == 2048
    for repo in HEALTHY:  # nothing else changed: their entries are untouched
        assert lock.models[repo] == good.models[repo]
    assert summary.expand_refusals == len(repos)
    assert summary.kept["downloads_all_time"] == len(repos)
    text = summary.to_markdown()
    assert "refused the `expand` list 3 time(s)" in text
    assert "last good values kept: " in text
    assert "`downloads_all_time` (3)" in text


def test_one_400_falls_back_for_that_repo_only(fake: FakeHub) -> None:
    good, _ = sync(fake, None, repos=HEALTHY)
    for repo in HEALTHY:
        fake.models[repo]["downloadsAllTime"] += 7
    fake.faults["ok/one"] = Fault("400", times=1)  # one refusal of the full expand list
    lock, summary = sync(fake, good, now=NOW + timedelta(days=1), repos=HEALTHY)
    one, two = lock.models["ok/one"], lock.models["ok/two"]
    assert one.error is None
    assert one.downloads_all_time == good.models["ok/one"].downloads_all_time  # kept
    assert two.downloads_all_time == good.models["ok/two"].downloads_all_time + 7  # type: ignore[operator]
    assert summary.expand_refusals == 1
    assert summary.kept == {"children": 1, "downloads_all_time": 1, "has_eval_results": 1}
    expands = [r.query["expand"] for r in fake.requests("/api/models/ok/two")]
    assert expands[-1] == EXPAND  # the rest of the run still asks for everything


def test_a_gated_config_keeps_its_context_length_and_is_asked_again(fake: FakeHub) -> None:
    granted, _ = sync(fake, None, repos=[LLAMA["id"]], token=GRANTED)
    assert granted.models[LLAMA["id"]].context_length == 4096
    fake.models[LLAMA["id"]]["sha"] = "e" * 40  # a new commit: config.json must be read again
    downloads = fake.resolver_requests()
    anonymous, summary = sync(fake, granted, repos=[LLAMA["id"]])  # refused: 401 GatedRepo
    entry = anonymous.models[LLAMA["id"]]
    assert entry.context_length == 4096  # the known value stays
    assert entry.config_sha == LLAMA["sha"] != "e" * 40  # behind: asked again next time
    assert entry.sha == "e" * 40
    assert entry.error is None
    assert "gated" in summary.config_unread[0]
    again, _ = sync(fake, anonymous, repos=[LLAMA["id"]])
    assert again.models[LLAMA["id"]].context_length == 4096
    assert fake.resolver_requests() == downloads + 2  # retried on each sync
    later, _ = sync(fake, again, repos=[LLAMA["id"]], token=GRANTED)
    assert later.models[LLAMA["id"]].config_sha == "e" * 40
    assert fake.resolver_requests() == downloads + 3


def test_a_429_on_config_json_waits_on_the_download_limiter(fake: FakeHub) -> None:
    waits: list[float] = []
    fake.faults[f"resolve:{OLMO['id']}"] = Fault("429", times=1, headers={"Retry-After": "9"})
    config = HubConfig(
        endpoint=fake.url, timeout=2, retries=2, backoff=0.01, max_rate=None, sleep=waits.append
    )
    with HubClient(config) as client:
        lock, summary = sync_lock(
            client,
            [OLMO["id"], *HEALTHY],
            (),
            None,
            now=NOW,
            workers=1,
            progress=Progress(0, io.StringIO()),
        )
        assert client.resolver_limiter.waited >= 8  # (the sleeps are recorded, not slept)
        assert client.api_limiter.waited == 0  # API requests went on meanwhile
    assert lock.models[OLMO["id"]].context_length == 2048
    assert not summary.config_unread
    assert waits
    assert max(waits) == pytest.approx(9, abs=1)


# -- a mass failure: keep the last good lock, fail, say why ----------------------------------


def test_an_expired_token_keeps_the_lock_fails_and_writes_the_alert(
    fake: FakeHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repos = [*HEALTHY, OLMO["id"], LLAMA["id"]]
    monkeypatch.setenv("HF_TOKEN", GRANTED)
    assert run(cli_args(tmp_path), repos, {"olmo": ["allenai"]}) == 0
    lock_path = tmp_path / "catalog.lock.yaml"
    good = lock_path.read_bytes()

    monkeypatch.setenv("HF_TOKEN", "hf_expired_token")  # every request is now a 401
    paths = {name: tmp_path / f"{name}.md" for name in ("summary", "changelog", "alert")}
    code = run(
        cli_args(
            tmp_path, *(arg for name, path in paths.items() for arg in (f"--{name}", str(path)))
        ),
        repos,
        {"olmo": ["allenai"]},
    )
    assert code == 1
    assert lock_path.read_bytes() == good  # the last good lock, byte for byte
    alert = paths["alert"].read_text()
    assert alert.startswith("## Nightly Hub sync failed on ")
    assert "4 of 4 repos (100%) could not be fetched, more than the 20% allowed" in alert
    assert "HF_TOKEN is probably expired or revoked" in alert
    assert "hf_expired_token" not in alert + capsys.readouterr().out
    assert "left as it was" in paths["summary"].read_text()
    changelog = paths["changelog"].read_text()
    assert "failed" not in changelog
    assert "missing" not in changelog


def test_a_few_failures_write_the_lock_and_no_alert(fake: FakeHub, tmp_path: Path) -> None:
    alert = tmp_path / "alert.md"
    alert.write_text("left from an earlier night\n")
    fake.faults["flaky/server"] = Fault("503")  # 1 of 13 repos: under 20%
    changelog = tmp_path / "changelog.md"
    code = run(
        cli_args(tmp_path, "--alert", str(alert), "--changelog", str(changelog)), CATALOG, {}
    )
    assert code == 0
    assert not alert.exists()
    lock = load_lock(tmp_path / "catalog.lock.yaml")
    assert lock is not None
    assert lock.models["flaky/server"].error_kind == "http"
    text = changelog.read_text()
    assert text.startswith("## Hub sync 2")
    assert "failed" not in text


def test_the_share_is_configurable(fake: FakeHub, tmp_path: Path) -> None:
    for repo in ("flaky/server", "gone/deleted", "busy/limited"):  # 3 of 13: 23%
        fake.faults[repo] = Fault(FAULTS[repo].kind, headers=FAULTS[repo].headers)
    assert run(cli_args(tmp_path), CATALOG, {}) == 1
    assert not (tmp_path / "catalog.lock.yaml").exists()  # nothing good to keep: no lock
    assert run(cli_args(tmp_path, "--max-failed-share", "0.25"), CATALOG, {}) == 0
    assert (tmp_path / "catalog.lock.yaml").exists()
