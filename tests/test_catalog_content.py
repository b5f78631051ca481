"""The published catalog: breadth, consistency and the lesson's own facts."""

from __future__ import annotations

import json

import pytest

from generator.catalog import validate as catalog_mod
from generator.catalog.schema import Architecture, Catalog, Derivative
from tests.conftest import ROOT, BuiltSite


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    loaded = catalog_mod.load(ROOT / "catalog.yaml")
    assert loaded.catalog is not None, "\n".join(str(p) for p in loaded.errors)
    return loaded.catalog


def test_catalog_validates_without_warnings(catalog: Catalog) -> None:
    loaded = catalog_mod.load(ROOT / "catalog.yaml")
    assert [str(p) for p in loaded.problems] == []


def test_breadth(catalog: Catalog) -> None:
    entries = catalog_mod.all_entries(catalog)
    assert len(catalog.families) >= 30
    assert len(entries) >= 150


def test_every_model_has_a_date_and_a_size_or_an_explicit_unknown() -> None:
    import yaml

    raw = yaml.safe_load((ROOT / "catalog.yaml").read_text(encoding="utf-8"))
    for family in raw["families"]:
        for entry in family["models"] + family.get("derivatives", []):
            assert "released" in entry, entry["id"]
            assert "params_b" in entry, entry["id"]


def test_repo_ids_are_unique_ignoring_case(catalog: Catalog) -> None:
    ids = [e.id.lower() for _f, e in catalog_mod.all_entries(catalog)]
    assert len(ids) == len(set(ids))


def test_the_lessons_families_and_fine_tunes(catalog: Catalog) -> None:
    by_id = {e.id: e for _f, e in catalog_mod.all_entries(catalog)}
    families = {f.id for f in catalog.families}
    assert {"llama-2", "mistral", "falcon", "olmo"} <= families
    lesson_tunes = {
        "elyza/ELYZA-japanese-Llama-2-7b": "language",
        "TencentARC/LLaMA-Pro-8B": None,
        "BioMistral/BioMistral-7B": "medical",
        "nvidia/OpenMath-Mistral-7B-v0.1-hf": "math",
        "OpenAssistant/falcon-40b-sft-top1-560": None,
        "nomic-ai/gpt4all-falcon": None,
    }
    for repo, domain in lesson_tunes.items():
        entry = by_id[repo]
        assert isinstance(entry, Derivative), repo
        if domain:
            assert entry.domain.value == domain, repo
    # The lesson credits "Mistral" with mixture-of-experts: only Mixtral is one.
    assert by_id["mistralai/Mistral-7B-v0.1"].architecture == Architecture.DENSE
    assert by_id["mistralai/Mixtral-8x7B-v0.1"].architecture == Architecture.MOE


def test_every_family_page_is_built(real_site: BuiltSite, catalog: Catalog) -> None:
    assert real_site.result.code == 0, real_site.result.err
    for family in catalog.families:
        page = real_site.site / "families" / family.id / "index.html"
        assert page.is_file(), family.id
        assert family.name.split()[0] in page.read_text(encoding="utf-8")
    doc = json.loads((real_site.site / "api/catalog.json").read_text())
    assert len(doc["models"]) == len(catalog_mod.all_entries(catalog))


def test_coverage_report(catalog: Catalog) -> None:
    from generator.score.report import coverage

    text = coverage(catalog)
    assert "| olmo | " in text
    assert "distinct evidence URLs" in text
    assert "- evidence URLs on aggregator sites: 0\n" in text
    assert "- fact sources on aggregator sites: 0 of" in text
    assert "- rule violations (validate errors and warnings): 0" in text


def test_coverage_lists_entries_unchecked_for_a_year(catalog: Catalog) -> None:
    import datetime as dt

    from generator.score.report import coverage

    checked = [e.checked for _f, e in catalog_mod.all_entries(catalog) if e.checked]
    later = max(checked) + dt.timedelta(days=400)
    text = coverage(catalog, today=later)
    line = next(x for x in text.splitlines() if x.startswith("- last checked more than 12"))
    assert f": {len(checked)} (" in line  # every checked entry is now over a year old
