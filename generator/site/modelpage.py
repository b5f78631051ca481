"""What a model page and the compare page show beyond the scorecard: where the page lives,
its lineage up and down, its license obligations in plain words, how to run it, and the
small per-model JSON the compare page reads.

Pure functions of the view rows (`views.Row`); the templates draw them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from generator.catalog.schema import Catalog, Component, Status
from generator.site.views import Row, tasks_of

__all__ = ["tasks_of"]

# Plain-word obligations of the SPDX licenses the catalog uses most; a license the catalog
# describes itself (`licenses:`) speaks for itself through its `commercial` flag and
# `restrictions`.
SPDX_PLAIN: dict[str, tuple[bool, list[str]]] = {
    "Apache-2.0": (
        True,
        [
            (
                "Keep the license text, the copyright and NOTICE files when you redistribute it, "
                "and say which files you changed."
            ),
            "Includes a patent grant from the contributors.",
        ],
    ),
    "MIT": (True, ["Keep the copyright notice and the license text in copies."]),
    "BSD-3-Clause": (
        True,
        [
            (
                "Keep the copyright notice and the license text in copies; do not use the "
                "authors' names to endorse your product."
            ),
        ],
    ),
    "CC-BY-4.0": (True, ["Credit the authors and link the license; say if you changed it."]),
    "CC-BY-SA-4.0": (True, ["Credit the authors; share changes under the same license."]),
    "CC-BY-NC-4.0": (False, ["Non-commercial use only; credit the authors."]),
    "GPL-3.0-only": (True, ["Share source of modified versions under the same license."]),
}


def model_path(repo_id: str) -> str:
    """The page's path under docs/, without `.md`: 'allenai/OLMo-7B' -> 'models/allenai/OLMo-7B'."""
    return f"models/{repo_id}"


def model_href(repo_id: str, rel_root: str) -> str:
    """A link to a model page from a page `rel_root` below the site root."""
    return f"{rel_root}{model_path(repo_id)}/"


@dataclass(frozen=True)
class Obligation:
    license_id: str
    name: str
    url: str | None
    commercial: bool | None  # None: the catalog does not say
    terms: list[str]


def obligations(row: Row, catalog: Catalog) -> list[Obligation]:
    """What the weights' licenses ask of a user, in plain words, one entry per license."""
    out = []
    for lic, name in row.license_names:
        info = catalog.licenses.get(lic)
        if info is not None:
            out.append(
                Obligation(lic, info.name, str(info.url), info.commercial, list(info.restrictions))
            )
            continue
        commercial, terms = SPDX_PLAIN.get(lic, (None, []))
        out.append(
            Obligation(lic, name, f"https://spdx.org/licenses/{lic}.html", commercial, list(terms))
        )
    return out


@dataclass(frozen=True)
class Memory:
    bf16_gb: float
    q4_gb: float


def memory(params_b: float | str) -> Memory | None:
    """Memory for the weights alone: 2 bytes per parameter at 16-bit, about 0.5 at 4-bit
    (plus activations and the KV cache, which grow with the context)."""
    if isinstance(params_b, str):
        return None
    return Memory(round(params_b * 2, 1), round(params_b * 0.5 + 0.0, 1))


def ancestors(row: Row, rows: dict[str, Row]) -> list[Row]:
    """The chain of bases, nearest first (stops at a base outside the catalog or a cycle)."""
    chain: list[Row] = []
    seen = {row.entry.id}
    base = row.entry.base
    while base and base in rows and base not in seen:
        seen.add(base)
        chain.append(rows[base])
        base = rows[base].entry.base
    return chain


def children(row: Row, rows: dict[str, Row]) -> list[Row]:
    """The catalog's models and fine-tunes tuned directly from this one (catalog order)."""
    return [r for r in rows.values() if r.entry.base == row.entry.id and r.entry.id != row.entry.id]


def gated(row: Row) -> bool:
    access = row.card.components[Component.WEIGHTS].assessment.access
    return access is not None and access.value in ("click-through", "approval")


def weights_public(row: Row) -> bool:
    return row.card.components[Component.WEIGHTS].status in (Status.OPEN, Status.PARTIAL)


def data_date(rows: dict[str, Row]) -> str | None:
    """The newest `checked:` date of the catalog: the date of the curated data."""
    dates = [r.entry.checked for r in rows.values() if isinstance(r.entry.checked, dt.date)]
    return max(dates).isoformat() if dates else None


def compare_record(row: Row, record: dict[str, Any]) -> dict[str, Any]:
    """One model as the compare page reads it (`api/models/ORG/NAME.json`): the public
    catalog.json record, plus its family's name and its page."""
    return {**record, "family_name": row.family.name, "page": model_path(row.entry.id) + "/"}
