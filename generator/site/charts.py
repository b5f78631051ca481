"""Build-time SVG charts: openness against popularity, and openness over release time.

Pure functions of a list of `ChartPoint`s; each returns a `Chart` with an inline `<svg>`,
a one-sentence summary and a table (the text alternative). Output is deterministic: points
are sorted, overlapping points are spread by a jitter derived from the model id (never a
random number), and every coordinate is rounded to one decimal.

Colours come from CSS classes (styled once, in docs/assets/atlas.css) that use the
site's custom properties and `currentColor`, so the charts follow Material's light and dark
schemes. Meaning is never carried by colour alone: open-source models are filled circles,
the others hollow, and the legend says so in words.

The SVG uses `role="graphics-document"` (the WAI-ARIA Graphics role for an SVG with
interactive parts), not `role="img"`: `img` makes its children presentational, so links to
the scorecards inside it would be unreachable for assistive technology (axe reports
`nested-interactive`). The point links take `tabindex="-1"` so 300 points do not become 300
tab stops; the table carries the same links for keyboard and screen-reader users.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator.site.markup import svg_text

CRITERIA = 6

WIDTH = 760
LEFT, RIGHT, TOP, BOTTOM = 96, 24, 28, 92  # margins: y labels, -, note, x axis and legend
PLOT_W = WIDTH - LEFT - RIGHT
ROW_H = 40  # one band per number of open criteria (0..6)
PLOT_H = ROW_H * (CRITERIA + 1)
RADIUS = 4
JITTER = 0.38  # share of a band (or month) a point may move to avoid exact overlaps
NO_DATA_W = 80  # the "no Hub data yet" band left of the log axis
DOT_STEP = 10  # distance between dots in the unit chart (not yet synced)
MIN_YEAR_MODELS = 5  # a year's average openness is quoted only from this many models

_MONTH = re.compile(r"^(\d{4})-(\d{2})")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ChartPoint:
    """One model as the charts see it."""

    id: str
    name: str
    family: str
    open_criteria: int  # how many of the six criteria are `open`, 0..6
    open_source: bool
    released: str  # 'YYYY-MM-DD', 'YYYY-MM' or 'unknown'
    downloads: int | None  # Hub downloads (30 days); None without Hub data
    href: str  # relative link to the model's scorecard


@dataclass(frozen=True)
class Chart:
    """An inline SVG, a sentence saying what it shows, and the same data as a table."""

    svg: str
    header: tuple[str, ...]
    table: list[tuple[str, ...]]
    summary: str
    row_hrefs: tuple[str, ...] = ()  # the scorecard link of each table row, same order


# -- text and numbers ----------------------------------------------------------------------


def num(value: float) -> str:
    """A coordinate with one decimal at most: 12.0 -> '12', 12.34 -> '12.3'."""
    text = f"{value:.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def downloads_text(value: int | None) -> str:
    return "no Hub data yet" if value is None else f"{value:,}"


def compact(value: float) -> str:
    """An axis label: 1000 -> '1K', 2500000 -> '2.5M'."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= limit:
            return f"{value / limit:g}{suffix}"
    return f"{value:g}"


def jitter(key: str, salt: str) -> float:
    """A stable pseudo-random offset in [-1, 1] for one point (same id, same place)."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 0xFFFFFFFF * 2 - 1


def month_index(released: str) -> int | None:
    """'2024-03-15' or '2024-03' -> months since year 0; None when unknown or malformed."""
    match = _MONTH.match(released)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def month_label(index: int) -> str:
    return f"{MONTHS[index % 12]} {index // 12}"


# -- SVG pieces ----------------------------------------------------------------------------


def svg_open(prefix: str, height: int, title: str, desc: str) -> list[str]:
    return [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="oma-chart-svg" id="{prefix}" '
            f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
            f'role="graphics-document" aria-labelledby="{prefix}-title" '
            f'aria-describedby="{prefix}-desc">'
        ),
        f'<title id="{prefix}-title">{svg_text(title)}</title>',
        f'<desc id="{prefix}-desc">{svg_text(desc)}</desc>',
    ]


def text(x: float, y: float, content: str, cls: str = "", anchor: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' text-anchor="{anchor}"' if anchor else ""
    return f'<text x="{num(x)}" y="{num(y)}"{attrs}>{svg_text(content)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, cls: str) -> str:
    return f'<line class="{cls}" x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}"/>'


def marker(cx: float, cy: float, open_source: bool) -> str:
    cls = ' class="os"' if open_source else ""  # styled by .oma-chart-svg in docs/assets/atlas.css
    return f'<circle{cls} cx="{num(cx)}" cy="{num(cy)}" r="{RADIUS}"/>'


def point(p: ChartPoint, cx: float, cy: float, detail: str = "") -> str:
    """A linked marker with its tooltip: 'Name: 3/6 open, 1,234 downloads'."""
    tip = f"{p.name}: {p.open_criteria}/{CRITERIA} open" + (f", {detail}" if detail else "")
    return (
        f'<a href="{svg_text(p.href)}" tabindex="-1"><title>{svg_text(tip)}</title>'
        f"{marker(cx, cy, p.open_source)}</a>"
    )


def row_y(criteria: int) -> float:
    """The centre of a band: 6/6 at the top, 0/6 at the bottom."""
    return TOP + (CRITERIA - criteria + 0.5) * ROW_H


def y_axis(x0: float, x1: float) -> list[str]:
    out = [text(LEFT - 60, TOP - 10, "Open criteria", "oma-ax-title")]
    for k in range(CRITERIA + 1):
        y = row_y(k)
        out.append(line(x0, y, x1, y, "oma-grid"))
        out.append(text(LEFT - 10, y + 4, f"{k}/{CRITERIA}", "oma-ax", "end"))
    return out


def legend(y: float) -> list[str]:
    """The marker key, in words: the shapes differ, not only the colours."""
    return [
        f'<g class="oma-legend" transform="translate({LEFT},{num(y)})">',
        marker(6, -4, True),
        text(16, 0, "filled: open source (all six criteria open)"),
        marker(306, -4, False),
        text(316, 0, "hollow: not open source"),
        "</g>",
    ]


def in_band(p: ChartPoint) -> float:
    """A point's y inside its band, spread so equal values do not hide each other."""
    k = max(0, min(CRITERIA, p.open_criteria))
    return row_y(k) + jitter(p.id, "y") * JITTER * ROW_H


def drawing_order(points: Iterable[ChartPoint]) -> list[ChartPoint]:
    """Stable order; open-source points last, so they are drawn on top."""
    return sorted(points, key=lambda p: (p.open_source, p.id))


# -- openness against popularity -----------------------------------------------------------


def openness_vs_popularity(points: list[ChartPoint]) -> Chart:
    """Downloads (log scale) against open criteria; before the first Hub sync, the openness
    distribution alone, saying that popularity is not synced yet."""
    if any(p.downloads is not None for p in points):
        svg = popularity_scatter(points)
    else:
        svg = openness_distribution(points)
    rows = sorted(
        points, key=lambda p: (p.downloads is None, -(p.downloads or 0), p.name.lower(), p.id)
    )
    return Chart(
        svg=svg,
        header=("Model", "Family", "Open criteria", "Open source", "Downloads (30 days)"),
        table=[
            (
                p.name,
                p.family,
                f"{p.open_criteria}/{CRITERIA}",
                "yes" if p.open_source else "no",
                downloads_text(p.downloads),
            )
            for p in rows
        ],
        summary=popularity_summary(points),
        row_hrefs=tuple(p.href for p in rows),
    )


def log_domain(values: list[int]) -> tuple[int, int]:
    """Powers of ten around the data: (lowest exponent, highest exponent)."""
    low = math.floor(math.log10(max(min(values), 1)))
    high = math.ceil(math.log10(max(max(values), 1)))
    return low, max(high, low + 1)


def popularity_scatter(points: list[ChartPoint]) -> str:
    synced = [p for p in points if p.downloads is not None]
    missing = [p for p in points if p.downloads is None]
    low, high = log_domain([p.downloads for p in synced if p.downloads is not None])
    x0 = LEFT + (NO_DATA_W + 16 if missing else 0)
    x1 = WIDTH - RIGHT

    def x_of(downloads: int) -> float:
        share = (math.log10(max(downloads, 1)) - low) / (high - low)
        return x0 + share * (x1 - x0)

    height = TOP + PLOT_H + BOTTOM
    title = "Openness against popularity"
    desc = (
        f"Scatter plot of {count(len(points), 'model')}: Hub downloads in the last 30 "
        f"days on a logarithmic x axis, the number of open criteria (0 to 6) on the y "
        f"axis. {popularity_summary(points)}"
    )
    out = [*svg_open("oma-chart-popularity", height, title, desc), *y_axis(LEFT, x1)]
    out += x_log_axis(low, high, x_of, any(p.downloads == 0 for p in synced))
    if missing:
        out += no_data_band(missing)
    for p in drawing_order(synced):
        assert p.downloads is not None
        out.append(point(p, x_of(p.downloads), in_band(p), f"{p.downloads:,} downloads"))
    out += legend(height - 14)
    out.append("</svg>")
    return "\n".join(out)


def x_log_axis(low: int, high: int, x_of: Callable[[int], float], zero: bool) -> list[str]:
    base = TOP + PLOT_H
    out = []
    for exp in range(low, high + 1):
        x = x_of(10**exp)
        label = "≤1" if exp == 0 and zero else compact(10**exp)
        out.append(line(x, TOP, x, base, "oma-grid oma-grid-v"))
        out.append(text(x, base + 18, label, "oma-ax", "middle"))
    mid = (x_of(10**low) + x_of(10**high)) / 2
    out.append(
        text(mid, base + 40, "Hub downloads, last 30 days (log scale)", "oma-ax-title", "middle")
    )
    return out


def no_data_band(missing: list[ChartPoint]) -> list[str]:
    """Models the Hub sync has no numbers for, in their own band left of the axis."""
    x_mid = LEFT + NO_DATA_W / 2
    base = TOP + PLOT_H
    out = [
        (f'<rect class="oma-band" x="{LEFT}" y="{TOP}" width="{NO_DATA_W}" height="{PLOT_H}"/>'),
        text(x_mid, base + 18, "no Hub data", "oma-ax", "middle"),
        text(x_mid, base + 32, f"({len(missing):,})", "oma-ax", "middle"),
    ]
    for p in drawing_order(missing):
        cx = x_mid + jitter(p.id, "x") * (NO_DATA_W / 2 - RADIUS - 2)
        out.append(point(p, cx, in_band(p), "no Hub data yet"))
    return out


def openness_distribution(points: list[ChartPoint]) -> str:
    """Before the first sync: one dot per model in its band, so the distribution shows."""
    per_line = max(1, (PLOT_W - 90) // DOT_STEP)
    groups = {
        k: sorted(
            (p for p in points if min(max(p.open_criteria, 0), CRITERIA) == k),
            key=lambda p: (p.family.lower(), p.name.lower(), p.id),
        )
        for k in range(CRITERIA + 1)
    }
    heights = {k: max(1, math.ceil(len(g) / per_line)) * DOT_STEP + 14 for k, g in groups.items()}
    height = TOP + 22 + sum(heights.values()) + 44
    title = "Openness of the catalog (popularity not synced yet)"
    desc = (
        f"Popularity is not shown: the Hugging Face Hub data has not been synced yet. "
        f"Instead, one dot per model in a row for each number of open criteria, 6 at "
        f"the top. {popularity_summary(points)}"
    )
    out = svg_open("oma-chart-popularity", height, title, desc)
    out.append(
        text(
            LEFT - 60,
            TOP,
            "Hub downloads not synced yet: showing how many models meet each number of criteria.",
            "oma-note",
        )
    )
    y = TOP + 22.0
    for k in range(CRITERIA, -1, -1):
        out.append(line(LEFT - 60, y, WIDTH - RIGHT, y, "oma-grid"))
        out.append(text(LEFT - 10, y + 17, f"{k}/{CRITERIA}", "oma-ax", "end"))
        out.append(text(WIDTH - RIGHT, y + 17, count(len(groups[k]), "model"), "oma-ax", "end"))
        for i, p in enumerate(groups[k]):
            cx = LEFT + DOT_STEP / 2 + (i % per_line) * DOT_STEP
            cy = y + 12 + (i // per_line) * DOT_STEP
            out.append(point(p, cx, cy))
        y += heights[k]
    out += legend(height - 14)
    out.append("</svg>")
    return "\n".join(out)


def popularity_summary(points: list[ChartPoint]) -> str:
    if not points:
        return "The catalog has no models yet."
    head = f"Of {count(len(points), 'model')}, {open_source_text(points)}"
    synced = sorted(
        (p for p in points if p.downloads is not None),
        key=lambda p: (-(p.downloads or 0), p.name.lower(), p.id),
    )
    if not synced:
        common, n = Counter(p.open_criteria for p in points).most_common(1)[0]
        return (
            f"{head}; the largest group, {count(n, 'model')}, has {common} of {CRITERIA} "
            "criteria open. Popularity is not shown until the first Hub sync."
        )
    top = synced[0]
    ten = synced[:10]
    open_top = sum(p.open_source for p in ten)
    missing = len(points) - len(synced)
    tail = f" {count(missing, 'model has', 'models have')} no Hub data yet." if missing else ""
    return (
        f"{head}; the most downloaded, {top.name} ({top.downloads:,} downloads in 30 "
        f"days), has {top.open_criteria} of {CRITERIA} criteria open, and "
        f"{open_top} of the {len(ten)} most downloaded {'is' if len(ten) == 1 else 'are'} "
        f"open source.{tail}"
    )


def open_source_text(points: list[ChartPoint]) -> str:
    n = sum(p.open_source for p in points)
    return f"{n:,} {'meets' if n == 1 else 'meet'} all six criteria"


# -- openness over release time -------------------------------------------------------------


def openness_over_time(points: list[ChartPoint]) -> Chart:
    """Release month against open criteria; models without a known date are only counted."""
    dated = [(p, m) for p in points if (m := month_index(p.released)) is not None]
    height = TOP + PLOT_H + BOTTOM
    title = "Openness over release time"
    summary = time_summary(points)
    desc = (
        f"Scatter plot of {count(len(dated), 'model')} by release month (x axis) and "
        f"number of open criteria (y axis). {summary}"
    )
    out = [*svg_open("oma-chart-time", height, title, desc), *y_axis(LEFT, WIDTH - RIGHT)]
    if dated:
        out += time_points(dated)
    else:
        out.append(
            text(
                LEFT + PLOT_W / 2,
                TOP + PLOT_H / 2,
                "No release dates known yet.",
                "oma-note",
                "middle",
            )
        )
    out += legend(height - 14)
    out.append("</svg>")
    rows = sorted(
        points, key=lambda p: (month_index(p.released) is None, p.released, p.name.lower(), p.id)
    )
    return Chart(
        svg="\n".join(out),
        header=("Model", "Family", "Released", "Open criteria", "Open source"),
        table=[
            (
                p.name,
                p.family,
                p.released,
                f"{p.open_criteria}/{CRITERIA}",
                "yes" if p.open_source else "no",
            )
            for p in rows
        ],
        summary=summary,
        row_hrefs=tuple(p.href for p in rows),
    )


def time_points(dated: list[tuple[ChartPoint, int]]) -> list[str]:
    first = min(m for _p, m in dated) - 1
    last = max(m for _p, m in dated) + 1
    step = PLOT_W / (last - first)

    def x_of(month: float) -> float:
        return LEFT + (month - first) * step

    base = TOP + PLOT_H
    out = []
    for tick, label in month_ticks(first, last):
        out.append(line(x_of(tick), TOP, x_of(tick), base, "oma-grid oma-grid-v"))
        out.append(text(x_of(tick), base + 18, label, "oma-ax", "middle"))
    out.append(text(LEFT + PLOT_W / 2, base + 40, "Release date (month)", "oma-ax-title", "middle"))
    for p, month in sorted(dated, key=lambda pm: (pm[0].open_source, pm[0].id)):
        cx = x_of(month + 0.5 + jitter(p.id, "x") * JITTER)
        out.append(point(p, cx, in_band(p), f"released {p.released}"))
    return out


def month_ticks(first: int, last: int) -> list[tuple[int, str]]:
    """Every January in range (labelled with the year); the ends when there are < 2."""
    years = [(m, str(m // 12)) for m in range(first, last + 1) if m % 12 == 0]
    if len(years) >= 2:
        every = max(1, math.ceil(len(years) / 10))
        return years[::every]
    return [(first, month_label(first)), (last, month_label(last))]


def time_summary(points: list[ChartPoint]) -> str:
    if not points:
        return "The catalog has no models yet."
    dated = sorted(
        ((m, p) for p in points if (m := month_index(p.released)) is not None),
        key=lambda mp: (mp[0], mp[1].id),
    )
    head = f"Of {count(len(points), 'model')}, {open_source_text(points)}"
    unknown = len(points) - len(dated)
    tail = (
        f" {count(unknown, 'model')} with an unknown release date "
        f"{'is' if unknown == 1 else 'are'} not plotted."
        if unknown
        else ""
    )
    if not dated:
        return f"{head}.{tail}"
    span = f"releases span {month_label(dated[0][0])} to {month_label(dated[-1][0])}"
    return f"{head}; {span}{year_comparison([(m // 12, p) for m, p in dated])}.{tail}"


def year_comparison(by_year: list[tuple[int, ChartPoint]]) -> str:
    """'; models released in 2025 (40) have 1.7 of 6 criteria open on average, against 2.4
    in 2023 (25)': only years with enough models to say something."""
    sizes = Counter(y for y, _p in by_year)
    years = sorted(y for y, n in sizes.items() if n >= MIN_YEAR_MODELS)
    if not years:
        return ""

    def mean(year: int) -> str:
        values = [p.open_criteria for y, p in by_year if y == year]
        return f"{sum(values) / len(values):.1f}"

    last = years[-1]
    out = (
        f"; models released in {last} ({sizes[last]:,}) have {mean(last)} of {CRITERIA} "
        "criteria open on average"
    )
    if len(years) > 1:
        out += f", against {mean(years[0])} in {years[0]} ({sizes[years[0]]:,})"
    return out
