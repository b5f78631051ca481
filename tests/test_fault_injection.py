"""Fault injection: the sync against the fake Hub with every fault of the sync tests, at
random over many models and several nights (seeded, so a failure can be replayed with the
same `FAULT_SEED`), asserting that no entry is ever lost and every run ends in bounded time.

The faults come from a small subclass of the fake Hub (`ChaosHub`): it decides each request's
fate from (seed, night, request key, attempt), so the faults are the same whatever order the
sync's threads ask in. Each night mixes answers that fail every attempt, answers that fail
once (a retry gets through), slow answers, and changed Hub data.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest

from generator.catalog.lock import Lock, load_lock
from generator.hub.sync import run
from tests.fakehub import FakeHub, Fault, point_hub_at, synthetic_model
from tests.test_sync import cli_args

SEED = int(os.environ.get("FAULT_SEED", "14"))
MODELS = 240
ORGS = 6
NIGHTS = 4
NIGHT_SECONDS = 45.0  # the bound: timeout 0.3 s x 2 attempts per request, 16 workers
# Every fault the sync tests use (tests/test_sync.py), plus the fake's others.
FAULT_KINDS = [
    Fault("404"),
    Fault("401"),
    Fault("hang"),
    Fault("503"),
    Fault("500"),
    Fault("502"),
    Fault("reset"),
    Fault("malformed"),
    Fault("truncated"),
    Fault("short"),
    Fault("429", headers={"Retry-After": "0"}),
    Fault("429", headers={"Retry-After": "3600"}),  # --max-wait caps what the Hub asks
    Fault("badtoken"),
]
P_PERSISTENT = 0.25  # a key fails every attempt tonight
P_TRANSIENT = 0.15  # a key fails its first attempt only


def _roll(*parts: object) -> float:
    digest = hashlib.sha256(":".join(map(str, (SEED, *parts))).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class ChaosHub(FakeHub):
    """The fake Hub, answering each request key with a fault chosen by a seeded roll."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.night = 0
        self.attempts: dict[str, int] = {}
        self.injected: dict[str, str] = {}  # key -> the fault it got tonight (persistent)
        self.hit: set[str] = set()  # every key that got any fault tonight
        self.refused: set[str] = set()  # resolver keys answered 401/404 on any night
        self._chaos = threading.Lock()

    def begin(self, night: int) -> None:
        with self._chaos:
            self.night, self.attempts, self.injected, self.hit = night, {}, {}, set()

    def take_fault(self, key: str) -> Fault | None:
        if key == "agent-harnesses":
            return None
        with self._chaos:
            attempt = self.attempts.get(key, 0)
            self.attempts[key] = attempt + 1
        roll = _roll(self.night, key)
        fault = FAULT_KINDS[int(_roll(self.night, key, "kind") * len(FAULT_KINDS))]
        if roll < P_PERSISTENT + P_TRANSIENT and fault.kind in ("401", "404", "badtoken"):
            with self._chaos:
                self.refused.add(key)
        if roll < P_PERSISTENT:
            with self._chaos:
                self.injected[key] = fault.kind
                self.hit.add(key)
            return fault
        if roll < P_PERSISTENT + P_TRANSIENT and attempt == 0:
            with self._chaos:
                self.hit.add(key)  # a 404 or a bad token is not retried: it fails tonight
            return fault
        return None


def repos() -> list[str]:
    return [f"org{i % ORGS}/model-{i:03d}" for i in range(MODELS)]


@pytest.fixture
def chaos(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ChaosHub:
    hub = ChaosHub(
        {r: synthetic_model(r, i) for i, r in enumerate(repos())},
        configs={r: {"max_position_embeddings": 4096} for r in repos()},
    )
    for model in hub.models.values():
        model["config"] = {"model_type": "llama"}  # context length from config.json
    return hub


def _args(tmp_path: Path) -> object:
    # --max-failed-share 1: every night writes its merge (the mass-failure rule, which keeps
    # the old lock whole, has its own tests); what is checked here is the merge itself.
    args = cli_args(
        tmp_path,
        "--workers",
        "16",
        "--timeout",
        "0.3",
        "--max-wait",
        "0.2",
        "--max-failed-share",
        "1",
    )
    return args


def check_nothing_lost(before: Lock, after: Lock, hub: ChaosHub, wanted: list[str]) -> int:
    """Every wanted entry is there; one that had data still has it: the fresh data when its
    request got through, else exactly the data it had. Returns how many entries failed."""
    assert sorted(after.models) == sorted(wanted)
    failed = 0
    for repo in wanted:
        old, new = before.models.get(repo), after.models[repo]
        if new.error is not None:
            failed += 1
            assert repo in hub.hit, f"{repo} failed without a fault"
            if old is not None and old.fetched_at is not None:
                assert new.data() == old.data(), f"{repo}: its last good data changed"
                assert new.fetched_at == old.fetched_at
        else:
            assert new.fetched_at is not None, repo
            assert new.downloads == hub.models[repo]["downloads"], repo  # fresh data
    return failed


def test_random_faults_over_many_models_lose_nothing(
    chaos: ChaosHub,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wanted = repos()
    orgs = {f"family-{i}": [f"org{i}"] for i in range(ORGS)}
    lock_path = tmp_path / "catalog.lock.yaml"
    figures = {"requests": 0, "faults": 0, "failed entries": 0, "lost": 0}
    with chaos:
        point_hub_at(chaos, monkeypatch, tmp_path / "hf-home")
        previous = Lock()
        for night in range(NIGHTS):
            chaos.begin(night)
            for i, repo in enumerate(wanted):  # the Hub moves on between nights
                if _roll(night, repo, "change") < 0.3:
                    chaos.models[repo]["downloads"] += 1 + i
            started = time.monotonic()
            assert run(_args(tmp_path), wanted, orgs) == 0  # type: ignore[arg-type]
            seconds = time.monotonic() - started
            assert seconds < NIGHT_SECONDS, f"night {night} took {seconds:.1f} s"
            lock = load_lock(lock_path)
            assert lock is not None
            failed = check_nothing_lost(previous, lock, chaos, wanted)
            figures["failed entries"] += failed
            figures["faults"] += len(chaos.injected)
            figures["requests"] += sum(chaos.attempts.values())
            kept = [
                r
                for r in wanted
                if previous.models.get(r) is not None and previous.models[r].fetched_at is not None
            ]
            figures["lost"] += sum(1 for r in kept if lock.models[r].fetched_at is None)
            figures["lost"] += sum(
                1
                for r in kept
                if previous.models[r].context_length and lock.models[r].context_length is None
            )
            previous = lock
            print(
                f"night {night}: {seconds:.1f} s, {failed} of {MODELS} entries failed, "
                f"{len(chaos.injected)} keys faulted"
            )
        # Last, a calm night: every entry recovers and nothing of it was lost on the way.
        chaos.begin(NIGHTS)
        monkeypatch.setattr(ChaosHub, "take_fault", lambda self, key: None)
        assert run(_args(tmp_path), wanted, orgs) == 0  # type: ignore[arg-type]
    final = load_lock(lock_path)
    assert final is not None
    assert all(e.error is None and e.fetched_at is not None for e in final.models.values())
    # A config.json the resolver refused (401, 404, a bad token: "not readable") is not asked
    # for again until the commit changes; every other entry has its context length.
    refused = {key.removeprefix("resolve:") for key in chaos.refused}
    assert {r for r, e in final.models.items() if e.context_length != 4096} <= refused
    assert figures["lost"] == 0
    assert figures["faults"] > NIGHTS * MODELS * P_PERSISTENT / 2  # the faults really happened
    out = capsys.readouterr().out
    with capsys.disabled():
        print(
            f"\nfault injection (seed {SEED}): {NIGHTS} nights x {MODELS} models, "
            f"{figures['requests']} requests, {figures['faults']} keys faulted, "
            f"{figures['failed entries']} failed entries kept their data, "
            f"{figures['lost']} entries lost"
        )
    assert "Traceback" not in out
