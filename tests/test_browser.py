"""What a reader clicks, in a real headless Chromium (Debian's; Playwright downloads nothing).

Screenshots of the key pages are saved under test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-artifacts" / "screenshots"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _visible_rows(page: Any) -> list[Any]:
    return page.locator("#oma-matrix tbody tr:not([hidden])").all()


def test_home_to_family_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    _shot(page, "home")
    page.locator("#oma-families a", has_text="OLMo").first.click()
    page.wait_for_url("**/families/olmo/")
    assert page.locator("h1").inner_text().strip().rstrip("¶") == "OLMo"
    assert page.get_by_text("✓ Open source").first.is_visible()
    _shot(page, "family-olmo")


def test_sort_the_matrix(page: Any, base_url: str) -> None:
    page.goto(base_url + "/scorecards/")
    header = page.locator("#oma-matrix thead th", has_text="Parameters")
    column = page.locator("#oma-matrix thead th").all_inner_texts().index("Parameters")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    sizes = [
        float(v)
        for v in page.locator(f"#oma-matrix tbody tr td:nth-child({column + 1})").evaluate_all(
            "cells => cells.map(c => c.dataset.sort)"
        )
    ]
    assert sizes == sorted(sizes)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    first = page.locator("#oma-matrix tbody tr").first.locator("td").nth(column)
    assert float(first.get_attribute("data-sort")) == max(sizes)
    assert f"sort={column}-desc" in page.url


def test_filter_the_matrix_and_share_the_view(page: Any, base_url: str) -> None:
    page.goto(base_url + "/scorecards/")
    total = page.locator("#oma-matrix tbody tr").count()
    page.locator("details[data-filter=class] summary").click()
    page.locator("input[name=class][value=osi]").check()
    page.select_option("select[name=datasets]", "open")
    rows = _visible_rows(page)
    assert 0 < len(rows) < total
    for row in rows:
        assert row.get_attribute("data-lclass") == "osi"
        assert "oma-open" in row.locator("td").nth(1).get_attribute("class")
    assert "class=osi" in page.url
    assert "datasets=open" in page.url
    assert page.locator(".oma-count").inner_text() == f"Showing {len(rows)} of {total} models"
    _shot(page, "scorecards-filtered")
    shared = page.url
    page.goto(base_url + "/")
    page.goto(shared)
    assert len(_visible_rows(page)) == len(rows)
    assert page.locator("input[name=class][value=osi]").is_checked()


def test_a_shared_url_opens_the_filtered_view(page: Any, base_url: str) -> None:
    page.goto(base_url + "/scorecards/?family=olmo&verdict=open-source&min-params=5")
    rows = _visible_rows(page)
    assert rows, "OLMo 7B must be listed as open source"
    for row in rows:
        assert row.get_attribute("data-family") == "olmo"
        assert row.get_attribute("data-verdict") == "open-source"
        assert float(row.get_attribute("data-params")) >= 5


def test_dark_mode_toggle(page: Any, base_url: str) -> None:
    page.goto(base_url + "/families/llama-2/")
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("label.md-header__button[for^=__palette]:visible").first.click()
    assert page.locator("body").get_attribute("data-md-color-scheme") != scheme
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    _shot(page, "family-llama-2-dark")


def test_search_finds_a_family(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    box = page.locator("input.md-search__input")
    box.click()
    # The index is built in a web worker on first use; a query typed before it is ready
    # can be dropped, so wait for the worker as a reader would, then type.
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function(
        "() => !/Initializing/i.test(document.querySelector('.md-search-result__meta')"
        ".textContent)",
        timeout=60000,
    )
    assert "search" in meta.inner_text().lower()
    box.press_sequentially("Falcon", delay=30)
    result = page.locator(".md-search-result__link[href*='families/falcon']").first
    result.wait_for(timeout=30000)
    _shot(page, "search")
    href = result.get_attribute("href")
    assert re.search(r"/families/falcon[a-z0-9-]*/", href)
    result.click()
    page.wait_for_url(href)
    assert "Falcon" in page.locator("h1").inner_text()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/families/olmo/",
        "/scorecards/",
        "/choose/",
        "/charts/",
        "/changelog/",
        "/methodology/",
        "/models/allenai/OLMo-7B/",
        "/compare/?m=mistralai/Mistral-7B-v0.1&m=allenai/OLMo-7B",
    ],
)
def test_no_serious_accessibility_violations(page: Any, base_url: str, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(base_url + path)
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)


def test_screenshots_for_people(browser: Any, base_url: str) -> None:
    """Full-page screenshots of the key pages in both colour schemes (test artifacts)."""
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1300, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        for name, path in [
            ("home", "/"),
            ("family-mistral", "/families/mistral/"),
            ("scorecards", "/scorecards/"),
        ]:
            page.goto(base_url + path)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"full-{name}-{scheme}.png"), full_page=True)
        context.close()
    assert (SHOTS / "full-home-dark.png").stat().st_size > 10_000


def test_choose_page_filters_by_license_and_openness(page: Any, base_url: str) -> None:
    page.goto(base_url + "/choose/?class=osi&min-open=6")
    rows = page.locator("#oma-finder tbody tr:not([hidden])").all()
    assert rows, "fully open models must be listed"
    for row in rows:
        assert row.get_attribute("data-lclass") == "osi"
        assert row.get_attribute("data-open") == "6"
    names = [r.locator("td").first.inner_text() for r in rows]
    assert "OLMo 7B" in names
    assert page.get_by_role("heading", name="Medical").count() == 1
    _shot(page, "choose")
