"""Inert text: a site built from a hostile catalog and a hostile lock runs none of their
scripts and links no `javascript:` or `data:` URL, on any page, in the feed, the badges or
the exports, and still shows every string as the text it is.

tests/fixtures/hostile/ holds a valid catalog, a lock and a sync summary whose every string
a page, feed, badge or export shows is an attack: `<script>`, `<img onerror>`,
`javascript:` and `data:` links (Markdown and HTML), a URL that tries to end its attribute
or its Markdown link, Markdown link and table injection, an attribute list, Jinja-looking
`{{ 7*191 }}` and `{% raw %}`, and a `</script>` meant to break out of JSON. Each payload
sets `window.__oma_pwned` if it ever runs. The site is built with a real
`mkdocs build --strict` and every page is loaded in headless Chromium.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.site.markup import one_line
from tests.conftest import FIXTURES, BuiltSite, _Quiet, build_site

HOSTILE = FIXTURES / "hostile"
FLAG = "__oma_pwned"
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
FIGURES: dict[str, int] = {"pages": 0, "scripts_run": 0, "javascript_urls": 0}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    site = build_site(
        tmp_path_factory.mktemp("hostile-site"),
        HOSTILE / "catalog.yaml",
        HOSTILE / "catalog.lock.yaml",
    )
    assert site.result.code == 0, site.result.err  # mkdocs build --strict passed
    return site


def shown_strings() -> list[str]:
    """Every hostile string of the fixtures (the ones a reader must see as text)."""
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and FLAG in value:
            out.append(value)

    walk(yaml.safe_load((HOSTILE / "catalog.yaml").read_text(encoding="utf-8")))
    return out


class _Audit(HTMLParser):
    """What an HTML document would run or link: script bodies, event handlers, URL schemes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.bad_urls: list[str] = []
        self.text: list[str] = []
        self.hrefs: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name == "href":
                self.hrefs.append(value)
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRS and value.strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.bad_urls.append(f"<{tag} {name}={value!r}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def audit(html: str) -> _Audit:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_no_page_carries_a_payload_in_its_html(hostile_site: BuiltSite) -> None:
    found = pages(hostile_site.site)
    assert len(found) >= 8
    for page in found:
        html = page.read_text(encoding="utf-8")
        result = audit(html)
        name = page.relative_to(hostile_site.site)
        assert [s for s in result.scripts if FLAG in s] == [], name
        assert [h for h in result.handlers if FLAG in h] == [], name
        assert result.bad_urls == [], name
        assert "1337" not in html, f"{name}: a {{{{ }}}} in the data was evaluated"


# Catalog strings no page shows (the Hub's license ids, matched against its tags).
NOT_SHOWN = ("derivative.language",)


def test_every_hostile_string_is_shown_as_text(hostile_site: BuiltSite) -> None:
    """Escaped, not dropped: each catalog string appears whole in some page's text."""
    text = " ".join(
        " ".join(audit(p.read_text(encoding="utf-8")).text) for p in pages(hostile_site.site)
    )
    text = " ".join(text.split())
    missing = [
        s[:40]
        for s in shown_strings()
        if one_line(s) not in text and not s.startswith(NOT_SHOWN) and "://" not in s
    ]
    assert missing == []
    assert "{{ 7*191 }} {% raw %}" in text


@pytest.fixture(scope="module")
def base_url(hostile_site: BuiltSite) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(hostile_site.site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CHECK_DOM = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const v = a.value.trim().toLowerCase();
      if (/^(javascript|data|vbscript):/.test(v) && /href|src|action|data|poster/.test(a.name))
        bad.push(el.tagName + ' ' + a.name + '=' + a.value);
      if (a.name.startsWith('on') && a.value.includes('__oma_pwned'))
        bad.push(el.tagName + ' ' + a.name);
    }
  }
  return {pwned: window.__oma_pwned === undefined ? null : String(window.__oma_pwned), bad};
}"""


@pytest.mark.browser
def test_every_page_in_chromium_runs_no_script_from_the_data(
    hostile_site: BuiltSite, base_url: str, browser: Any
) -> None:
    paths = [
        "/" + str(p.relative_to(hostile_site.site)).removesuffix("index.html")
        for p in pages(hostile_site.site)
    ]
    outside: list[str] = []
    # the suite's one Chromium (tests/conftest.py): a second sync_playwright() in the same
    # process is refused while the first is running
    context = browser.new_context()
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((base_url, "data:", "blob:"))
            else (outside.append(route.request.url), route.abort())[1]
        ),
    )
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    results = {}
    for path in paths:
        page.goto(base_url + path, wait_until="load")
        page.wait_for_timeout(50)  # let any onerror of a broken image fire
        page.mouse.move(10, 10)
        page.mouse.move(600, 400)  # onmouseover payloads, had they survived
        results[path] = page.evaluate(CHECK_DOM)
    context.close()
    FIGURES["pages"] += len(paths)
    FIGURES["scripts_run"] += sum(1 for r in results.values() if r["pwned"] is not None)
    FIGURES["javascript_urls"] += sum(len(r["bad"]) for r in results.values())
    print(
        f"\nhostile site: {len(paths)} pages loaded in Chromium, "
        f"{FIGURES['scripts_run']} scripts from the data ran, "
        f"{FIGURES['javascript_urls']} javascript:/data: URLs or handlers found"
    )
    assert {k: v for k, v in results.items() if v["pwned"] or v["bad"]} == {}
    assert dialogs == []
    assert [u for u in outside if "evil.invalid" in u] == []  # no ![img](http://evil...)


def test_the_feed_parses_and_its_html_is_inert(hostile_site: BuiltSite) -> None:
    root = ET.parse(hostile_site.site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert entries
    texts = []
    for entry in entries:
        title = entry.findtext("a:title", default="", namespaces=ns)
        content = entry.findtext("a:content", default="", namespaces=ns)
        texts.append(title + content)
        result = audit(content)
        assert [s for s in result.scripts if FLAG in s] == []
        assert [h for h in result.handlers if FLAG in h] == []
        assert result.bad_urls == []
        # the only links are the ones the changelog builds to the model pages
        assert [h for h in result.hrefs if not h.startswith("http") or FLAG in h] == []
    assert any("<script>window.__oma_pwned" in t for t in texts)  # kept as text


def test_badges_are_inert_svg(hostile_site: BuiltSite) -> None:
    badges = sorted((hostile_site.site / "badges").rglob("*.svg"))
    assert len(badges) == 3
    for badge in badges:
        root = ET.parse(badge).getroot()
        for el in root.iter():
            assert not el.tag.endswith("script")
            assert not [a for a in el.attrib if a.startswith("on")]


def test_exports_keep_every_string_and_stay_inert(hostile_site: BuiltSite) -> None:
    raw = (hostile_site.site / "api" / "catalog.json").read_text(encoding="utf-8")
    assert "</script>" not in raw  # written as \u003c/script\u003e: safe to inline
    assert "<script>" not in raw
    doc = json.loads(raw)
    names = {m["name"] for m in doc["models"]} | {f["name"] for f in doc["families"]}
    catalog = yaml.safe_load((HOSTILE / "catalog.yaml").read_text(encoding="utf-8"))
    family = catalog["families"][0]
    expected = {e["name"] for e in [*family["models"], *family["derivatives"]]} | {family["name"]}
    assert names == expected  # nothing lost or altered
    rows = list(
        csv.DictReader(
            io.StringIO((hostile_site.site / "api" / "catalog.csv").read_text(encoding="utf-8"))
        )
    )
    formulas = [r["name"] for r in rows if r["name"][:1] in "=+-@"]
    assert formulas == []
    chat = next(r for r in rows if r["id"] == "hostile-org/Chat-7B")
    assert chat["name"] == "'" + next(
        m["name"] for m in family["models"] if m["id"] == "hostile-org/Chat-7B"
    )


def test_the_fixtures_attack_every_shown_field() -> None:
    strings = shown_strings()
    assert len(strings) >= 20
    lock = (HOSTILE / "catalog.lock.yaml").read_text(encoding="utf-8")
    for field in (
        "pipeline_tag",
        "license_name",
        "license_tag",
        "error",
        "renamed_to",
        "child_relation",
        "base_model",
        "candidate",
    ):
        assert f"hub.{field} <script>" in lock
