"""Reader journeys, every filter option and every page type on a phone, in real Chromium.

The published site is built once per session (tests/conftest.py `real_site`) and served on
127.0.0.1; expected answers are computed from the site's own /api/catalog.json, never typed
in here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import BuiltSite
from tests.test_browser import SHOTS, _shot

pytestmark = pytest.mark.browser

Record = dict[str, Any]


@pytest.fixture(scope="module")
def catalog(real_site: BuiltSite) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((real_site.site / "api/catalog.json").read_text())
    return doc


def _tasks(m: Record) -> list[str]:
    """What a model is for, with a fine-tune's domain folded in (as the pages do)."""
    tasks = list(m["tasks"])
    domain = m.get("domain")
    if domain:
        domain = "multilingual" if domain == "language" else domain
        if domain not in tasks:
            tasks.append(domain)
    return tasks


def _open(m: Record) -> int:
    return sum(1 for s in m["criteria"].values() if s == "open")


CRITERIA = [
    "datasets",
    "weights",
    "evaluation_code",
    "finetuning_code",
    "training_metrics",
    "license",
]

# Each filter key -> how a catalog.json record answers it (value in, bool out).
PREDICATES: dict[str, Callable[[Record, str], bool]] = {
    "family": lambda m, v: m["family"] == v,
    "verdict": lambda m, v: m["verdict"].replace(" ", "-") == v,
    "class": lambda m, v: m["license_class"] == v,
    "kind": lambda m, v: m["kind"] == v,
    "task": lambda m, v: v in _tasks(m),
    "min-params": lambda m, v: (
        isinstance(m["params_b"], (int, float)) and m["params_b"] >= float(v)
    ),
    "max-params": lambda m, v: (
        isinstance(m["params_b"], (int, float)) and m["params_b"] <= float(v)
    ),
    "min-open": lambda m, v: _open(m) >= int(v),
    "entry": lambda m, v: m["derivative"] == (v == "fine-tune"),
}


def _criterion(c: str) -> Callable[[Record, str], bool]:
    return lambda m, v: m["criteria"][c] == v


PREDICATES.update({c.replace("_", "-"): _criterion(c) for c in CRITERIA})

# Every option of a filter, one at a time, through the real controls (change events).
TRY_OPTIONS = """([panelSel, numbers]) => {
  const panel = document.querySelector(panelSel);
  const reset = panel.querySelector('.oma-reset');
  const count = () => panel.querySelector('.oma-count').textContent;
  const shown = () => panel.ownerDocument.getElementById(panel.dataset.table)
      .querySelectorAll('tbody tr:not([hidden])').length;
  const out = [];
  for (const el of panel.querySelectorAll('[data-filter]')) {
    const key = el.getAttribute('data-filter');
    if (el.tagName === 'DETAILS') {
      for (const box of el.querySelectorAll('input[type=checkbox]')) {
        reset.click();
        box.checked = true; box.dispatchEvent(new Event('change', {bubbles: true}));
        out.push([key, box.value, shown(), count()]);
      }
    } else if (el.tagName === 'SELECT') {
      for (const opt of el.options) {
        if (!opt.value) continue;
        reset.click();
        el.value = opt.value; el.dispatchEvent(new Event('change', {bubbles: true}));
        out.push([key, opt.value, shown(), count()]);
      }
    } else {
      for (const n of numbers) {
        reset.click();
        el.value = String(n); el.dispatchEvent(new Event('input', {bubbles: true}));
        out.push([key, String(n), shown(), count()]);
      }
    }
  }
  reset.click();
  return out;
}"""


def _check_every_option(
    page: Any, panel: str, records: list[Record], numbers: list[float]
) -> set[str]:
    results = page.evaluate(TRY_OPTIONS, [panel, numbers])
    assert results, "the filter panel has no options"
    keys = set()
    for key, value, shown, text in results:
        keys.add(key)
        want = sum(1 for m in records if PREDICATES[key](m, value))
        assert shown == want, f"{key}={value}: {shown} rows shown, catalog.json says {want}"
        if want:
            assert text == f"Showing {want} of {len(records)} models", (key, value, text)
        else:
            assert text.startswith("No model matches"), (key, value, text)
    return keys


def test_every_option_of_every_scorecards_filter(
    page: Any, base_url: str, catalog: dict[str, Any]
) -> None:
    page.goto(base_url + "/scorecards/")
    keys = _check_every_option(page, "#oma-filters", catalog["models"], [1, 7, 10, 70])
    assert {
        "family",
        "verdict",
        "class",
        "kind",
        "task",
        "min-params",
        "max-params",
        "datasets",
        "license",
    } <= keys


def test_every_option_of_every_choose_filter(
    page: Any, base_url: str, catalog: dict[str, Any]
) -> None:
    page.goto(base_url + "/choose/")
    keys = _check_every_option(page, "#oma-finder-filters", catalog["models"], [0, 3, 5, 6, 10])
    assert {"task", "class", "datasets", "min-open", "entry", "max-params"} <= keys


def test_several_values_and_a_no_match_message(
    page: Any, base_url: str, catalog: dict[str, Any]
) -> None:
    page.goto(base_url + "/scorecards/?family=olmo&family=llama-2")
    want = sum(1 for m in catalog["models"] if m["family"] in ("olmo", "llama-2"))
    assert page.locator("#oma-matrix tbody tr:not([hidden])").count() == want
    assert "2 chosen" in page.locator("details[data-filter=family] summary").inner_text()
    page.goto(base_url + "/scorecards/?family=llama-2&verdict=open-source")
    message = page.locator("#oma-filters .oma-count").inner_text()
    assert message.startswith("No model matches"), message
    assert "Relax" in message
    assert "Family" in message or "Verdict" in message


# ---- the six reader journeys ----


def test_journey_open_data_osi_small_code_model(
    page: Any, base_url: str, catalog: dict[str, Any]
) -> None:
    """An OSI-licensed model under 10B with open training data, for code."""
    page.goto(base_url + "/choose/")
    page.select_option("#oma-finder-filters select[name=task]", "code")
    page.locator("#oma-finder-filters details[data-filter=class] summary").click()
    page.locator("#oma-finder-filters input[name=class][value=osi]").check()
    page.select_option("#oma-finder-filters select[name=datasets]", "open")
    page.fill("#oma-finder-filters input[name=max-params]", "10")
    rows = page.locator("#oma-finder tbody tr:not([hidden])")
    names = rows.locator("td:first-child a").all_inner_texts()
    want = [
        m
        for m in catalog["models"]
        if "code" in _tasks(m)
        and m["license_class"] == "osi"
        and m["criteria"]["datasets"] == "open"
        and isinstance(m["params_b"], (int, float))
        and m["params_b"] <= 10
    ]
    assert sorted(names) == sorted(m["name"] for m in want)
    crystal = next(m["name"] for m in catalog["models"] if m["id"] == "LLM360/Crystal")
    assert crystal in names
    opens = [int(t.split("/")[0]) for t in rows.locator("td:nth-child(3)").all_inner_texts()]
    assert opens == sorted(opens, reverse=True), "ranked by openness"
    assert "task=code" in page.url
    assert "class=osi" in page.url
    _shot(page, "journey-choose-code")


def test_journey_what_blocks_llama_2(page: Any, base_url: str, catalog: dict[str, Any]) -> None:
    record = next(m for m in catalog["models"] if m["id"] == "meta-llama/Llama-2-7b-hf")
    blockers = [c for c in record["blockers"] if c not in record["to_verify"]]
    assert blockers
    page.goto(base_url + "/families/llama-2/")
    page.locator("table a", has_text=record["name"]).first.click()
    expect(page).to_have_url(re.compile(r"/models/meta-llama/Llama-2-7b-hf/$"))
    verdict = page.locator(".oma-verdict").first
    assert verdict.is_visible()
    assert verdict.bounding_box()["y"] < 900, "the verdict is on the first screen"
    assert "Not open source" in verdict.inner_text()
    items = page.locator("ul.oma-crit-full > li")
    for criterion in blockers:
        index = CRITERIA.index(criterion)
        item = items.nth(index)
        assert record["criteria"][criterion] in item.inner_text()
        urls = {u for e in record["evidence"][criterion] for u in e["urls"]}
        links = set(item.locator("a").evaluate_all("as => as.map(a => a.href)"))
        assert urls, criterion
        assert urls <= links, f"{criterion}: evidence {urls} not linked ({links})"


def test_journey_compare_mistral_with_olmo(
    page: Any, base_url: str, catalog: dict[str, Any]
) -> None:
    by_id = {m["id"]: m for m in catalog["models"]}
    olmo, mistral = by_id["allenai/OLMo-7B"], by_id["mistralai/Mistral-7B-v0.1"]
    page.goto(base_url + "/models/allenai/OLMo-7B/")
    page.get_by_role("link", name="Compare with other models").click()
    expect(page).to_have_url(re.compile(r"/compare/\?m=allenai"))
    page.fill("#oma-compare-pick input[name=m]", mistral["name"])
    page.locator("#oma-compare-pick button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"m=mistralai"))
    table = page.locator("#oma-compare-table")
    table.wait_for()
    heads = table.locator("thead th a:not(.oma-remove)").all_inner_texts()
    assert heads == [olmo["name"], mistral["name"]]
    differ = {
        r.locator("th").inner_text().lstrip("≠ ").strip()
        for r in table.locator("tbody tr[data-differs]").all()
    }
    labels = dict(
        zip(
            CRITERIA,
            [
                "Training data sets",
                "Full weights",
                "Evaluation code",
                "Fine-tuning code",
                "Training metrics / logs",
                "OSI-approved license",
            ],
            strict=True,
        )
    )
    for c in CRITERIA:
        assert (labels[c] in differ) == (olmo["criteria"][c] != mistral["criteria"][c]), c
    assert "Verdict" in differ
    assert "m=allenai%2FOLMo-7B" in page.url or "m=allenai/OLMo-7B" in page.url


def test_journey_a_medical_fine_tune(page: Any, base_url: str, catalog: dict[str, Any]) -> None:
    medical = [m for m in catalog["models"] if "medical" in _tasks(m)]
    tunes = [m for m in medical if m["derivative"]]
    assert tunes
    page.goto(base_url + "/choose/?task=medical&entry=fine-tune")
    rows = page.locator("#oma-finder tbody tr:not([hidden])")
    assert sorted(rows.locator("td:first-child a").all_inner_texts()) == sorted(
        m["name"] for m in tunes
    )
    rows.first.locator("td:first-child a").click()
    expect(page).to_have_url(re.compile(r"/models/"))
    assert "medical" in page.locator(".oma-facts").inner_text()


def test_journey_search_a_family_by_name(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.locator("input.md-search__input").click()
    page.wait_for_function(
        "() => !/Initializing/i.test(document.querySelector('.md-search-result__meta')"
        ".textContent)",
        timeout=60000,
    )
    page.locator("input.md-search__input").press_sequentially("Llama 3.1", delay=30)
    result = page.locator(".md-search-result__link[href*='families/llama-3-1/']").first
    result.wait_for(timeout=30000)
    assert "Llama 3.1" in result.inner_text()
    assert "Llama 3 1" not in page.locator(".md-search-result").inner_text()
    result.click()
    expect(page).to_have_url(re.compile(r"/families/llama-3-1/"))
    assert page.title().startswith("Llama 3.1")


def test_journey_copy_olmo_badge(browser: Any, base_url: str) -> None:
    """On a phone: copy OLMo 7B's badge snippet; the clipboard holds exactly one line that
    links the model page, and the "Copied" toast is on the screen."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    page.goto(base_url + "/models/allenai/OLMo-7B/")
    snippet = page.locator("pre.oma-badge-snippet")
    snippet.hover()
    snippet.locator("button.md-code__button").click()
    toast = page.locator(".md-dialog")
    toast.wait_for(state="visible")
    page.wait_for_timeout(400)  # the toast slides in
    box = toast.bounding_box()
    text = page.evaluate("() => navigator.clipboard.readText()")
    context.close()
    assert box is not None
    assert box["x"] >= 0, "the toast is on screen"
    assert box["x"] + box["width"] <= 390, "the toast is on screen"
    assert text.count("\n") == 0
    assert text.strip() == text
    assert "badges/allenai/OLMo-7B.svg" in text
    assert text.endswith("models/allenai/OLMo-7B/)")


# ---- phones ----

PAGE_TYPES = [
    "/",
    "/families/",
    "/families/olmo/",
    "/families/qwen-2-5/",
    "/scorecards/",
    "/choose/",
    "/compare/?m=mistralai/Mistral-7B-v0.1&m=allenai/OLMo-7B",
    "/models/allenai/OLMo-7B/",
    "/models/BioMistral/BioMistral-7B/",
    "/charts/",
    "/changelog/",
    "/methodology/",
    "/data/",
    "/about/",
]


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", PAGE_TYPES)
def test_no_page_is_wider_than_a_phone(phone: Any, base_url: str, path: str) -> None:
    phone.goto(base_url + path)
    if "compare" in path:
        phone.locator("#oma-compare-table").wait_for()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide at 390"


def test_the_openness_comes_first_on_a_phone(phone: Any, base_url: str) -> None:
    phone.goto(base_url + "/scorecards/")
    heads = phone.locator("#oma-matrix thead th").all_inner_texts()
    assert [h.strip() for h in heads[1:7]] == ["D", "W", "E", "F", "M", "L"]
    phone.goto(base_url + "/models/allenai/OLMo-7B/")
    verdict = phone.locator(".oma-verdict").first.bounding_box()
    assert verdict is not None
    assert verdict["y"] + verdict["height"] <= 844, "verdict on the first screen"


def test_screenshots_of_model_compare_and_matrix(browser: Any, base_url: str) -> None:
    pages = [
        ("model-olmo-7b", "/models/allenai/OLMo-7B/"),
        ("model-llama-2-7b", "/models/meta-llama/Llama-2-7b-hf/"),
        ("compare-mistral-olmo", "/compare/?m=mistralai/Mistral-7B-v0.1&m=allenai/OLMo-7B"),
        ("matrix", "/scorecards/"),
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1440, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        for name, path in pages:
            page.goto(base_url + path)
            if "compare" in path:
                page.locator("#oma-compare-table").wait_for()
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))
        context.close()
    assert (SHOTS / "matrix-390.png").stat().st_size > 10_000
