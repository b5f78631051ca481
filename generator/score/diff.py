"""What a catalog change does to the scorecards, as an object: the PR summary (`generator diff`)
and the changelog each render it; nothing parses the other's text."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from generator.catalog.schema import Catalog
from generator.score.scorecard import Criterion, Scorecard, Scorer


@dataclass(frozen=True)
class Model:
    """Enough of a model to name and link it in a summary."""

    id: str
    name: str
    family: str


@dataclass(frozen=True)
class Change:
    """One criterion or verdict of one model that moved."""

    model: Model
    what: str  # a Criterion value, or "verdict"
    before: str
    after: str

    @property
    def is_verdict(self) -> bool:
        return self.what == "verdict"


@dataclass(frozen=True)
class ScorecardDiff:
    added: list[Model] = field(default_factory=list)
    removed: list[Model] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    base_loaded: bool = True

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changes)

    @property
    def criteria_changed(self) -> int:
        return sum(1 for c in self.changes if not c.is_verdict)

    @property
    def verdicts_changed(self) -> int:
        return sum(1 for c in self.changes if c.is_verdict)

    def title(self) -> str | None:
        """'3 models added, 1 removed, 2 criteria changed', or None when nothing moved."""
        parts = [
            _plural(len(self.added), "model added", "models added"),
            _plural(len(self.removed), "removed", "removed"),
            _plural(self.criteria_changed, "criterion changed", "criteria changed"),
            _plural(self.verdicts_changed, "verdict changed", "verdicts changed"),
        ]
        return ", ".join(p for p in parts if p) or None

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ScorecardDiff:
        data: dict[str, Any] = json.loads(text)
        return cls(
            added=[Model(**m) for m in data["added"]],
            removed=[Model(**m) for m in data["removed"]],
            changes=[
                Change(Model(**c["model"]), c["what"], c["before"], c["after"])
                for c in data["changes"]
            ],
            base_loaded=data["base_loaded"],
        )


def _plural(n: int, one: str, many: str) -> str:
    return "" if n == 0 else f"{n} {one if n == 1 else many}"


def _models(catalog: Catalog | None) -> dict[str, Model]:
    if catalog is None:
        return {}
    return {e.id: Model(e.id, e.name, f.id) for f in catalog.families for e in f.entries()}


def diff(base: Catalog | None, head: Catalog) -> ScorecardDiff:
    """Models added and removed, and criteria and verdicts that moved, base -> head."""
    new: dict[str, Scorecard] = Scorer(head).score_all()
    old: dict[str, Scorecard] = Scorer(base).score_all() if base is not None else {}
    new_models, old_models = _models(head), _models(base)
    changes = []
    for model_id in sorted(set(new) & set(old)):
        model = new_models[model_id]
        for crit in Criterion:
            before = old[model_id].criteria[crit].status
            after = new[model_id].criteria[crit].status
            if before != after:
                changes.append(Change(model, crit.value, before.value, after.value))
        if old[model_id].verdict != new[model_id].verdict:
            changes.append(
                Change(model, "verdict", old[model_id].verdict.value, new[model_id].verdict.value)
            )
    return ScorecardDiff(
        added=[new_models[m] for m in sorted(set(new) - set(old))],
        removed=[old_models[m] for m in sorted(set(old) - set(new))],
        changes=changes,
        base_loaded=base is not None,
    )


def markdown(d: ScorecardDiff) -> str:
    """The PR summary: models added/removed and a table of what moved."""
    lines = ["## Scorecard changes", ""]
    if not d.base_loaded:
        lines.append("The base catalog did not load; every model counts as added.")
    if d.empty:
        lines.append("No scorecard changes.")
    if d.added:
        lines += [f"**Added ({len(d.added)}):** " + ", ".join(f"`{m.id}`" for m in d.added), ""]
    if d.removed:
        lines += [
            f"**Removed ({len(d.removed)}):** " + ", ".join(f"`{m.id}`" for m in d.removed),
            "",
        ]
    if d.changes:
        lines += ["| model | criterion | before | after |", "|---|---|---|---|"]
        lines += [f"| `{c.model.id}` | {c.what} | {c.before} | {c.after} |" for c in d.changes]
    return "\n".join(lines) + "\n"
