"""A real `mkdocs build --strict` of the fixture catalog and of the published catalog."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import BuiltSite


def test_fixture_site_builds_strict(fixture_site: BuiltSite) -> None:
    assert fixture_site.result.code == 0, fixture_site.result.err
    site = fixture_site.site
    for page in (
        "index.html",
        "families/index.html",
        "families/open-family/index.html",
        "families/weights-only/index.html",
        "scorecards/index.html",
        "methodology/index.html",
        "about/index.html",
        "api/catalog.json",
        "api/catalog.csv",
        "badges/open-lab/Open-7B.svg",
    ):
        assert (site / page).is_file(), page
    family = (site / "families/open-family/index.html").read_text()
    assert "&lt;script&gt;alert" in family
    assert "<script>alert" not in family
    assert "✓ Open source" in family
    assert 'id="m-open-lab-open-7b"' in family
    matrix = (site / "scorecards/index.html").read_text()
    assert matrix.count("<tr data-family=") == 6
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


def test_published_family_pages_stay_under_the_weight_budget(real_site: BuiltSite) -> None:
    for page in (real_site.site / "families").glob("*/index.html"):
        assert page.stat().st_size < 100_000, f"{page} is {page.stat().st_size} bytes"


def test_site_url_is_read_from_the_parsed_mkdocs_yml(tmp_path: Path) -> None:
    from generator.pipeline import site_url

    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: X\nsite_url: 'https://example.org/atlas'  # a comment\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
    )
    assert site_url(config) == "https://example.org/atlas/"
    config.write_text("site_name: X\n")
    assert site_url(config) == ""


def test_every_model_has_a_page_that_family_pages_and_badges_link_to(
    fixture_site: BuiltSite,
) -> None:
    site = fixture_site.site
    doc = json.loads((site / "api/catalog.json").read_text())
    family = (site / "families/open-family/index.html").read_text()
    for record in doc["models"]:
        page = site / "models" / record["id"] / "index.html"
        assert page.is_file(), record["id"]
        html = page.read_text()
        assert html.index('class="oma-verdict') < html.index('<h2 id="the-six-criteria"'), (
            "verdict first"
        )
        assert f"models/{record['id']}/)" in html  # the badge snippet links this page
        assert f"<title>{record['name']} - " in html
        compare = json.loads((site / "api/models" / f"{record['id']}.json").read_text())
        assert compare["criteria"] == record["criteria"]
        if record["family"] == "open-family":
            assert f'href="../../models/{record["id"]}/"' in family
    assert (site / "compare/index.html").is_file()


def test_each_page_has_its_own_title_and_description(fixture_site: BuiltSite) -> None:
    import re

    seen: dict[str, str] = {}
    for path in fixture_site.site.rglob("index.html"):
        html = path.read_text()
        match = re.search(r'<meta name="description" content="([^"]*)"', html)
        if match is None or "404" in str(path):
            continue
        seen.setdefault(match.group(1), str(path))
    pages = [p for p in fixture_site.site.rglob("index.html") if "404" not in str(p)]
    assert len(seen) == len(pages), "a meta description of its own on every page"


def test_the_footer_says_the_data_license_and_how_to_report_an_error(
    fixture_site: BuiltSite,
) -> None:
    html = (fixture_site.site / "index.html").read_text()
    footer = html.split('class="md-copyright"', 1)[1]
    assert "CC BY 4.0" in footer
    assert "issues/new?template=correct-a-fact.yml" in footer
    assert 'class="oma-asof"' in (fixture_site.site / "scorecards/index.html").read_text()


def test_model_pages_show_other_indexes_verdicts_beside_ours(real_site: BuiltSite) -> None:
    page = (real_site.site / "models/allenai/OLMo-7B/index.html").read_text()
    section = page.split('id="beside-our-verdict"', 1)[1].split('id="badge-and-citation"', 1)[0]
    assert "Model Openness Tool" in section
    assert "pretraining data" in section
    assert "never set them" in section
