"""`python -m generator radar` against a fake Hub on 127.0.0.1: a tracked organization's new
release is listed with its Hub facts (parameters from safetensors, context from config.json
through the resolver), and its quantizations, adapters, old and unnoticed repos are skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, Result, run_cli
from tests.fakehub import FakeHub, Fault, loopback_only, synthetic_model

CATALOG = FIXTURES / "catalog.yaml"
NEW = "open-lab/Open-30B-Instruct"  # open-lab is a hub_org of the fixture catalog
CREATED = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def model(repo_id: str, index: int, **fields: Any) -> dict[str, Any]:
    payload = synthetic_model(repo_id, index, created=CREATED)
    payload["config"] = {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
    payload.update(fields)
    return payload


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    loopback_only(monkeypatch)
    models = {
        NEW: model(
            NEW,
            1,
            downloads=40,
            likes=310,
            trendingScore=55,
            safetensors={"parameters": {"BF16": 30_532_122_624}, "total": 30_532_122_624},
            tags=[
                "transformers",
                "safetensors",
                "license:apache-2.0",
                "base_model:open-lab/Open-7B",
                "base_model:finetune:open-lab/Open-7B",
            ],
            cardData={"license": "apache-2.0", "base_model": "open-lab/Open-7B"},
        ),
        "open-lab/Open-30B-Instruct-GGUF": model(
            "open-lab/Open-30B-Instruct-GGUF", 2, likes=400, tags=["gguf"]
        ),
        "open-lab/Open-30B-Instruct-AWQ": model("open-lab/Open-30B-Instruct-AWQ", 3, likes=90),
        "open-lab/Open-30B-lora": model("open-lab/Open-30B-lora", 4, likes=90, library_name="peft"),
        "open-lab/Open-30B-Quant": model(
            "open-lab/Open-30B-Quant",
            5,
            likes=90,
            tags=["base_model:quantized:open-lab/Open-30B-Instruct"],
        ),
        "open-lab/tiny-experiment": model(
            "open-lab/tiny-experiment", 6, downloads=3, likes=1, trendingScore=0
        ),
        "open-lab/Open-Old": model(
            "open-lab/Open-Old", 7, likes=500, createdAt="2025-01-01T00:00:00.000Z"
        ),
        "open-lab/Open-7B": model("open-lab/Open-7B", 8, likes=999),  # already in the catalog
        "big-corp/Big-Next": model("big-corp/Big-Next", 9, downloads=5000, likes=2, gated="manual"),
    }
    configs = {NEW: {"max_position_embeddings": 131072, "model_type": "llama"}}
    with FakeHub(models, configs=configs) as fake:
        yield fake


def radar(hub: FakeHub, tmp_path: Path, *extra: str) -> Result:
    env = {
        "HF_ENDPOINT": hub.url,
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_TOKEN": "",
        "HF_HUB_OFFLINE": "0",
    }
    return run_cli(
        "radar",
        "--catalog",
        str(CATALOG),
        "--lock",
        str(tmp_path / "no.lock"),
        "--since",
        "2026-11-01",
        "--timeout",
        "2",
        "--retries",
        "0",
        *extra,
        env=env,
        timeout=60,
    )


def test_radar_lists_a_new_release_with_its_hub_facts_and_skips_copies(
    hub: FakeHub, tmp_path: Path
) -> None:
    result = radar(hub, tmp_path, "--format", "json")
    assert result.code == 0, result.err
    found = {r["id"]: r for r in json.loads(result.out)}
    assert set(found) == {NEW, "big-corp/Big-Next"}  # copies, old, unnoticed, known: skipped
    new = found[NEW]
    assert new["org"] == "open-lab"
    assert new["created"] == "2026-11-25T08:00:00Z"
    assert (new["downloads"], new["likes"]) == (40, 310)  # notable by likes, not downloads
    assert new["params_b"] == 30.532  # the safetensors total, not the name's "30B"
    assert new["context_length"] == 131072  # from config.json through the resolver
    assert new["license"] == "apache-2.0"
    assert new["base_model"] == "open-lab/Open-7B"
    listing = [r for r in hub.log if r.path == "/api/models"]
    assert len(listing) == 2  # one listing request per organization
    assert all(r.query["sort"] == ["createdAt"] for r in listing)


def test_radar_text_gives_a_catalog_stub_with_every_component_unknown(
    hub: FakeHub, tmp_path: Path
) -> None:
    result = radar(hub, tmp_path)
    assert result.code == 0, result.err
    assert "2 new release(s) since 2026-11-01" in result.out
    block = result.out.split(f"## [{NEW}]", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    stub = yaml.safe_load(block)[0]
    assert stub["id"] == NEW
    assert stub["params_b"] == 30.532
    assert stub["context_length"] == 131072
    assert stub["released"] == "2026-11-25"
    assert stub["base"] == "open-lab/Open-7B"
    assert set(stub["openness"]) >= {"pretraining_data", "weights", "training_logs"}
    assert {a["status"] for a in stub["openness"].values()} == {"unknown"}


def test_a_stricter_rule_and_a_later_since_list_fewer(hub: FakeHub, tmp_path: Path) -> None:
    result = radar(
        hub,
        tmp_path,
        "--format",
        "json",
        "--min-downloads",
        "100000",
        "--min-likes",
        "1000",
        "--min-trending",
        "1000",
    )
    assert result.code == 0, result.err
    assert json.loads(result.out) == []


def test_a_failing_organization_is_reported_and_the_others_still_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback_only(monkeypatch)
    models = {NEW: model(NEW, 1, likes=300)}
    with FakeHub(models, faults={"author:big-corp": Fault("500")}) as fake:
        result = radar(fake, tmp_path, "--format", "json")
    assert result.code == 0, result.err
    assert [r["id"] for r in json.loads(result.out)] == [NEW]
    assert "radar: listing failed: big-corp" in result.err


def test_the_nightly_keeps_one_radar_issue_created_edited_and_closed_when_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """scripts/radar_issue.sh (the nightly's `radar` job) against the fake Hub and a fake gh."""
    import os
    import shutil
    import subprocess
    import sys
    from datetime import timedelta

    from tests import fakegh
    from tests.conftest import ROOT

    loopback_only(monkeypatch)
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(CATALOG, repo / "catalog.yaml")
    gh_bin = tmp_path / "gh"
    fakegh.install(gh_bin, {})
    fresh = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    models = {
        NEW: {**model(NEW, 1, likes=300), "createdAt": fresh.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
    }

    def night(fake: FakeHub) -> str:
        env = fakegh.env(
            gh_bin,
            {
                **os.environ,
                "HF_ENDPOINT": fake.url,
                "HF_TOKEN": "",
                "HF_HOME": str(tmp_path / "hf-home"),
                "REPOSITORY": "o/r",
                "PATH": os.pathsep.join(
                    [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
                ),
            },
        )
        proc = subprocess.run(
            ["bash", str(ROOT / "scripts" / "radar_issue.sh"), "90"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    with FakeHub(models) as fake:
        assert "opened the issue: 1 release(s)" in night(fake)
        assert "updated issue #1: 1 release(s)" in night(fake)  # edited in place, not twice
    issues = fakegh.read_state(gh_bin)["issues"]
    assert [(i["title"], i["state"]) for i in issues] == [("New releases to catalog", "OPEN")]
    assert NEW in issues[0]["body"]
    # The release gets catalogued: the list is empty, so the issue closes itself.
    text = (repo / "catalog.yaml").read_text()
    text = text.replace(
        "      - id: open-lab/Open-7B\n",
        f"      - id: {NEW}\n        name: New\n"
        "        kind: instruct\n        released: unknown\n        params_b: 30\n"
        "        context_length: unknown\n        sources: [https://example.org/n]\n"
        "      - id: open-lab/Open-7B\n",
        1,
    )
    (repo / "catalog.yaml").write_text(text)
    with FakeHub(models) as fake:
        assert "closed issue #1: nothing new to catalog" in night(fake)
    assert fakegh.read_state(gh_bin)["issues"][0]["state"] == "CLOSED"
