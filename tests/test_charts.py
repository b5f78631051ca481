"""Charts: well-formed SVG with a text alternative, in both Hub states, escaped and stable."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from generator.catalog import validate as catalog_mod
from generator.catalog.schema import Status
from generator.score.scorecard import Criterion, Scorer
from generator.site.charts import (
    Chart,
    ChartPoint,
    month_index,
    openness_over_time,
    openness_vs_popularity,
)
from tests.conftest import FIXTURES, ROOT

SVG = "{http://www.w3.org/2000/svg}"
Maker = Callable[[list[ChartPoint]], Chart]
EVIL = '<script>alert("x")</script> & "quotes" \'too\' ]]> \x07'


def point(i: int, **changes: object) -> ChartPoint:
    base = ChartPoint(
        id=f"org/model-{i}",
        name=f"Model {i}",
        family=f"Family {i % 3}",
        open_criteria=i % 7,
        open_source=i % 7 == 6,
        released=f"{2020 + i % 5}-{1 + i % 12:02d}" + ("-15" if i % 2 else ""),
        downloads=10 ** (i % 8) + i,
        href=f"../families/f{i % 3}/#m-org-model-{i}",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


SYNCED = [point(i) for i in range(40)]
UNSYNCED = [dataclasses.replace(p, downloads=None) for p in SYNCED]
PARTLY = [dataclasses.replace(p, downloads=None) if i % 5 == 0 else p for i, p in enumerate(SYNCED)]


def parse(chart: Chart) -> ET.Element:
    assert not chart.svg.startswith("<?xml")
    root = ET.fromstring(chart.svg)
    assert root.tag == f"{SVG}svg"
    return root


def links(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}a")


@pytest.mark.parametrize("points", [SYNCED, UNSYNCED, PARTLY], ids=["synced", "unsynced", "partly"])
def test_popularity_chart_is_accessible_svg_with_one_link_per_model(
    points: list[ChartPoint],
) -> None:
    chart = openness_vs_popularity(points)
    root = parse(chart)
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.text
    assert desc is not None
    assert desc.text
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert root.get("role") == "graphics-document"
    assert len(links(root)) == len(points)
    assert {a.get("href") for a in links(root)} == {p.href for p in points}
    assert all(a.get("tabindex") == "-1" for a in links(root))
    assert len(chart.table) == len(points) == len(chart.row_hrefs)
    assert all(len(row) == len(chart.header) for row in chart.table)
    assert chart.summary.startswith(f"Of {len(points)} models, ")


def test_popularity_tooltips_say_openness_and_downloads() -> None:
    root = parse(openness_vs_popularity(PARTLY))
    tips = {a.findtext(f"{SVG}title") for a in links(root)}
    assert "Model 1: 1/6 open, 11 downloads" in tips
    assert "Model 0: 0/6 open, no Hub data yet" in tips  # the "no Hub data yet" band


def test_before_the_first_sync_the_chart_says_so() -> None:
    chart = openness_vs_popularity(UNSYNCED)
    root = parse(chart)
    assert "not synced" in (root.findtext(f"{SVG}title") or "")
    assert "not synced yet" in chart.svg
    assert "Popularity is not shown until the first Hub sync" in chart.summary
    assert "log scale" not in chart.svg
    assert {row[-1] for row in chart.table} == {"no Hub data yet"}


def test_synced_chart_has_a_log_axis_and_names_the_most_downloaded() -> None:
    chart = openness_vs_popularity(PARTLY)
    assert "log scale" in chart.svg
    assert "no Hub data" in chart.svg
    top = max((p for p in PARTLY if p.downloads is not None), key=lambda p: p.downloads or 0)
    assert f"the most downloaded, {top.name} ({top.downloads:,} downloads" in chart.summary
    assert "8 models have no Hub data yet." in chart.summary
    assert chart.table[0][0] == top.name  # most downloaded first, no data last
    assert chart.table[-1][-1] == "no Hub data yet"


def test_shape_not_only_colour_marks_open_source() -> None:
    root = parse(openness_vs_popularity(SYNCED))
    filled = [a for a in links(root) if a.find(f"{SVG}circle[@class='os']") is not None]
    assert len(filled) == sum(p.open_source for p in SYNCED)
    assert "filled: open source" in openness_vs_popularity(SYNCED).svg
    assert "hollow: not open source" in openness_over_time(SYNCED).svg


def test_time_chart_plots_dated_models_and_counts_the_rest() -> None:
    points = [*SYNCED, point(90, released="unknown"), point(91, released="unknown")]
    chart = openness_over_time(points)
    root = parse(chart)
    assert len(links(root)) == len(SYNCED)
    assert "2 models with an unknown release date are not plotted." in chart.summary
    assert len(chart.table) == len(points)
    assert [row[2] for row in chart.table][-2:] == ["unknown", "unknown"]
    tips = {a.findtext(f"{SVG}title") for a in links(root)}
    assert "Model 3: 3/6 open, released 2023-04-15" in tips


def test_time_chart_without_any_date() -> None:
    chart = openness_over_time([point(1, released="unknown")])
    assert "No release dates known yet." in chart.svg
    assert links(parse(chart)) == []


@pytest.mark.parametrize("make", [openness_vs_popularity, openness_over_time])
def test_empty_catalog_still_gives_a_chart(make: Maker) -> None:
    chart = make([])
    parse(chart)
    assert chart.table == []
    assert chart.summary == "The catalog has no models yet."


@pytest.mark.parametrize("make", [openness_vs_popularity, openness_over_time])
@pytest.mark.parametrize("synced", [True, False])
def test_untrusted_names_and_links_are_escaped(make: Maker, synced: bool) -> None:
    evil = point(
        3,
        name=EVIL,
        family=EVIL,
        id=EVIL,
        href='../x/" onclick="alert(1)',
        downloads=5 if synced else None,
    )
    chart = make([evil, point(4)])
    root = parse(chart)  # well-formed although the name has <, &, quotes and a control char
    assert "<script" not in chart.svg
    assert "\x07" not in chart.svg
    assert not any(el.get("onclick") for el in root.iter())
    hrefs = [a.get("href") for a in links(root)]
    assert '../x/" onclick="alert(1)' in hrefs  # an attribute value, not an attribute
    tips = [a.findtext(f"{SVG}title") or "" for a in links(root)]
    assert any(t.startswith('<script>alert("x")</script> & "quotes"') for t in tips)


@pytest.mark.parametrize("make", [openness_vs_popularity, openness_over_time])
def test_output_is_deterministic_and_independent_of_input_order(make: Maker) -> None:
    first = make(PARTLY)
    again = make(list(reversed(PARTLY)))
    assert first == again


def test_real_catalog_charts_stay_small() -> None:
    """The published catalog, padded to 300 points: each SVG under ~60 KB."""
    catalog = catalog_mod.load(ROOT / "catalog.yaml").catalog
    assert catalog is not None
    scores = Scorer(catalog).score_all()
    points = [
        ChartPoint(
            entry.id,
            entry.name,
            family.name,
            sum(scores[entry.id].criteria[c].status == Status.OPEN for c in Criterion),
            scores[entry.id].open_source,
            entry.released,
            1234567,
            f"../families/{family.id}/#m-{entry.id.lower().replace('/', '-')}",
        )
        for family in catalog.families
        for entry in [*family.models, *family.derivatives]
    ]
    points += [dataclasses.replace(p, id=p.id + "-copy") for p in points[: 300 - len(points)]]
    assert len(points) >= 300
    for make in (openness_vs_popularity, openness_over_time):
        for pts in (points, [dataclasses.replace(p, downloads=None) for p in points]):
            # linear in the models: each marker with its link and tooltip, plus the axes
            assert len(make(pts).svg.encode()) < 10_000 + 320 * len(pts)


def test_fixture_catalog_has_consistent_openness() -> None:
    """open_source is exactly 'all six criteria open', as the charts assume."""
    catalog = catalog_mod.load(FIXTURES / "catalog.yaml").catalog
    assert catalog is not None
    for card in Scorer(catalog).score_all().values():
        count = sum(card.criteria[c].status == Status.OPEN for c in Criterion)
        assert card.open_source == (count == 6)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2024-03-15", 2024 * 12 + 2),
        ("2024-03", 2024 * 12 + 2),
        ("unknown", None),
        ("2024-13", None),
        ("", None),
    ],
)
def test_month_index(text: str, month: int | None) -> None:
    assert month_index(text) == month


def test_every_class_a_chart_uses_is_styled_in_the_site_stylesheet() -> None:
    import re

    from tests.conftest import ROOT

    css = (ROOT / "docs" / "assets" / "atlas.css").read_text(encoding="utf-8")
    points = [
        ChartPoint(
            f"o/m{i}",
            f"M{i}",
            "F",
            i % 7,
            i % 7 == 6,
            f"202{i % 5}-0{i % 9 + 1}",
            10 ** (i % 6),
            "#",
        )
        for i in range(40)
    ]
    svg = openness_vs_popularity(points).svg + openness_over_time(points).svg
    used = {c for attr in re.findall(r'class="([^"]+)"', svg) for c in attr.split()}
    assert used, "the charts use classes"
    for name in used:
        styled = f".oma-chart-svg .{name}" in css or f".{name} " in css or f".{name}," in css
        assert styled or f"circle.{name}" in css, f".{name} is not styled in atlas.css"
