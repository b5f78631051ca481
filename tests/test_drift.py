"""Drift (generator.catalog.drift): one pure comparison of curated claims with Hub facts,
used by `validate` and by the pages. One table per rule."""

from __future__ import annotations

from typing import Any

import pytest

from generator.catalog.drift import DriftKind, compare
from generator.catalog.lock import HubEntry
from generator.catalog.schema import Access


def hub_entry(**fields: Any) -> HubEntry:
    return HubEntry.model_validate({"requested_id": "a/b", "id": "a/b", **fields})


def test_drift_reports_license_gating_and_base_with_both_values() -> None:
    entry = hub_entry(
        license="other",
        license_name="llama-2-community-license",
        license_tags=["llama2"],
        gated="manual",
        base_models=["meta-llama/Llama-2-7b-hf"],
    )
    assert compare(entry, ["llama2"], Access.APPROVAL, "meta-llama/llama-2-7b-hf") == []
    found = compare(entry, ["apache-2.0"], Access.PUBLIC, "mistralai/Mistral-7B-v0.1")
    assert [d.kind for d in found] == [DriftKind.LICENSE, DriftKind.GATING, DriftKind.BASE]
    assert [d.message for d in found] == [
        ("license: the catalog says apache-2.0; the Hub says other (llama-2-community-license)"),
        "gating: the catalog says access public (not gated); the Hub says gated (manual approval)",
        (
            "base model: the catalog says mistralai/Mistral-7B-v0.1; the Hub says "
            "meta-llama/Llama-2-7b-hf"
        ),
    ]


# (curated access, the Hub's gated, drift expected, why)
GATING_CASES = [
    (Access.PUBLIC, False, False, "public weights on an ungated repo agree"),
    (Access.PUBLIC, "auto", True, "the Hub added a click-through"),
    (Access.PUBLIC, "manual", True, "the Hub asks for approval"),
    (Access.CLICK_THROUGH, "auto", False, "automatic gate agrees with click-through"),
    (Access.CLICK_THROUGH, False, True, "the gate was removed"),
    (Access.CLICK_THROUGH, "manual", True, "automatic became manual"),
    (Access.APPROVAL, "manual", False, "manual gate agrees with approval"),
    (Access.APPROVAL, "auto", True, "manual became automatic"),
    (Access.APPROVAL, False, True, "the gate was removed"),
    (Access.NONE, False, False, "no claim about a Hub gate for weights that are not there"),
    (None, "manual", False, "no curated access, no claim"),
    (Access.APPROVAL, None, False, "the Hub did not say"),
]


@pytest.mark.parametrize(("access", "gated", "expected", "why"), GATING_CASES)
def test_gating_drift_compares_access_with_the_hub_gate(
    access: Access | None, gated: bool | str | None, expected: bool, why: str
) -> None:
    found = compare(hub_entry(gated=gated), [], access, None)
    assert any(d.kind == DriftKind.GATING for d in found) is expected, why


def test_a_note_saying_ungated_is_not_read_as_gated() -> None:
    """The old rule searched notes for the word "gated"; access is now a field."""
    assert compare(hub_entry(gated=False), [], Access.PUBLIC, None) == []


def test_drift_is_silent_where_the_hub_says_nothing() -> None:
    assert compare(hub_entry(), ["apache-2.0"], Access.APPROVAL, "x/y") == []
    assert compare(hub_entry(gated=False), [], None, None) == []
