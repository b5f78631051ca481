"""What the templates see: rows, lineage trees, shared scorecards, summaries, filters.

Pure functions from the scored catalog and the Hub index to plain view objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.catalog import licenses
from generator.catalog.drift import Drift
from generator.catalog.licenses import LICENSE_CLASS_LABELS
from generator.catalog.lock import Lock
from generator.catalog.opinions import Beside
from generator.catalog.schema import Catalog, Component, Derivative, Family, Status
from generator.score.scorecard import (
    CRITERION_LABELS,
    Criterion,
    CriterionResult,
    Origin,
    Scorecard,
)
from generator.site import changelog, hubview
from generator.site.markup import anchor, format_params, json_text

SORT_RANK = {Status.OPEN: 3, Status.PARTIAL: 2, Status.UNKNOWN: 1, Status.CLOSED: 0}
CRITERION_TEXT = {
    Criterion.DATASETS: "the data sets used to train the model",
    Criterion.WEIGHTS: "the full model weights",
    Criterion.EVALUATION_CODE: "the evaluation code",
    Criterion.FINETUNING_CODE: "the fine-tuning code",
    Criterion.TRAINING_METRICS: "the training metrics / logs",
    Criterion.LICENSE: "all of it under an OSI-approved license",
}
CRITERION_COMPONENTS = [
    (Criterion.DATASETS, "pre-training data + fine-tuning data of each stage"),
    (Criterion.WEIGHTS, "final weights"),
    (Criterion.EVALUATION_CODE, "evaluation code"),
    (Criterion.FINETUNING_CODE, "fine-tuning code"),
    (Criterion.TRAINING_METRICS, "training logs / metrics"),
    (Criterion.LICENSE, "the final weights' license(s)"),
]



@dataclass(frozen=True)
class SiteData:
    catalog: Catalog
    scores: dict[str, Scorecard]
    lock: Lock | None
    stale_days: int
    changes: tuple[changelog.Entry, ...] = ()
    site_url: str = ""
    beside: Beside | None = None  # issue 15: second opinions and providers (site/beside.py)


@dataclass(frozen=True)
class Row:
    """One model or derivative as the templates see it."""

    entry: Any
    family: Family
    card: Scorecard
    hub: hubview.HubView
    license_names: list[tuple[str, str]]
    drift: list[Drift]

    @property
    def is_derivative(self) -> bool:
        return isinstance(self.entry, Derivative)


def rows_of(data: SiteData, hubs: hubview.HubIndex) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for family in data.catalog.families:
        for entry in family.entries():
            card = data.scores[entry.id]
            names = [
                (lic, licenses.display_name(lic, data.catalog)) for lic in card.license_ids
            ]
            rows[entry.id] = Row(
                entry, family, card, hubs.view(entry.id), names,
                hubs.drift(data.catalog, entry, card),
            )
    return rows


@dataclass
class Node:
    """One model in a family's lineage tree."""

    row: Row
    label: str
    children: list[Node]
    outside: str | None = None
    outside_href: str | None = None


def lineage(family: Family, rows: dict[str, Row]) -> list[Node]:
    """Base -> instruct/chat -> community fine-tunes, as a forest (catalog order)."""
    members = family.entries()
    nodes = {e.id: Node(rows[e.id], _label(rows[e.id]), []) for e in members}
    roots: list[Node] = []
    for entry in members:
        node = nodes[entry.id]
        if entry.base in nodes and entry.base != entry.id:
            nodes[entry.base].children.append(node)
            continue
        if entry.base in rows:
            base = rows[entry.base]
            node.outside = base.entry.name
            node.outside_href = f"../{base.family.id}/#{anchor(base.entry.id)}"
        roots.append(node)
    return roots


def _label(row: Row) -> str:
    entry = row.entry
    if isinstance(entry, Derivative):
        return f"community {entry.relation.value}, {entry.domain.value}"
    return str(entry.kind.value)


def card_groups(members: list[Row]) -> list[list[Row]]:
    """Models whose scorecards would read the same share one card (in catalog order):
    a family of sixteen sizes under one license need not repeat itself sixteen times."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in members:
        groups.setdefault(_card_signature(row), []).append(row)
    return list(groups.values())


def _card_signature(row: Row) -> tuple[Any, ...]:
    card = row.card
    return (
        row.is_derivative,
        row.entry.base if row.is_derivative else None,
        tuple((c, r.status, r.because, _evidence_signature(r)) for c, r in card.criteria.items()),
        card.osaid, card.mof,
        tuple((c, a.model_dump_json()) for c, a in own_components(row)),
    )


def _evidence_signature(result: CriterionResult) -> tuple[Any, ...]:
    """What a cell shows of its evidence; a model's own id is left out (it is the group's)."""
    return tuple((e.component, e.effective.origin,
                  None if e.effective.origin == Origin.MODEL else e.effective.source, e.urls)
                 for e in result.evidence)


def own_components(row: Row) -> list[tuple[Component, Any]]:
    """The components a model sets itself (overrides of the family, or a fine-tune's own)."""
    return [(c, eff.assessment) for c, eff in row.card.components.items() if eff.origin == Origin.MODEL]


@dataclass(frozen=True)
class FamilySummary:
    best: Row
    license_classes: list[str]
    sizes: str
    downloads: int | None


def summarize(family: Family, rows: dict[str, Row]) -> FamilySummary:
    """A family at a glance: its most open model, license classes, sizes, popularity."""
    members = [rows[m.id] for m in family.models]
    best = min(members, key=lambda r: (len(r.card.blockers), len(r.card.to_verify),
                                       -open_count(r.card)))
    classes = sorted({r.card.license_class for r in members}, key=list(LICENSE_CLASS_LABELS).index)
    sizes = sorted(r.entry.params_b for r in members if not isinstance(r.entry.params_b, str))
    size_text = "unknown" if not sizes else (
        format_params(sizes[0]) if sizes[0] == sizes[-1]
        else f"{format_params(sizes[0])} to {format_params(sizes[-1])}"
    )
    counts = [r.hub.get("downloads") for r in members if r.hub.synced]
    downloads = sum(c for c in counts if isinstance(c, int)) if counts else None
    return FamilySummary(best, [LICENSE_CLASS_LABELS[c] for c in classes], size_text, downloads)


def open_count(card: Scorecard) -> int:
    return sum(1 for c in Criterion if card.criteria[c].status == Status.OPEN)


def matrix_filters(data: SiteData, rows: dict[str, Row]) -> str:
    """The scorecards page's filters, as JSON for atlas.js (which builds the controls)."""
    statuses = [s.value for s in Status]
    specs: list[dict[str, Any]] = [
        {"key": "family", "label": "Family", "values": [f.id for f in data.catalog.families],
         "labels": {f.id: f.name for f in data.catalog.families}},
        {"key": "open-source", "label": "Open source", "values": ["yes", "no"]},
        {"key": "class", "attr": "license", "label": "License class",
         "values": [c.value for c in LICENSE_CLASS_LABELS],
         "labels": {c.value: label for c, label in LICENSE_CLASS_LABELS.items()}},
        {"key": "kind", "label": "Kind"},
        {"key": "task", "label": "Task (Hub)",
         "values": sorted({r.hub.get("pipeline_tag") for r in rows.values()
                           if r.hub.get("pipeline_tag")})},
        {"key": "min-params", "attr": "params", "type": "min", "label": "Min size (B)"},
        {"key": "max-params", "attr": "params", "type": "max", "label": "Max size (B)"},
    ]
    specs += [
        {"key": c.value.replace("_", "-"), "label": CRITERION_LABELS[c], "values": statuses,
         "status": True}
        for c in Criterion
    ]
    return json_text(specs, separators=(",", ":"))


def task_of(row: Row) -> str:
    """The Hub's pipeline tag when synced, else the catalog's kind."""
    tag = row.hub.get("pipeline_tag")
    if isinstance(tag, str) and tag:
        return tag
    entry = row.entry
    return entry.relation.value if isinstance(entry, Derivative) else entry.kind.value


def finder_filters(rows: dict[str, Row]) -> str:
    """The choose page's filters: task, size, license class, minimum openness."""
    specs: list[dict[str, Any]] = [
        {"key": "task", "label": "Task",
         "values": sorted({task_of(r) for r in rows.values() if not r.is_derivative})},
        {"key": "min-params", "attr": "params", "type": "min", "label": "Min size (B)"},
        {"key": "max-params", "attr": "params", "type": "max", "label": "Max size (B)"},
        {"key": "class", "attr": "license", "label": "License class",
         "values": [c.value for c in LICENSE_CLASS_LABELS],
         "labels": {c.value: label for c, label in LICENSE_CLASS_LABELS.items()}},
        {"key": "min-open", "attr": "open", "type": "min", "label": "Open criteria at least"},
    ]
    return json_text(specs, separators=(",", ":"))


def domains(rows: dict[str, Row]) -> list[tuple[str, list[Row]]]:
    """Community fine-tunes grouped by domain, domains sorted by name."""
    grouped: dict[str, list[Row]] = {}
    for row in rows.values():
        if isinstance(row.entry, Derivative):
            grouped.setdefault(row.entry.domain.value, []).append(row)
    return sorted(grouped.items())


def newest_families(families: list[Family], count: int = 8) -> list[tuple[Family, str]]:
    """The families with the most recent releases, newest first, with that release's date
    (ISO text: "2025-12" sorts before "2025-12-01", after "2025-11-30")."""
    dated = []
    for family in families:
        days = [e.released for e in family.models if e.released != "unknown"]
        if days:
            dated.append((family, max(days)))
    return sorted(dated, key=lambda fd: (fd[1], fd[0].id), reverse=True)[:count]
