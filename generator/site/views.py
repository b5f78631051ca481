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
from generator.catalog.schema import Catalog, Component, Derivative, Family, Status, Task
from generator.score.scorecard import (
    CRITERION_LABELS,
    Criterion,
    Origin,
    Scorecard,
    VerdictState,
)
from generator.site import changelog, hubview
from generator.site.markup import format_params

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
            names = [(lic, licenses.display_name(lic, data.catalog)) for lic in card.license_ids]
            rows[entry.id] = Row(
                entry,
                family,
                card,
                hubs.view(entry.id),
                names,
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
            node.outside_href = f"models/{base.entry.id}/"
        roots.append(node)
    return roots


def _label(row: Row) -> str:
    entry = row.entry
    if isinstance(entry, Derivative):
        return f"community {entry.relation.value}, {entry.domain.value}"
    return str(entry.kind.value)


def card_groups(members: list[Row]) -> list[list[Row]]:
    """Models with the same set of cells share one card (in catalog order): a family of
    sixteen sizes under one license need not repeat itself sixteen times; each model's own
    page has the evidence behind its cells."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in members:
        groups.setdefault(_card_signature(row), []).append(row)
    return list(groups.values())


def _card_signature(row: Row) -> tuple[Any, ...]:
    return (row.is_derivative, tuple((c, r.status) for c, r in row.card.criteria.items()))


def own_components(row: Row) -> list[tuple[Component, Any]]:
    """The components a model sets itself (overrides of the family, or a fine-tune's own)."""
    return [
        (c, eff.assessment) for c, eff in row.card.components.items() if eff.origin == Origin.MODEL
    ]


@dataclass(frozen=True)
class FamilySummary:
    best: Row
    license_classes: list[str]
    sizes: str
    downloads: int | None


def summarize(family: Family, rows: dict[str, Row]) -> FamilySummary:
    """A family at a glance: its most open model, license classes, sizes, popularity."""
    members = [rows[m.id] for m in family.models]
    best = min(
        members, key=lambda r: (len(r.card.blockers), len(r.card.to_verify), -open_count(r.card))
    )
    classes = sorted({r.card.license_class for r in members}, key=list(LICENSE_CLASS_LABELS).index)
    sizes = sorted(r.entry.params_b for r in members if not isinstance(r.entry.params_b, str))
    size_text = (
        "unknown"
        if not sizes
        else (
            format_params(sizes[0])
            if sizes[0] == sizes[-1]
            else f"{format_params(sizes[0])} to {format_params(sizes[-1])}"
        )
    )
    counts = [r.hub.get("downloads") for r in members if r.hub.synced]
    downloads = sum(c for c in counts if isinstance(c, int)) if counts else None
    return FamilySummary(best, [LICENSE_CLASS_LABELS[c] for c in classes], size_text, downloads)


def open_count(card: Scorecard) -> int:
    return sum(1 for c in Criterion if card.criteria[c].status == Status.OPEN)


def _opts(values: list[str], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(v, (labels or {}).get(v, v)) for v in values]


def _status_filters(first_cell: int) -> list[dict[str, Any]]:
    """One filter per criterion; a row's status is read from its criterion cell's class."""
    return [
        {
            "key": c.value.replace("_", "-"),
            "label": CRITERION_LABELS[c],
            "type": "eq",
            "cell": first_cell + i,
            "options": _opts([s.value for s in Status]),
        }
        for i, c in enumerate(Criterion)
    ]


def _class_filter() -> dict[str, Any]:
    return {
        "key": "class",
        "attr": "lclass",
        "label": "License class",
        "type": "multi",
        "options": [(c.value, label) for c, label in LICENSE_CLASS_LABELS.items()],
    }


def _size_filters() -> list[dict[str, Any]]:
    return [
        {"key": "min-params", "attr": "params", "type": "min", "label": "Min size (B)"},
        {"key": "max-params", "attr": "params", "type": "max", "label": "Max size (B)"},
    ]


def _task_filter(rows: dict[str, Row]) -> dict[str, Any]:
    used = {t for r in rows.values() for t in tasks_of(r)}
    return {
        "key": "task",
        "attr": "tasks",
        "label": "What it is for",
        "type": "has",
        "options": _opts([t.value for t in Task if t.value in used]),
    }


def _normal(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every spec names the row attribute it reads (or the cell whose class it reads)."""
    return [{"attr": f["key"], "cell": None, **f} for f in specs]


def matrix_filters(data: SiteData, rows: dict[str, Row]) -> list[dict[str, Any]]:
    """The scorecards page's filters (drawn by the template, wired by atlas.js). The matrix's
    criterion cells are columns 2 to 7."""
    return _normal(
        [
            {
                "key": "family",
                "label": "Family",
                "type": "multi",
                "options": _opts(
                    [f.id for f in data.catalog.families],
                    {f.id: f.name for f in data.catalog.families},
                ),
            },
            {
                "key": "verdict",
                "label": "Verdict",
                "type": "eq",
                "options": _opts(
                    [v.value.replace(" ", "-") for v in VerdictState],
                    {v.value.replace(" ", "-"): v.value for v in VerdictState},
                ),
            },
            _class_filter(),
            {
                "key": "kind",
                "label": "Kind",
                "type": "eq",
                "options": _opts(sorted({kind_of(r) for r in rows.values()})),
            },
            _task_filter(rows),
            *_size_filters(),
            *_status_filters(1),
        ]
    )


def kind_of(row: Row) -> str:
    entry = row.entry
    return entry.relation.value if isinstance(entry, Derivative) else entry.kind.value


def tasks_of(row: Row) -> list[str]:
    """What a model is for (curated), with a fine-tune's domain folded in."""
    tasks = [t.value for t in row.entry.tasks]
    if isinstance(row.entry, Derivative):
        domain = "multilingual" if row.entry.domain.value == "language" else row.entry.domain.value
        if domain not in tasks:
            tasks.append(domain)
    return tasks


def finder_filters(rows: dict[str, Row]) -> list[dict[str, Any]]:
    """The choose page's filters: what it is for, size, license class, openness."""
    return _normal(
        [
            _task_filter(rows),
            *_size_filters(),
            _class_filter(),
            {
                "key": "datasets",
                "label": "Training data sets",
                "type": "eq",
                "options": _opts([s.value for s in Status]),
            },
            {"key": "min-open", "attr": "open", "type": "min", "label": "Open criteria at least"},
            {
                "key": "entry",
                "label": "Models or fine-tunes",
                "type": "eq",
                "options": [("model", "models"), ("fine-tune", "fine-tunes")],
            },
        ]
    )


def openness_rank(rows: dict[str, Row]) -> list[Row]:
    """Most open first: open source, then fewest blockers, most open cells, then name."""
    return sorted(
        rows.values(),
        key=lambda r: (
            len(r.card.blockers),
            len(r.card.to_verify),
            -open_count(r.card),
            r.entry.name.lower(),
        ),
    )


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
