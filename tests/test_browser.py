"""What a reader clicks, in a real headless Chromium (Debian's; Playwright downloads nothing).

Screenshots of the key pages are saved under test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import ROOT, BuiltSite

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = ROOT / "test-artifacts" / "screenshots"
# The flags this sandbox needs: no background traffic to Google, no GPU, running as root.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _require_browser() -> str:
    if CHROMIUM:
        return CHROMIUM
    message = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI must run the browser tests")
    pytest.skip(message)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(real_site: BuiltSite) -> Iterator[str]:
    assert real_site.result.code == 0, real_site.result.err
    handler = functools.partial(_Quiet, directory=str(real_site.site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    outside: list[str] = []

    def watch(request: Any) -> None:
        if not request.url.startswith((base_url, "data:", "blob:")):
            outside.append(request.url)

    page.on("request", watch)
    yield page
    context.close()
    assert outside == [], f"third-party requests at page load: {outside}"


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
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    sizes = [float(v) for v in page.locator("#oma-matrix tbody tr td:nth-child(4)")
             .evaluate_all("cells => cells.map(c => c.dataset.sort)")]
    assert sizes == sorted(sizes)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    first = page.locator("#oma-matrix tbody tr").first.locator("td").nth(3)
    assert float(first.get_attribute("data-sort")) == max(sizes)
    assert "sort=3-desc" in page.url


def test_filter_the_matrix_and_share_the_view(page: Any, base_url: str) -> None:
    page.goto(base_url + "/scorecards/")
    total = page.locator("#oma-matrix tbody tr").count()
    page.select_option("select[name=class]", "osi")
    page.select_option("select[name=datasets]", "open")
    rows = _visible_rows(page)
    assert 0 < len(rows) < total
    for row in rows:
        assert row.get_attribute("data-license") == "osi"
        assert row.get_attribute("data-datasets") == "open"
    assert "class=osi" in page.url
    assert "datasets=open" in page.url
    assert page.locator(".oma-count").inner_text() == f"Showing {len(rows)} of {total} models"
    _shot(page, "scorecards-filtered")
    shared = page.url
    page.goto(base_url + "/")
    page.goto(shared)
    assert len(_visible_rows(page)) == len(rows)
    assert page.locator("select[name=class]").input_value() == "osi"


def test_a_shared_url_opens_the_filtered_view(page: Any, base_url: str) -> None:
    page.goto(base_url + "/scorecards/?family=olmo&open-source=yes&min-params=5")
    rows = _visible_rows(page)
    assert rows, "OLMo 7B must be listed as open source"
    for row in rows:
        assert row.get_attribute("data-family") == "olmo"
        assert row.get_attribute("data-open-source") == "yes"
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
        ".textContent)", timeout=60000)
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
    "path", ["/", "/families/olmo/", "/scorecards/", "/choose/", "/charts/", "/changelog/",
             "/methodology/"],
)
def test_no_serious_accessibility_violations(page: Any, base_url: str, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(base_url + path)
    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], "\n".join(serious)


def test_screenshots_for_people(browser: Any, base_url: str) -> None:
    """Full-page screenshots of the key pages in both colour schemes (test artifacts)."""
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1300, "height": 900},
                                      color_scheme=scheme)
        page = context.new_page()
        for name, path in [("home", "/"), ("family-mistral", "/families/mistral/"),
                           ("scorecards", "/scorecards/")]:
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
        assert row.get_attribute("data-license") == "osi"
        assert row.get_attribute("data-open") == "6"
    names = [r.locator("td").first.inner_text() for r in rows]
    assert "OLMo 7B" in names
    assert page.get_by_role("heading", name="Medical").count() == 1
    _shot(page, "choose")
