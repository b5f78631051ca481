"""Reports for maintainers: evidence coverage per family and the rules' figures (a PR's effect
on the scorecards is `generator.score.diff`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from generator.catalog import rules
from generator.catalog.schema import Catalog, Status
from generator.catalog.validate import all_entries
from generator.score.scorecard import NOT_APPLICABLE, Scorer


def coverage(catalog: Catalog, today: date | None = None, problems: int = 0) -> str:
    """Markdown: per family, components recorded with evidence and unknowns; then the
    catalog-wide figures the status rules are held to (unknown share, aggregator sources,
    rule violations, entries not checked by a person for over 12 months)."""
    lines = [
        "| family | models | components | with evidence | unknown | evidence coverage |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    scorer = Scorer(catalog)
    totals = [0, 0, 0, 0]
    for family in catalog.families:
        entries = [e for fam, e in all_entries(catalog) if fam.id == family.id]
        comps = [
            eff
            for e in entries
            for eff in scorer.components(e.id).values()
            if eff.origin != NOT_APPLICABLE
        ]
        evidenced = sum(1 for c in comps if c.assessment.evidence)
        unknown = sum(1 for c in comps if c.status == Status.UNKNOWN)
        share = evidenced / len(comps) if comps else 0.0
        lines.append(
            f"| {family.id} | {len(entries)} | {len(comps)} | {evidenced} | "
            f"{unknown} | {share:.0%} |"
        )
        for i, value in enumerate((len(entries), len(comps), evidenced, unknown)):
            totals[i] += value
    share = totals[2] / totals[1] if totals[1] else 0.0
    lines.append(
        f"| **all** | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | {share:.0%} |"
    )
    urls = {u for _f, e in all_entries(catalog) for a in e.openness.values() for u in a.evidence}
    urls |= {u for f in catalog.families for a in f.openness.values() for u in a.evidence}
    lines += [
        "",
        (
            f"{len(catalog.families)} families, {totals[0]} models and fine-tunes, "
            f"{len(urls)} distinct evidence URLs."
        ),
    ]
    lines += [
        "",
        *_rule_figures(
            catalog, totals[1], totals[3], urls, problems, today or datetime.now(UTC).date()
        ),
    ]
    return "\n".join(lines) + "\n"


def _rule_figures(
    catalog: Catalog, components: int, unknown: int, evidence: set[str], problems: int, today: date
) -> list[str]:
    entries = [e for _f, e in all_entries(catalog)]
    sources = [u for e in entries for u in e.sources]
    on_aggregators = [u for u in sources if rules.aggregator(u)]
    evidence_on = sorted(u for u in evidence if rules.aggregator(u))
    cutoff = today - timedelta(days=365)
    never = sorted(e.id for e in entries if e.checked is None)
    old = sorted(f"{e.id} ({e.checked})" for e in entries if e.checked and e.checked < cutoff)
    share = unknown / components if components else 0.0
    lines = [
        f"- unknown components: {unknown} of {components} ({share:.1%})",
        f"- evidence URLs on aggregator sites: {len(evidence_on)}"
        + (f" ({', '.join(evidence_on)})" if evidence_on else ""),
        (
            f"- fact sources on aggregator sites: {len(on_aggregators)} of {len(sources)} "
            f"({len(on_aggregators) / len(sources) if sources else 0.0:.1%})"
        ),
        f"- rule violations (validate errors and warnings): {problems}",
        f"- never checked by a person: {len(never)} of {len(entries)}"
        + (f" ({', '.join(never)})" if never else ""),
        f"- last checked more than 12 months ago (before {cutoff}): {len(old)}"
        + (f" ({', '.join(old)})" if old else ""),
    ]
    return lines
