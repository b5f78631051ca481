"""The build with Hub data: fresh statistics, stale markers and drift notices on the pages,
warnings from validate, and the Hub block of the JSON export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.catalog.lock import HubEntry, Lock, OrgEntry, write_lock
from tests.conftest import FIXTURES, BuiltSite, build_site, run_cli

NIGHT = dt.datetime(2026, 11, 20, 3, 17, tzinfo=dt.UTC)


def _lock() -> Lock:
    fresh = HubEntry(
        requested_id="open-lab/Open-7B",
        id="open-lab/Open-7B",
        fetched_at=NIGHT,
        downloads=123456,
        likes=789,
        gated=False,
        license="apache-2.0",
        license_tags=["apache-2.0"],
        pipeline_tag="text-generation",
        children={"finetune": 40, "quantized": 12, "adapter": 3},
    )
    failing = HubEntry(
        requested_id="open-lab/Open-7B-Instruct",
        id="open-lab/Open-7B-Instruct",
        fetched_at=NIGHT - dt.timedelta(days=30),
        downloads=555,
        likes=5,
        gated=False,
        error="HTTP 503 from the Hub after 3 retries",
        error_kind="http",
        error_since=NIGHT - dt.timedelta(days=12),
    )
    drifted = HubEntry(
        requested_id="big-corp/Big-70B",
        id="big-corp/Big-70B",
        fetched_at=NIGHT,
        downloads=42,
        likes=1,
        gated=False,
        license="mit",
        license_tags=["mit"],
    )
    renamed = HubEntry(
        requested_id="open-lab/Open-1B-Chat",
        id="open-lab/Open-1B-Chat-v2",
        renamed_to="open-lab/Open-1B-Chat-v2",
        fetched_at=NIGHT,
        downloads=7,
    )
    gone = HubEntry(
        requested_id="someone/Open-7B-Med",
        id="someone/Open-7B-Med",
        fetched_at=NIGHT - dt.timedelta(days=3),
        downloads=99,
        error="not found",
        error_kind="not_found",
        error_since=NIGHT,
    )
    entries = (fresh, failing, drifted, renamed, gone)
    return Lock(
        synced_at=NIGHT.date(),
        models={e.requested_id: e for e in entries},
        orgs={"open-lab": OrgEntry(fetched_at=NIGHT, candidates=["open-lab/Open-13B"])},
    )


@pytest.fixture(scope="module")
def lock_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lock") / "catalog.lock.yaml"
    write_lock(path, _lock())
    return path


@pytest.fixture(scope="module")
def synced_site(tmp_path_factory: pytest.TempPathFactory, lock_path: Path) -> BuiltSite:
    return build_site(tmp_path_factory.mktemp("synced"), FIXTURES / "catalog.yaml", lock_path)


def test_family_page_shows_fresh_statistics(synced_site: BuiltSite) -> None:
    assert synced_site.result.code == 0, synced_site.result.err
    page = (synced_site.site / "families/open-family/index.html").read_text()
    assert "123,456" in page
    assert "2026-11-20" in page  # the day the Hub last confirmed the data
    assert "55 on the Hub (adapter 3, finetune 40, quantized 12)" in page
    assert "renamed on the Hub to open&#45;lab/Open&#45;1B&#45;Chat&#45;v2" not in page
    assert "renamed on the Hub to open-lab/Open-1B-Chat-v2: update the id" in page
    assert "the Hub no longer shows this repo" in page


def test_failed_entry_keeps_its_data_and_is_marked_stale(synced_site: BuiltSite) -> None:
    page = (synced_site.site / "families/open-family/index.html").read_text()
    row = page.split('href="../../models/open-lab/Open-7B-Instruct/"', 1)[1].split("</tr>", 1)[0]
    assert "555" in row
    assert 'class="oma-stale"' in row
    assert "HTTP 503" in row
    assert "2026-11-08" in row  # last confirmed: when the failures began
    model = (synced_site.site / "models/open-lab/Open-7B-Instruct/index.html").read_text()
    hub = model.split('class="oma-hub', 1)[1].split("</p>", 1)[0]
    assert "555" in hub
    assert "as of 2026-11-08" in hub
    assert 'class="oma-stale"' in hub


def test_drift_is_shown_on_the_page_and_warned_by_validate(
    synced_site: BuiltSite, lock_path: Path
) -> None:
    page = (synced_site.site / "families/weights-only/index.html").read_text()
    assert "The Hub disagrees with this catalog" in page
    assert "the Hub says mit" in page
    assert "gating: the catalog says access approval by a person; the Hub says not gated" in page
    result = run_cli(
        "validate", "--catalog", str(FIXTURES / "catalog.yaml"), "--lock", str(lock_path)
    )
    assert result.code == 0  # drift is a warning: the catalog itself is valid
    assert "warning: families[1].models[0].id: Hub drift: license:" in result.err


def test_json_export_carries_hub_data(synced_site: BuiltSite) -> None:
    doc = json.loads((synced_site.site / "api/catalog.json").read_text())
    assert doc["generated_at"] == "2026-11-20T03:17:00Z"
    first = doc["models"][0]
    assert first["hub"]["downloads"] == 123456
    assert first["hub"]["stale"] is False
    stale = next(m for m in doc["models"] if m["id"] == "open-lab/Open-7B-Instruct")
    assert stale["hub"]["stale"] is True


def test_family_pages_stay_under_budget_once_synced(tmp_path: Path) -> None:
    """The 100 KB page budget must hold with Hub data on every row, not only before a sync."""
    from generator.catalog import validate as catalog_mod
    from tests.conftest import ROOT

    catalog = catalog_mod.load(ROOT / "catalog.yaml").catalog
    assert catalog is not None
    entries = {}
    for _family, entry in catalog_mod.all_entries(catalog):
        entries[entry.id] = HubEntry(
            requested_id=entry.id,
            id=entry.id,
            fetched_at=NIGHT,
            downloads=12_345_678,
            likes=12_345,
            gated="manual",
            pipeline_tag="text-generation",
            error="HTTP 503 from the Hub after 3 retries",
            error_kind="http",
            error_since=NIGHT,
            children={"adapter": 1234, "finetune": 1234, "merge": 123, "quantized": 1234},
        )
    lock = tmp_path / "catalog.lock.yaml"
    write_lock(lock, Lock(synced_at=NIGHT.date(), models=entries))
    built = build_site(tmp_path, ROOT / "catalog.yaml", lock)
    assert built.result.code == 0, built.result.err
    sizes = {
        p.parent.name: p.stat().st_size for p in (built.site / "families").glob("*/index.html")
    }
    assert max(sizes.values()) < 100_000, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]
