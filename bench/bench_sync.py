"""`make bench-sync`: the sync against a fake Hub with 50 ms latency per request and 1,000
models, concurrent vs sequential.

The fake serves the real API's shapes (tests/fakehub.py): the API's `config` never carries
the context length, so config.json is read through the resolver; 10% of the repos are gated
and refuse config.json to the anonymous sync (401 `GatedRepo`), as on the real Hub, so the
sync asks them again every night.

Three runs of `generator.hub.sync.sync_lock` over real HTTP on 127.0.0.1:

1. cold, concurrent: no lock yet, so config.json is read through the resolver for every repo;
2. warm, concurrent: the nightly case, the lock exists and no commit moved, so the API
   requests remain, plus one config.json request per gated repo;
3. warm, sequential (--workers 1): the baseline for the speed ratio.

No request-rate ceiling is set (--max-rate 0): against the real Hub the ceiling, not
latency, bounds an anonymous run (1,000 models at 1.5 requests/s take ~11 minutes).
Targets (issue 3): <= 1.05 API requests per model, >= 8x faster than sequential; and
(issue 13) a warm night downloads config.json only for the gated repos.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakehub import FakeHub, synthetic_config, synthetic_model

MODELS = 1000
ORGS = 10
GATED_EVERY = 10  # one repo in ten is gated ("manual")
LATENCY = 0.05
WORKERS = 16
TARGET_REQUESTS_PER_MODEL = 1.05
TARGET_SPEEDUP = 8.0


@dataclass
class Run:
    name: str
    seconds: float
    api: int
    resolver: int
    failed: int

    def line(self) -> str:
        return (
            f"{self.name:<24} {self.seconds:7.2f} s  {self.api / MODELS:5.3f} API requests/model"
            f"  {self.resolver / MODELS:5.3f} file downloads/model  {self.failed} failed"
        )


def build_hub() -> FakeHub:
    models, configs = {}, {}
    for i in range(MODELS):
        repo = f"org{i % ORGS}/model-{i:04d}"
        payload = synthetic_model(repo, i)
        if i % GATED_EVERY == 0:
            payload["gated"] = "manual"
        models[repo] = payload
        configs[repo] = synthetic_config(i)
    return FakeHub(models, configs=configs, latency=LATENCY)


def main() -> int:
    with build_hub() as hub, tempfile.TemporaryDirectory() as home:
        # HF_ENDPOINT and HF_HOME are read when huggingface_hub is imported: set them first.
        os.environ.update({"HF_ENDPOINT": hub.url, "HF_HOME": home})
        os.environ.pop("HF_TOKEN", None)
        from generator.catalog.lock import Lock
        from generator.hub.client import HubClient, HubConfig
        from generator.hub.sync import Progress, sync_lock

        repos = sorted(hub.models)
        orgs = [f"org{i}" for i in range(ORGS)]

        def timed(name: str, old: Lock | None, workers: int) -> tuple[Run, Lock]:
            api, resolver = hub.api_requests(), hub.resolver_requests()
            config = HubConfig(endpoint=hub.url, timeout=10, max_rate=None)
            started = time.monotonic()
            with HubClient(config) as client:
                lock, summary = sync_lock(
                    client,
                    repos,
                    orgs,
                    old,
                    now=datetime.now(UTC).replace(microsecond=0),
                    workers=workers,
                    progress=Progress(0, io.StringIO()),
                )
            run = Run(
                name,
                time.monotonic() - started,
                hub.api_requests() - api,
                hub.resolver_requests() - resolver,
                len(summary.failed),
            )
            print(run.line(), flush=True)
            return run, lock

        print(
            f"fake Hub: {MODELS} models in {ORGS} organizations, {LATENCY * 1000:.0f} ms "
            f"per request; concurrent = {WORKERS} workers"
        )
        _, lock = timed("cold, concurrent", None, WORKERS)
        warm, _ = timed("warm, concurrent", lock, WORKERS)
        sequential, _ = timed("warm, sequential", lock, 1)

    ratio = sequential.seconds / warm.seconds
    per_model = warm.api / MODELS
    gated = MODELS // GATED_EVERY
    print(f"\nspeed-up vs sequential: {ratio:.1f}x (target >= {TARGET_SPEEDUP:g}x)")
    print(
        f"API requests per model: {per_model:.3f} (target <= {TARGET_REQUESTS_PER_MODEL}; "
        f"{ORGS} organization listings included)"
    )
    print(
        f"config.json downloads on a warm night: {warm.resolver} (target: the {gated} gated "
        "repos, asked again until a token with access reads them)"
    )
    ok = (
        ratio >= TARGET_SPEEDUP
        and per_model <= TARGET_REQUESTS_PER_MODEL
        and warm.resolver == gated
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
