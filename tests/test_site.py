"""A real `mkdocs build --strict` of the fixture catalog and of the published catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import BuiltSite


def test_fixture_site_builds_strict(fixture_site: BuiltSite) -> None:
    assert fixture_site.result.code == 0, fixture_site.result.err
    site = fixture_site.site
    for page in ("index.html", "families/index.html", "families/open-family/index.html",
                 "families/weights-only/index.html", "scorecards/index.html",
                 "methodology/index.html", "about/index.html", "api/catalog.json",
                 "api/catalog.csv", "badges/open-lab/Open-7B.svg"):
        assert (site / page).is_file(), page
    family = (site / "families/open-family/index.html").read_text()
    assert "&lt;script&gt;alert" in family
    assert "<script>alert" not in family
    assert "✓ Open source" in family
    assert 'id="m-open-lab-open-7b"' in family
    matrix = (site / "scorecards/index.html").read_text()
    assert matrix.count('<tr data-family=') == 6
    doc = json.loads((site / "api/catalog.json").read_text())
    assert [m["id"] for m in doc["models"]][:2] == ["open-lab/Open-7B", "open-lab/Open-7B-Instruct"]


def test_nav_does_not_list_every_family(fixture_site: BuiltSite) -> None:
    home = (fixture_site.site / "index.html").read_text()
    nav = home.split('aria-label="Navigation"', 1)[1].split('aria-label="Table of contents"', 1)[0]
    assert "open-family" not in nav


def test_published_site_builds(real_site: BuiltSite) -> None:
    assert real_site.result.code == 0, real_site.result.err
    site = real_site.site
    for family in ("llama-2", "mistral", "falcon", "olmo"):
        assert (site / "families" / family / "index.html").is_file(), family
    doc = json.loads((site / "api/catalog.json").read_text())
    by_id = {m["id"]: m for m in doc["models"]}
    assert by_id["allenai/OLMo-7B"]["open_source"] is True
    assert by_id["meta-llama/Llama-2-7b-hf"]["open_source"] is False
    assert by_id["mistralai/Mixtral-8x7B-v0.1"]["open_source"] is False


@pytest.mark.xfail(reason="TEMPORARY: issue 12 moves per-model detail to model pages; remove this mark then", strict=False)
def test_published_family_pages_stay_under_the_weight_budget(real_site: BuiltSite) -> None:
    for page in (real_site.site / "families").glob("*/index.html"):
        assert page.stat().st_size < 100_000, f"{page} is {page.stat().st_size} bytes"


def test_site_url_is_read_from_the_parsed_mkdocs_yml(tmp_path: Path) -> None:
    from generator.pipeline import site_url

    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: X\nsite_url: 'https://example.org/atlas'  # a comment\n"
                      "markdown_extensions:\n  - pymdownx.emoji:\n"
                      "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n")
    assert site_url(config) == "https://example.org/atlas/"
    config.write_text("site_name: X\n")
    assert site_url(config) == ""
