"""Beside openness (issue 15): other indexes' verdicts, inference providers and prices.

Pure: from the scorecards and the loaded `opinions/` + `catalog.providers.yaml`, it builds
the /opinions/ and /providers/ pages and the `second_opinions` / `providers` fields of
/api/catalog.json. Their verdicts never change ours; they are compared with them.

Comparison: the EU Open Source AI Index uses our three classes (open / partial / closed),
so a disagreement is any class that differs. The Model Openness Tool says whether a
component is included and whether its license is open; its "included, not openly
licensed" is not the same claim as our "partial", so it is compared as open / not open
only. Where our status is `unknown` nothing is compared: those are listed as leads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from jinja2 import Environment
from markupsafe import Markup

from generator.catalog.opinions import COMPARED, SOURCE_NAMES, SOURCES, Beside, Match, Verdict
from generator.catalog.providers import ModelOffers, blended
from generator.catalog.schema import COMPONENT_LABELS, Component, Status
from generator.score.scorecard import Criterion, Scorecard
from generator.site.markup import anchor


@dataclass(frozen=True)
class Comparison:
    source: str
    model: str
    component: Component
    ours: Status
    our_urls: tuple[str, ...]
    theirs: Verdict
    match: Match

    @property
    def comparable(self) -> bool:
        return self.ours != Status.UNKNOWN

    @property
    def agree(self) -> bool:
        if self.source == "mot":
            return (self.ours == Status.OPEN) == (self.theirs.verdict == "open")
        return self.ours.value == self.theirs.verdict

    @property
    def agree_open(self) -> bool:
        """Agreement on the question that decides the verdict: open or not."""
        return (self.ours == Status.OPEN) == (self.theirs.verdict == "open")


def comparisons(beside: Beside, scores: dict[str, Scorecard]) -> list[Comparison]:
    out: list[Comparison] = []
    if beside.opinions is None:
        return out
    for m in beside.opinions.matches:
        card = scores.get(m.model)
        if card is None:
            continue
        for comp in COMPARED:
            theirs = m.entry.verdicts.get(comp)
            if theirs is None:
                continue
            eff = card.components[comp]
            out.append(
                Comparison(
                    m.entry.source,
                    m.model,
                    comp,
                    eff.assessment.status,
                    tuple(eff.assessment.evidence),
                    theirs,
                    m,
                )
            )
    return out


@dataclass(frozen=True)
class Agreement:
    source: str
    component: Component | None  # None: all compared components
    compared: int
    agree: int
    agree_open: int
    not_compared: int  # our status unknown

    @property
    def share(self) -> str:
        return f"{100 * self.agree / self.compared:.0f}%" if self.compared else "—"

    @property
    def share_open(self) -> str:
        return f"{100 * self.agree_open / self.compared:.0f}%" if self.compared else "—"


def agreement(comps: list[Comparison]) -> list[Agreement]:
    rows = []
    for source in SOURCES:
        for comp in (*COMPARED, None):
            sel = [c for c in comps if c.source == source and (comp is None or c.component == comp)]
            if not sel:
                continue
            done = [c for c in sel if c.comparable]
            rows.append(
                Agreement(
                    source,
                    comp,
                    len(done),
                    sum(c.agree for c in done),
                    sum(c.agree_open for c in done),
                    len(sel) - len(done),
                )
            )
    return rows


def _href(scores: dict[str, Scorecard], model: str) -> str:
    return f"../families/{scores[model].family}/#{anchor(model)}"


def record_fields(beside: Beside | None, scores: dict[str, Scorecard]) -> dict[str, dict[str, Any]]:
    """model id -> the export's `second_opinions` and `providers` fields."""
    out: dict[str, dict[str, Any]] = {m: {"second_opinions": [], "providers": None} for m in scores}
    if beside is None:
        return out
    comps = comparisons(beside, scores)
    snaps = beside.opinions.snapshots if beside.opinions else {}
    for m in beside.opinions.matches if beside.opinions else ():
        if m.model not in out:
            continue
        snap = snaps[m.entry.source]
        mine = [c for c in comps if c.match is m]
        out[m.model]["second_opinions"].append(
            {
                "source": m.entry.source,
                "name": snap.name,
                "entry": m.entry.key,
                "entry_name": m.entry.name,
                "url": m.entry.url,
                "matched_by": m.how,
                "commit": snap.commit,
                "date": snap.commit_date,
                "stale": snap.stale,
                "license": snap.license,
                "attribution": snap.attribution,
                "verdicts": {
                    c.component.value: {
                        "verdict": c.theirs.verdict,
                        "said": c.theirs.said,
                        "link": c.theirs.link,
                        "ours": c.ours.value,
                        "agrees": c.agree if c.comparable else None,
                    }
                    for c in mine
                },
            }
        )
    prov = beside.providers
    for model_id, fields in out.items():
        offers = prov.models.get(model_id) if prov else None
        if offers is not None:
            fields["providers"] = _offers_record(offers)
    return out


def _offers_record(offers: ModelOffers) -> dict[str, Any]:
    cheapest = offers.cheapest()
    return {
        "fetched_at": offers.fetched_at,
        "stale": offers.stale,
        "served": bool(offers.live),
        "offers": [
            {
                "provider": o.provider,
                "status": o.status,
                "task": o.task,
                "input_per_million": o.input_per_m,
                "output_per_million": o.output_per_m,
                "context_length": o.context_length,
            }
            for o in offers.offers
        ],
        "cheapest": None
        if cheapest is None
        else {
            "provider": cheapest.provider,
            "input_per_million": cheapest.input_per_m,
            "output_per_million": cheapest.output_per_m,
        },
    }


# -- pages ----------------------------------------------------------------------------------


def _open_count(card: Scorecard) -> int:
    return sum(1 for c in Criterion if card.criteria[c].status == Status.OPEN)


def price_chart(points: list[tuple[str, str, int, float, str]]) -> str:
    """Openness (open criteria, 0-6) against the cheapest blended price, log scale."""
    width, height, left, bottom, top, right = 640, 300, 48, 40, 12, 16
    if not points:
        return ""
    prices = [p[3] for p in points]
    lo = math.floor(math.log10(max(min(prices), 1e-3)))
    hi = math.ceil(math.log10(max(max(prices), 1e-3 * 10)))
    hi = hi if hi > lo else lo + 1

    def x(price: float) -> float:
        return left + (math.log10(max(price, 1e-3)) - lo) / (hi - lo) * (width - left - right)

    def y(opened: int) -> float:
        return top + (6 - opened) / 6 * (height - top - bottom)

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            'role="img" aria-labelledby="oma-price-title" class="oma-price-chart">'
            '<title id="oma-price-title">Openness against the cheapest price per million '
            "tokens</title>"
        )
    ]
    for k in range(7):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(k):.1f}" y2="{y(k):.1f}" '
            'stroke="#ccc" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{y(k) + 4:.1f}" font-size="10" '
            f'text-anchor="end">{k}</text>'
        )
    for e in range(lo, hi + 1):
        parts.append(
            f'<text x="{x(10**e):.1f}" y="{height - bottom + 14}" font-size="10" '
            f'text-anchor="middle">${10**e:g}</text>'
        )
    parts.append(
        f'<text x="{(left + width) / 2:.0f}" y="{height - 6}" font-size="11" '
        'text-anchor="middle">cheapest blended price, USD per million tokens '
        "(log scale)</text>"
    )
    for model_id, name, opened, price, href in points:
        label = xml_escape(f"{name} ({model_id}): {opened}/6 open, ${price:.3g}")
        parts.append(
            f'<a href="{xml_escape(href)}"><circle cx="{x(price):.1f}" '
            f'cy="{y(opened):.1f}" r="4" fill="{"#2e7d32" if opened == 6 else "#3f51b5"}"'
            f' fill-opacity="0.7"><title>{label}</title></circle></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def pages(
    env: Environment,
    ctx: dict[str, Any],
    beside: Beside | None,
    scores: dict[str, Scorecard],
    names: dict[str, str],
) -> dict[str, str | bytes]:
    beside = beside or Beside(None, None)
    comps = comparisons(beside, scores)
    disagreements = [c for c in comps if c.comparable and not c.agree]
    disagreements.sort(key=lambda c: (c.agree_open, c.source, c.model, c.component.value))
    leads = [c for c in comps if not c.comparable]
    notes = beside.opinions.notes if beside.opinions else {}
    href = {m: _href(scores, m) for m in scores}
    opinions_page = env.get_template("opinions.md.j2").render(
        ctx,
        beside=beside,
        comps=comps,
        disagreements=disagreements,
        leads=leads,
        agreement=agreement(comps),
        notes=notes,
        href=href,
        names=names,
        SOURCE_NAMES=SOURCE_NAMES,
        COMPONENT_LABELS=COMPONENT_LABELS,
        matched=sorted(beside.opinions.matches, key=lambda m: (m.model, m.entry.source))
        if beside.opinions
        else [],
        unmatched=beside.opinions.unmatched if beside.opinions else (),
    )
    served = []
    points = []
    prov = beside.providers
    for model_id, card in scores.items():
        offers = prov.models.get(model_id) if prov else None
        if offers is None or not offers.live:
            continue
        cheapest = offers.cheapest()
        served.append((model_id, card, offers, cheapest))
        if cheapest is not None:
            points.append(
                (model_id, names[model_id], _open_count(card), blended(cheapest), href[model_id])
            )
    served.sort(key=lambda t: (t[3] is None, blended(t[3]) if t[3] else 0.0, t[0]))
    providers_page = env.get_template("providers.md.j2").render(
        ctx,
        providers=prov,
        served=served,
        href=href,
        names=names,
        total=len(scores),
        open_count=_open_count,
        chart=Markup(price_chart(points)),
        points=points,
        blended=blended,
    )
    return {"opinions.md": opinions_page, "providers.md": providers_page}
