"""Reports for maintainers: a PR's effect on the scorecards, evidence coverage per family."""

from __future__ import annotations

from generator.catalog.schema import Catalog, Status
from generator.catalog.validate import all_entries
from generator.score.scorecard import NOT_APPLICABLE, Criterion, Scorer


def diff(base: Catalog | None, head: Catalog) -> str:
    """Markdown: models added/removed and criteria that moved, base -> head."""
    new = Scorer(head).score_all()
    old = Scorer(base).score_all() if base is not None else {}
    lines = ["## Scorecard changes", ""]
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    moved = []
    for model_id in sorted(set(new) & set(old)):
        for crit in Criterion:
            before = old[model_id].criteria[crit].status
            after = new[model_id].criteria[crit].status
            if before != after:
                moved.append(f"| `{model_id}` | {crit.value} | {before.value} | {after.value} |")
        if old[model_id].open_source != new[model_id].open_source:
            moved.append(f"| `{model_id}` | open_source | {old[model_id].open_source} | "
                         f"{new[model_id].open_source} |")
    if base is None:
        lines.append("The base catalog did not load; every model counts as added.")
    if not (added or removed or moved):
        lines.append("No scorecard changes.")
    if added:
        lines += [f"**Added ({len(added)}):** " + ", ".join(f"`{m}`" for m in added), ""]
    if removed:
        lines += [f"**Removed ({len(removed)}):** " + ", ".join(f"`{m}`" for m in removed), ""]
    if moved:
        lines += ["| model | criterion | before | after |", "|---|---|---|---|", *moved]
    return "\n".join(lines) + "\n"


def coverage(catalog: Catalog) -> str:
    """Markdown table: per family, components recorded with evidence, and unknowns."""
    lines = [
        "| family | models | components | with evidence | unknown | evidence coverage |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    scorer = Scorer(catalog)
    totals = [0, 0, 0, 0]
    for family in catalog.families:
        entries = [e for fam, e in all_entries(catalog) if fam.id == family.id]
        comps = [eff for e in entries for eff in scorer.components(e.id).values()
                 if eff.origin != NOT_APPLICABLE]
        evidenced = sum(1 for c in comps if c.assessment.evidence)
        unknown = sum(1 for c in comps if c.status == Status.UNKNOWN)
        share = evidenced / len(comps) if comps else 0.0
        lines.append(f"| {family.id} | {len(entries)} | {len(comps)} | {evidenced} | "
                     f"{unknown} | {share:.0%} |")
        for i, value in enumerate((len(entries), len(comps), evidenced, unknown)):
            totals[i] += value
    share = totals[2] / totals[1] if totals[1] else 0.0
    lines.append(f"| **all** | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | "
                 f"{share:.0%} |")
    urls = {u for _f, e in all_entries(catalog) for a in e.openness.values() for u in a.evidence}
    urls |= {u for f in catalog.families for a in f.openness.values() for u in a.evidence}
    lines += ["", (f"{len(catalog.families)} families, {totals[0]} models and fine-tunes, "
              f"{len(urls)} distinct evidence URLs.")]
    return "\n".join(lines) + "\n"
