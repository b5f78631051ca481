"""The status rules, one table per rule (inputs, expected outcome, why), and the properties
that must hold for every catalog (Hypothesis). The rules' text lives in
generator/catalog/rules.py; the methodology page and CONTRIBUTING.md print it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.catalog import rules, source
from generator.catalog.schema import Catalog, Component, Status
from generator.catalog.validate import load, validate_document
from generator.score.scorecard import Criterion, Scorer, VerdictState, combine
from tests.test_validate import CASES as VALIDATE_CASES
from tests.test_validate import VALID

ROOT = Path(__file__).resolve().parent.parent
URL = "https://example.org/evidence"


def _catalog(
    openness: dict[str, Any],
    model_openness: dict[str, Any] | None = None,
    derivative: dict[str, Any] | None = None,
) -> dict[str, Any]:
    model: dict[str, Any] = {
        "id": "org/Model-7B",
        "name": "Model 7B",
        "kind": "instruct",
        "released": "2024-01-01",
        "params_b": 7.24,
        "context_length": 4096,
        "sources": [URL],
    }
    if model_openness:
        model["openness"] = model_openness
    family: dict[str, Any] = {
        "id": "fam",
        "name": "Fam",
        "organization": "Org",
        "summary": "A family.",
        "openness": openness,
        "models": [model],
    }
    if derivative is not None:
        family["derivatives"] = [
            {
                "id": "someone/Model-7B-Med",
                "name": "Med",
                "base": "org/Model-7B",
                "relation": "finetune",
                "domain": "medical",
                "specialization": "Medicine.",
                "released": "unknown",
                "params_b": 7.24,
                "context_length": 4096,
                "sources": [URL],
                "openness": derivative,
            }
        ]
    return {
        "licenses": {"LicenseRef-Custom": {"name": "Custom", "url": URL, "commercial": True}},
        "families": [family],
    }


def _errors(data: dict[str, Any]) -> list[str]:
    doc = source.parse(json.dumps(data), "catalog.yaml")
    return [f"{p.where}: {p.message}" for p in validate_document(doc).errors]


def _weights(**fields: Any) -> dict[str, Any]:
    return {"weights": {"licenses": ["Apache-2.0"], "evidence": [URL], **fields}}


# (assessment of the weights, expected error fragment or None, why)
WEIGHTS_CASES = [
    ({"status": "open", "access": "public"}, None, "downloadable by anyone"),
    ({"status": "open", "access": "click-through"}, None, "an automatic click-through is open"),
    (
        {"status": "open", "access": "approval"},
        "approval by a person makes the weights 'partial'",
        "a person's approval is not open",
    ),
    ({"status": "open"}, "need access:", "released weights say how they are reached"),
    (
        {"status": "partial", "access": "approval", "note": "Gated: Meta approves requests."},
        None,
        "approval is partial",
    ),
    ({"status": "partial", "access": "approval"}, "needs a note", "partial says what is missing"),
    ({"status": "closed", "access": "none"}, None, "not downloadable"),
    (
        {"status": "closed", "access": "public"},
        "contradicts status 'closed'",
        "public weights are not closed",
    ),
    ({"status": "unknown", "access": "public"}, None, "unknown asks nothing"),
    (
        {"status": "open", "access": "public", "evidence": []},
        "needs evidence",
        "open needs a URL that shows it",
    ),
    (
        {"status": "open", "access": "public", "licenses": []},
        "need their license id",
        "released weights carry their license",
    ),
    (
        {"status": "open", "access": "public", "evidence": ["https://deepwiki.com/x/y"]},
        "aggregator",
        "an AI-written wiki is no evidence",
    ),
    (
        {"status": "open", "access": "public", "evidence": ["javascript:alert(1)"]},
        "not an http(s) URL",
        "evidence is a public web page",
    ),
]


@pytest.mark.parametrize(("weights", "expected", "why"), WEIGHTS_CASES)
def test_weights_rules(weights: dict[str, Any], expected: str | None, why: str) -> None:
    errors = _errors(_catalog(_weights(**weights)))
    if expected is None:
        assert errors == [], why
    else:
        assert any(expected in e for e in errors), (why, errors)


# (component, assessment, expected error fragment or None, why)
COMPONENT_CASES = [
    (
        "evaluation_code",
        {"status": "closed"},
        "needs evidence",
        "closed needs a statement that it is withheld",
    ),
    ("evaluation_code", {"status": "closed", "evidence": [URL]}, None, "closed with a statement"),
    ("evaluation_code", {"status": "unknown"}, None, "unknown is not closed and needs nothing"),
    (
        "pretraining_data",
        {"status": "partial", "evidence": [URL]},
        "needs a note",
        "partial names what is missing",
    ),
    (
        "pretraining_data",
        {"status": "partial", "evidence": [URL], "note": "Only the SFT mix."},
        None,
        "partial with a note",
    ),
    (
        "training_code",
        {"status": "open", "evidence": [URL], "access": "public"},
        "recorded on the weights only",
        "access is a property of the weights",
    ),
    (
        "paper",
        {"status": "open", "evidence": ["https://en.wikipedia.org/wiki/Llama"]},
        "aggregator",
        "an encyclopedia is not the paper",
    ),
]


@pytest.mark.parametrize(("component", "assessment", "expected", "why"), COMPONENT_CASES)
def test_component_rules(
    component: str, assessment: dict[str, Any], expected: str | None, why: str
) -> None:
    errors = _errors(_catalog({**_weights(status="open", access="public"), component: assessment}))
    if expected is None:
        assert errors == [], why
    else:
        assert any(expected in e for e in errors), (why, errors)


def test_a_fact_source_on_an_aggregator_is_an_error() -> None:
    data = _catalog(_weights(status="open", access="public"))
    data["families"][0]["models"][0]["sources"] = ["https://aiwiki.ai/wiki/llama_2"]
    assert any("families[0].models[0].sources[0]" in e and "aggregator" in e for e in _errors(data))


def _card(openness: dict[str, Any], **kwargs: Any) -> Any:
    data = _catalog(openness, **kwargs)
    loaded = validate_document(source.parse(json.dumps(data), "catalog.yaml"))
    assert loaded.catalog is not None, [str(p) for p in loaded.errors]
    return Scorer(loaded.catalog)


ALL_OPEN = {
    c: {"status": "open", "evidence": [URL]}
    for c in (
        "pretraining_data",
        "finetuning_data",
        "evaluation_code",
        "finetuning_code",
        "training_logs",
    )
}

# (overrides of an otherwise all-open family, expected verdict, expected blockers, why)
VERDICT_CASES = [
    ({}, VerdictState.OPEN_SOURCE, [], "all six open under Apache-2.0"),
    (
        {"training_logs": {"status": "unknown"}},
        VerdictState.NOT_VERIFIED,
        [],
        "only an unknown stands in the way",
    ),
    (
        {"training_logs": {"status": "closed", "evidence": [URL]}},
        VerdictState.NOT_OPEN_SOURCE,
        [Criterion.TRAINING_METRICS],
        "a closed criterion blocks",
    ),
    (
        {
            "evaluation_code": {"status": "partial", "evidence": [URL], "note": "Some."},
            "training_logs": {"status": "closed", "evidence": [URL]},
        },
        VerdictState.NOT_OPEN_SOURCE,
        [Criterion.TRAINING_METRICS, Criterion.EVALUATION_CODE],
        "closed blockers come first",
    ),
    (
        {
            "weights": {
                "status": "open",
                "access": "public",
                "licenses": ["LicenseRef-Custom"],
                "evidence": [URL],
            }
        },
        VerdictState.NOT_OPEN_SOURCE,
        [Criterion.LICENSE],
        "open weights under a custom license: the license criterion decides, once",
    ),
    (
        {
            "weights": {
                "status": "open",
                "access": "public",
                "licenses": ["CC-BY-NC-4.0"],
                "evidence": [URL],
            }
        },
        VerdictState.NOT_OPEN_SOURCE,
        [Criterion.LICENSE],
        "non-commercial license: closed license criterion",
    ),
]


@pytest.mark.parametrize(("overrides", "verdict", "blockers", "why"), VERDICT_CASES)
def test_verdicts(
    overrides: dict[str, Any], verdict: VerdictState, blockers: list[Criterion], why: str
) -> None:
    family = {**ALL_OPEN, **_weights(status="open", access="public"), **overrides}
    card = _card(family).score("org/Model-7B")
    assert card.verdict == verdict, why
    assert card.blockers == blockers, why
    assert card.open_source is (verdict == VerdictState.OPEN_SOURCE)
    if overrides.get("weights", {}).get("licenses"):
        assert card.criteria[Criterion.WEIGHTS].status == Status.OPEN  # not judged twice


def test_every_cell_says_where_its_evidence_was_recorded() -> None:
    family = {**ALL_OPEN, **_weights(status="open", access="public")}
    scorer = _card(family, derivative={"finetuning_data": {"status": "closed", "evidence": [URL]}})
    card = scorer.score("someone/Model-7B-Med")
    weights = card.criteria[Criterion.WEIGHTS].evidence[0].effective
    assert (weights.origin.value, weights.source) == ("inherited", "org/Model-7B")
    data = card.criteria[Criterion.DATASETS]
    assert [(e.component, e.entry) for e in data.evidence] == [
        (Component.PRETRAINING_DATA, "someone/Model-7B-Med"),
        (Component.FINETUNING_DATA, "org/Model-7B"),
        (Component.FINETUNING_DATA, "someone/Model-7B-Med"),
    ]
    assert data.status == Status.PARTIAL  # open stages plus a closed one
    assert card.criteria[Criterion.LICENSE].urls == ("https://spdx.org/licenses/Apache-2.0.html",)


# -- properties ------------------------------------------------------------------------------

statuses = st.sampled_from(list(Status))


@given(st.lists(statuses, max_size=6))
def test_combine_never_turns_unknown_into_closed_or_open(parts: list[Status]) -> None:
    result = combine(parts)
    if Status.UNKNOWN in parts and result == Status.CLOSED:
        assert all(p in (Status.CLOSED, Status.UNKNOWN) for p in parts)
        assert Status.CLOSED in parts  # closed only where something known is closed
    if result == Status.OPEN:
        assert parts
        assert all(p == Status.OPEN for p in parts)
    if not parts or all(p == Status.UNKNOWN for p in parts):
        assert result == Status.UNKNOWN


_COMPONENTS = [
    "pretraining_data",
    "evaluation_code",
    "finetuning_code",
    "training_logs",
    "training_code",
    "checkpoints",
]


def _assessment(status: Status) -> dict[str, Any]:
    out: dict[str, Any] = {"status": status.value}
    if status != Status.UNKNOWN:
        out["evidence"] = [URL]
    if status == Status.PARTIAL:
        out["note"] = "Part of it."
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(_COMPONENTS), statuses),
    st.dictionaries(st.sampled_from(_COMPONENTS), statuses),
)
def test_open_source_iff_all_six_open_and_derivatives_inherit(
    family: dict[str, Status], own: dict[str, Status]
) -> None:
    openness = {c: _assessment(s) for c, s in family.items()}
    openness.update(_weights(status="open", access="public"))
    scorer = _card(openness, derivative={c: _assessment(s) for c, s in own.items()})
    for model_id in ("org/Model-7B", "someone/Model-7B-Med"):
        card = scorer.score(model_id)
        all_open = all(card.criteria[c].status == Status.OPEN for c in Criterion)
        assert card.open_source is all_open
        assert (card.verdict == VerdictState.OPEN_SOURCE) is all_open
        assert set(card.blockers) | set(card.to_verify) == {
            c for c in Criterion if card.criteria[c].status != Status.OPEN
        }
    base = scorer.score("org/Model-7B")
    child = scorer.score("someone/Model-7B-Med")
    # What the derivative does not set itself is its base's, never more open.
    for comp in Component:
        if comp.value not in own and comp != Component.FINETUNING_DATA:
            assert child.components[comp].status == base.components[comp].status
    # Its data criterion covers the base's stages too: open only if the base's is.
    if base.criteria[Criterion.DATASETS].status != Status.OPEN:
        assert child.criteria[Criterion.DATASETS].status != Status.OPEN
    if not base.open_source:
        assert not child.open_source


def test_the_rules_text_is_one_source_for_the_docs() -> None:
    text = rules.rules_markdown()
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    assert start in contributing, "CONTRIBUTING.md lacks the generated rules block"
    block = contributing.split(start, 1)[1].split(end, 1)[0]
    assert block == text, "CONTRIBUTING.md's rules are stale: run `python -m generator docs`"
    for rule in rules.STATUS_RULES:
        assert rule.means in text


def test_the_real_catalog_follows_the_rules() -> None:
    doc = source.read(ROOT / "catalog.yaml")
    loaded = validate_document(doc)
    assert [str(p) for p in loaded.errors] == []
    catalog: Catalog | None = loaded.catalog
    assert catalog is not None


# The schema and rule errors of tests/test_validate.py, in-process (the CLI tests run in a
# subprocess, which mutation testing cannot map to the code they reach): same input, same
# PATH:LINE:COL, same message.
@pytest.mark.parametrize(("old", "new", "line", "col", "message"), VALIDATE_CASES)
def test_each_broken_field_is_reported_at_its_line(
    tmp_path: Path, old: str, new: str, line: int, col: int, message: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(VALID.replace(old, new, 1), encoding="utf-8")
    loaded = load(path)
    assert loaded.catalog is None
    located = [p for p in loaded.errors if (p.file, p.line, p.col) == (str(path), line, col)]
    # the message itself starts with the expected text (no "Value error, " left in front)
    assert any(
        p.message.startswith(message) or f"{p.where}: {p.message}".startswith(message)
        for p in located
    ), [str(p) for p in loaded.problems]


def test_every_error_is_reported_once_and_a_valid_catalog_has_none(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert load(path).problems == []
    text = VALID.replace("status: open", "status: opn").replace("params_b: 1\n", "params_b: -1\n")
    path.write_text(
        text.replace("evidence: [https://example.org/w]", "evidance: []"), encoding="utf-8"
    )
    loaded = load(path)
    assert [(p.line, p.col, p.where) for p in loaded.errors] == [
        (13, 17, "families[0].openness.weights.status"),
        (15, 9, "families[0].openness.weights.evidance"),
        (22, 19, "families[0].models[0].params_b"),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://deepwiki.com/org/repo", "deepwiki.com"),
        ("https://www.DeepWiki.com/org/repo", "deepwiki.com"),
        ("https://deepwiki.com:8443/org/repo", "deepwiki.com"),
        ("deepwiki.com/org/repo", "deepwiki.com"),
        ("https://notdeepwiki.com/org/repo", None),
        ("https://example.org/go?to=https://deepwiki.com/x", None),
        ("https://huggingface.co/org/repo", None),
    ],
)
def test_an_aggregator_is_known_by_its_host(url: str, expected: str | None) -> None:
    assert rules.aggregator(url) == expected
