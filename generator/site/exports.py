"""Machine-readable outputs: /api/catalog.json (a public, stable interface), CSV, SVG badges."""

from __future__ import annotations

import csv
import io
from typing import Any

from generator.catalog.schema import Catalog, Component, Derivative, Model, Status
from generator.score.scorecard import Criterion, CriterionResult, Scorecard
from generator.site.hubview import HubIndex, HubView
from generator.site.markup import csv_cell, json_text, xml_text

SCHEMA_VERSION = 1


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    text: str = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("+00:00", "Z")


def _hub(view: HubView) -> dict[str, Any] | None:
    if not view.synced:
        return None
    return {
        "downloads": view.get("downloads"),
        "likes": view.get("likes"),
        "gated": view.get("gated"),
        "last_modified": _iso(view.get("last_modified")),
        "fetched_at": _iso(view.get("fetched_at")),
        "pipeline_tag": view.get("pipeline_tag"),
        "stale": view.stale,
    }


def _evidence(result: CriterionResult) -> list[dict[str, Any]]:
    """What one criterion cell rests on: each component, where it was recorded, its URLs."""
    return [
        {
            "component": e.component.value,
            "model": e.entry,
            "status": e.effective.status.value,
            "origin": e.effective.origin.value,
            "recorded_on": e.effective.source,
            "urls": list(e.urls),
        }
        for e in result.evidence
    ]


def model_record(entry: Model | Derivative, card: Scorecard, view: HubView) -> dict[str, Any]:
    weights_access = card.components[Component.WEIGHTS].assessment.access
    record: dict[str, Any] = {
        "id": entry.id,
        "family": card.family,
        "name": entry.name,
        "kind": entry.relation.value if isinstance(entry, Derivative) else entry.kind.value,
        "derivative": isinstance(entry, Derivative),
        "base": entry.base,
        "released": entry.released,
        "params_b": entry.params_b,
        "context_length": entry.context_length,
        "criteria": {c.value: card.criteria[c].status.value for c in Criterion},
        "open_source": card.open_source,
        "verdict": card.verdict.value,
        "blockers": [c.value for c in [*card.blockers, *card.to_verify]],
        "to_verify": [c.value for c in card.to_verify],
        "evidence": {c.value: _evidence(card.criteria[c]) for c in Criterion},
        "license": " AND ".join(card.license_ids) or None,
        "license_class": card.license_class.value,
        "osaid": card.osaid.result,
        "mof": card.mof.result,
        "hub": _hub(view),
    }
    record["weights_access"] = weights_access.value if weights_access else None
    record["tasks"] = [t.value for t in entry.tasks]
    record["modalities"] = ["text", *(m.value for m in entry.modalities if m.value != "text")]
    record["checked"] = entry.checked.isoformat() if entry.checked else None
    if isinstance(entry, Derivative):
        record["domain"] = entry.domain.value
        record["specialization"] = entry.specialization
    return record


def catalog_document(
    catalog: Catalog,
    scores: dict[str, Scorecard],
    hubs: HubIndex,
    generated_at: str | None,
    extra: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The /api/catalog.json document (JSON-native values only)."""
    families = []
    models: list[dict[str, Any]] = []
    for family in catalog.families:
        entries = family.entries()
        families.append(
            {
                "id": family.id,
                "name": family.name,
                "organization": family.organization,
                "models": [e.id for e in entries],
            }
        )
        for e in entries:
            record = model_record(e, scores[e.id], hubs.view(e.id))
            record.update((extra or {}).get(e.id, {}))  # issue 15: second_opinions, providers
            models.append(record)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at,
        "families": families,
        "models": models,
    }


# The six criteria are columns of their own; the weights' license ids (the JSON's `license`)
# are `weights_license` here, since one criterion is also called `license`.
CSV_COLUMNS = [
    "id",
    "family",
    "name",
    "kind",
    "derivative",
    "base",
    "released",
    "params_b",
    "context_length",
    *[c.value for c in Criterion],
    "open_source",
    "weights_license",
    "license_class",
    "osaid",
    "mof",
    "downloads",
    "likes",
]


def catalog_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rec in records:
        hub = rec["hub"] or {}
        flat = {
            **rec,
            **rec["criteria"],
            "weights_license": rec["license"],
            "downloads": hub.get("downloads"),
            "likes": hub.get("likes"),
        }
        writer.writerow(
            ["" if flat.get(col) is None else csv_cell(flat[col]) for col in CSV_COLUMNS]
        )
    return out.getvalue()


BADGE_COLOURS = {"open source": "#2e7d32", "high": "#558b2f", "mid": "#f9a825", "low": "#c62828"}


def badge_svg(card: Scorecard) -> str:
    """A flat SVG badge: 'openness | open source' or 'openness | N/6 open'."""
    opened = sum(1 for c in Criterion if card.criteria[c].status == Status.OPEN)
    if card.open_source:
        value, colour = "open source", BADGE_COLOURS["open source"]
    else:
        value = f"{opened}/6 open"
        colour = BADGE_COLOURS["high" if opened >= 4 else "mid" if opened >= 2 else "low"]
    left, right = 62, 7 * len(value) + 12
    label = xml_text(f"openness: {value} ({card.id})")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" '
        f'role="img" aria-label="{label}"><title>{label}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="6" y="14">openness</text><text x="{left + 6}" y="14">{xml_text(value)}</text>'
        "</g></svg>\n"
    )


def export_files(
    catalog: Catalog,
    scores: dict[str, Scorecard],
    hubs: HubIndex,
    generated_at: str | None,
    extra: dict[str, dict[str, Any]] | None = None,
) -> dict[str, str | bytes]:
    doc = catalog_document(catalog, scores, hubs, generated_at, extra)
    files: dict[str, str | bytes] = {
        "api/catalog.json": json_text(doc, indent=1, ensure_ascii=False) + "\n",
        "api/catalog.csv": catalog_csv(doc["models"]),
    }
    for model_id, card in scores.items():
        files[f"badges/{model_id}.svg"] = badge_svg(card)
    return files
