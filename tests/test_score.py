"""Scoring rules, each with its edge cases, on the fixture catalog and small variations."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog import validate as catalog_mod
from generator.catalog.licenses import LicenseClass
from generator.catalog.schema import Catalog, Component, Status
from generator.score.scorecard import (
    Criterion,
    Origin,
    Scorecard,
    Scorer,
    Verdict,
    VerdictState,
    combine,
)
from tests.conftest import FIXTURES, ROOT
from tests.test_rules import URL, _catalog

O, P, C, U = Status.OPEN, Status.PARTIAL, Status.CLOSED, Status.UNKNOWN


def _fixture() -> Catalog:
    loaded = catalog_mod.load(FIXTURES / "catalog.yaml")
    assert loaded.catalog is not None, loaded.problems
    return loaded.catalog


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(_fixture())


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([O, O], O),
        ([C, C], C),
        ([O, C], P),
        ([O, P], P),
        ([O, U], U),
        ([C, U], C),
        ([P, U], P),
        ([], U),
        ([P], P),
    ],
)
def test_combine(statuses: list[Status], expected: Status) -> None:
    assert combine(statuses) == expected


def test_fully_open_base_is_open_source(scorer: Scorer) -> None:
    card = scorer.score("open-lab/Open-7B")
    assert card.open_source
    assert card.blockers == []
    assert card.license_class == LicenseClass.OSI
    assert card.osaid.result == "meets"
    assert card.mof.result == "Class I (Open Science)"


def test_base_model_fine_tuning_data_is_not_applicable(scorer: Scorer) -> None:
    comps = scorer.components("open-lab/Open-7B")
    assert comps[Component.FINETUNING_DATA].origin == "not applicable"
    # ... and does not count against the data criterion
    assert scorer.score("open-lab/Open-7B").criteria[Criterion.DATASETS].status == O


def test_family_defaults_apply_and_origin_is_recorded(scorer: Scorer) -> None:
    comps = scorer.components("open-lab/Open-7B-Instruct")
    assert comps[Component.WEIGHTS].origin == "family default"
    assert comps[Component.FINETUNING_DATA].origin == "model"


def test_instruct_model_without_recorded_tuning_data_is_unknown(scorer: Scorer) -> None:
    card = scorer.score("open-lab/Open-1B-Chat")
    assert card.criteria[Criterion.DATASETS].status == U
    assert card.blockers == []  # nothing recorded blocks it ...
    assert card.to_verify == [Criterion.DATASETS]  # ... but nobody has checked its data
    assert card.verdict == VerdictState.NOT_VERIFIED
    assert not card.open_source


def test_model_override_replaces_the_family_default(scorer: Scorer) -> None:
    card = scorer.score("big-corp/Big-70B-Research")
    assert card.components[Component.WEIGHTS].status == O
    assert card.license_ids == ["LicenseRef-Example-Research"]
    assert card.license_class == LicenseClass.NON_COMMERCIAL
    assert card.criteria[Criterion.LICENSE].status == C


def test_custom_commercial_license_is_partial(scorer: Scorer) -> None:
    card = scorer.score("big-corp/Big-70B")
    assert card.license_class == LicenseClass.RESTRICTED
    assert card.criteria[Criterion.LICENSE].status == P
    assert card.criteria[Criterion.WEIGHTS].status == P
    assert card.criteria[Criterion.DATASETS].status == C
    assert card.criteria[Criterion.EVALUATION_CODE].status == U  # not recorded: unknown
    assert card.osaid.result == "does not meet"
    assert card.mof.result == "Not classified"


def test_derivative_inherits_base_and_adds_its_own(scorer: Scorer) -> None:
    card = scorer.score("someone/Open-7B-Med")
    comps = card.components
    assert comps[Component.WEIGHTS].origin == Origin.INHERITED
    assert comps[Component.WEIGHTS].source == "open-lab/Open-7B-Instruct"
    assert comps[Component.WEIGHTS].origin_text == "inherited from open-lab/Open-7B-Instruct"
    assert comps[Component.WEIGHTS].status == O
    assert comps[Component.FINETUNING_DATA].origin == Origin.MODEL
    # Its data = pre-training (open) + the instruct stage's (open) + its own (closed).
    sources = [(mid, comp) for mid, comp, _eff in card.lineage_data]
    assert sources == [
        ("someone/Open-7B-Med", Component.PRETRAINING_DATA),
        ("open-lab/Open-7B-Instruct", Component.FINETUNING_DATA),
        ("someone/Open-7B-Med", Component.FINETUNING_DATA),
    ]
    assert card.criteria[Criterion.DATASETS].status == P
    assert card.blockers == [Criterion.DATASETS]


def test_gpl_code_with_non_osi_license_fails_osaid_code(tmp_path: Path) -> None:
    text = (FIXTURES / "catalog.yaml").read_text()
    text = text.replace(
        "training_code: {status: open, licenses: [Apache-2.0]",
        "training_code: {status: open, licenses: [CC-BY-NC-4.0]",
    )
    path = tmp_path / "c.yaml"
    path.write_text(text)
    loaded = catalog_mod.load(path)
    assert loaded.catalog is not None
    card = Scorer(loaded.catalog).score("open-lab/Open-7B")
    assert card.open_source  # the lesson's criteria do not look at the code license
    assert card.osaid.result == "does not meet"
    assert "complete training code under OSI terms" in card.osaid.reasons[0]


def test_the_real_catalog_keeps_the_lessons_verdicts() -> None:
    loaded = catalog_mod.load(ROOT / "catalog.yaml")
    assert loaded.catalog is not None, [str(p) for p in loaded.errors]
    scores = Scorer(loaded.catalog).score_all()
    assert scores["allenai/OLMo-7B"].open_source
    for llama in ("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-chat-hf"):
        assert not scores[llama].open_source
        assert scores[llama].verdict == VerdictState.NOT_OPEN_SOURCE
        assert Criterion.DATASETS in scores[llama].blockers + scores[llama].to_verify
    assert not scores["mistralai/Mistral-7B-v0.1"].open_source
    assert not scores["tiiuae/falcon-40b"].open_source


# --- the reasons a reader sees, exactly: one table per rule (components -> text) ---------


def _a(status: str, **fields: object) -> dict[str, object]:
    out: dict[str, object] = {"status": status}
    if status != "unknown":
        out["evidence"] = [URL]
    if status == "partial":
        out["note"] = "Some of it."
    return {**out, **fields}


ALL_OPEN = {
    "pretraining_data": _a("open"),
    "weights": _a("open", access="public", licenses=["Apache-2.0"]),
    "training_code": _a("open", licenses=["MIT"]),
    "paper": _a("open"),
    "model_card": _a("open"),
    "data_card": _a("open"),
    "evaluation_code": _a("open"),
    "checkpoints": _a("open"),
    "finetuning_code": _a("open"),
    "training_logs": _a("open"),
    "finetuning_data": _a("open"),
}


def _card(
    family: dict[str, object],
    model: dict[str, object] | None = None,
    derivative: dict[str, object] | None = None,
    entry: str = "org/Model-7B",
) -> Scorecard:
    catalog = Catalog.model_validate(_catalog({**ALL_OPEN, **family}, model, derivative))
    return Scorer(catalog).score(entry)


def test_the_data_cell_names_every_stage_of_the_lineage() -> None:
    model = {"finetuning_data": _a("partial")}
    card = _card({}, model, {"finetuning_data": _a("closed")})
    assert card.criteria[Criterion.DATASETS].because == (
        "pre-training data: open; fine-tuning data of org/Model-7B: partial"
    )
    assert card.criteria[Criterion.DATASETS].status == P
    med = _card({}, model, {"finetuning_data": _a("closed")}, entry="someone/Model-7B-Med")
    assert med.criteria[Criterion.DATASETS].because == (
        "pre-training data: open; fine-tuning data of org/Model-7B: partial; "
        "fine-tuning data of someone/Model-7B-Med: closed"
    )
    assert [(e.component, e.entry) for e in med.criteria[Criterion.DATASETS].evidence] == [
        (Component.PRETRAINING_DATA, "someone/Model-7B-Med"),
        (Component.FINETUNING_DATA, "org/Model-7B"),
        (Component.FINETUNING_DATA, "someone/Model-7B-Med"),
    ]
    assert med.criteria[Criterion.DATASETS].components == (
        Component.PRETRAINING_DATA,
        Component.FINETUNING_DATA,
    )


@pytest.mark.parametrize(
    ("licenses", "status", "because"),
    [
        (["Apache-2.0"], O, "weights license: Apache-2.0 (OSI-approved)"),
        (["Apache-2.0", "MIT"], O, "weights license: Apache-2.0, MIT (OSI-approved)"),
        (
            ["LicenseRef-Custom"],
            P,
            "weights license: LicenseRef-Custom (Open weights with restrictions)",
        ),
        ([], U, "weights license: not recorded (Unknown)"),
    ],
)
def test_the_license_cell(licenses: list[str], status: Status, because: str) -> None:
    card = _card({"weights": _a("open", access="public", licenses=licenses)})
    assert (card.criteria[Criterion.LICENSE].status, card.criteria[Criterion.LICENSE].because) == (
        status,
        because,
    )
    assert card.criteria[Criterion.LICENSE].components == (Component.WEIGHTS,)
    assert card.license_ids == licenses


@pytest.mark.parametrize(
    ("criterion", "component", "label"),
    [
        (Criterion.WEIGHTS, "weights", "Final weights"),
        (Criterion.EVALUATION_CODE, "evaluation_code", "Evaluation code"),
        (Criterion.FINETUNING_CODE, "finetuning_code", "Fine-tuning code"),
        (Criterion.TRAINING_METRICS, "training_logs", "Training logs / metrics"),
    ],
)
def test_a_single_component_cell(criterion: Criterion, component: str, label: str) -> None:
    card = _card(
        {component: _a("partial", **({"access": "approval"} if component == "weights" else {}))}
    )
    result = card.criteria[criterion]
    assert (result.status, result.because) == (P, f"{label}: partial")
    assert result.components == (Component(component),)
    assert [(e.component, e.entry) for e in result.evidence] == [
        (Component(component), "org/Model-7B")
    ]
    assert card.blockers == [criterion]


MEETS = (
    "data information",
    "complete training code under OSI terms",
    "parameters under OSI-approved terms",
)

# (family components changed from all open, OSAID result, its reasons, why)
OSAID_CASES = [
    ({}, "meets", MEETS, "everything open"),
    (
        {"pretraining_data": _a("closed"), "data_card": _a("partial"), "paper": _a("closed")},
        "meets",
        MEETS,
        "a partial data card is data information",
    ),
    (
        {"pretraining_data": _a("closed"), "data_card": _a("closed"), "paper": _a("open")},
        "meets",
        MEETS,
        "a paper is data information",
    ),
    (
        {"pretraining_data": _a("closed"), "data_card": _a("closed"), "paper": _a("closed")},
        "does not meet",
        ("missing: data information",),
        "no data information at all",
    ),
    (
        {"pretraining_data": _a("unknown"), "data_card": _a("closed"), "paper": _a("closed")},
        "unknown",
        ("not recorded: data information",),
        "an unknown is not a closed",
    ),
    (
        {"training_code": _a("open", licenses=["LicenseRef-Custom"])},
        "does not meet",
        ("missing: complete training code under OSI terms",),
        "code under a non-OSI license",
    ),
    ({"training_code": _a("open")}, "meets", MEETS, "open code without a recorded license"),
    (
        {"training_code": _a("partial")},
        "does not meet",
        ("missing: complete training code under OSI terms",),
        "partial code is not complete",
    ),
    (
        {"training_code": _a("unknown")},
        "unknown",
        ("not recorded: complete training code under OSI terms",),
        "unknown code",
    ),
    (
        {"weights": _a("open", access="public", licenses=["LicenseRef-Custom"])},
        "does not meet",
        ("missing: parameters under OSI-approved terms",),
        "open weights, restricted license",
    ),
    (
        {"weights": _a("open", access="public", licenses=[])},
        "unknown",
        ("not recorded: parameters under OSI-approved terms",),
        "open weights, license unknown",
    ),
    (
        {"weights": _a("closed", access="none")},
        "does not meet",
        ("missing: parameters under OSI-approved terms",),
        "closed weights",
    ),
    (
        {"weights": _a("unknown")},
        "unknown",
        ("not recorded: parameters under OSI-approved terms",),
        "unknown weights",
    ),
    (
        {"training_code": _a("closed"), "weights": _a("unknown")},
        "does not meet",
        ("missing: complete training code under OSI terms",),
        "a missing part outweighs unknowns",
    ),
    (
        {
            "pretraining_data": _a("closed"),
            "data_card": _a("closed"),
            "paper": _a("closed"),
            "training_code": _a("closed"),
        },
        "does not meet",
        ("missing: data information", "missing: complete training code under OSI terms"),
        "every missing part is listed, in order",
    ),
]


@pytest.mark.parametrize(("family", "result", "reasons", "why"), OSAID_CASES)
def test_osaid(family: dict[str, object], result: str, reasons: tuple[str, ...], why: str) -> None:
    assert _card(family).osaid == Verdict(result, reasons), why


# (family components changed from all open, MOF class, its reasons, why)
MOF_CASES = [
    ({}, "Class I (Open Science)", (), "everything open"),
    (
        {"checkpoints": _a("unknown")},
        "Class II (Open Tooling)",
        ("for Class I (Open Science): checkpoints not open",),
        "no checkpoints: tooling only",
    ),
    (
        {"pretraining_data": _a("partial"), "checkpoints": _a("closed")},
        "Class II (Open Tooling)",
        ("for Class I (Open Science): pretraining_data, checkpoints not open",),
        "both listed",
    ),
    (
        {"evaluation_code": _a("closed")},
        "Class III (Open Model)",
        ("for Class II (Open Tooling): evaluation_code not open",),
        "closed evaluation code",
    ),
    (
        {"model_card": _a("partial"), "paper": _a("closed")},
        "Not classified",
        ("for Class III (Open Model): model_card, paper not open",),
        "the lowest class fails",
    ),
    (
        {"weights": _a("open", access="public", licenses=["LicenseRef-Custom"])},
        "Not classified",
        ("weights are not under an OSI-approved license",),
        "the license comes first",
    ),
    (
        {"weights": _a("open", access="public", licenses=[])},
        "Not classified",
        ("weights are not under an OSI-approved license",),
        "an unknown license is not OSI",
    ),
]


@pytest.mark.parametrize(("family", "result", "reasons", "why"), MOF_CASES)
def test_mof(family: dict[str, object], result: str, reasons: tuple[str, ...], why: str) -> None:
    assert _card(family).mof == Verdict(result, reasons), why


def test_blockers_list_closed_before_partial_in_criterion_order() -> None:
    card = _card(
        {
            "finetuning_code": _a("partial"),
            "evaluation_code": _a("closed"),
            "training_logs": _a("closed"),
            "weights": _a("open", access="public", licenses=["LicenseRef-Custom"]),
        }
    )
    assert card.blockers == [
        Criterion.EVALUATION_CODE,
        Criterion.TRAINING_METRICS,
        Criterion.FINETUNING_CODE,
        Criterion.LICENSE,
    ]
    assert card.verdict == VerdictState.NOT_OPEN_SOURCE
    assert not card.open_source
    assert card.to_verify == []
    unverified = _card({"finetuning_data": _a("unknown"), "evaluation_code": _a("unknown")})
    assert (unverified.blockers, unverified.to_verify, unverified.verdict) == (
        [],
        [Criterion.DATASETS, Criterion.EVALUATION_CODE],
        VerdictState.NOT_VERIFIED,
    )
    assert _card({}).verdict == VerdictState.OPEN_SOURCE


def _scorer(
    family: dict[str, object],
    model: dict[str, object] | None = None,
    derivative: dict[str, object] | None = None,
    kind: str = "instruct",
) -> Scorer:
    data = _catalog(family, model, derivative)
    data["families"][0]["models"][0]["kind"] = kind
    return Scorer(Catalog.model_validate(data))


@pytest.mark.parametrize(
    ("kind", "entry", "component", "origin", "source", "status"),
    [
        ("instruct", "org/Model-7B", "weights", Origin.FAMILY, "fam", O),
        ("instruct", "org/Model-7B", "training_code", Origin.MODEL, "org/Model-7B", C),
        ("instruct", "org/Model-7B", "checkpoints", Origin.NOT_RECORDED, None, U),
        ("instruct", "org/Model-7B", "finetuning_data", Origin.NOT_RECORDED, None, U),
        ("base", "org/Model-7B", "finetuning_data", Origin.NOT_APPLICABLE, None, U),
        ("base", "someone/Model-7B-Med", "weights", Origin.INHERITED, "org/Model-7B", O),
        ("base", "someone/Model-7B-Med", "training_code", Origin.INHERITED, "org/Model-7B", C),
        ("base", "someone/Model-7B-Med", "checkpoints", Origin.NOT_RECORDED, None, U),
        (
            "base",
            "someone/Model-7B-Med",
            "evaluation_code",
            Origin.MODEL,
            "someone/Model-7B-Med",
            P,
        ),
        ("base", "someone/Model-7B-Med", "finetuning_data", Origin.NOT_RECORDED, None, U),
    ],
)
def test_each_component_says_where_it_was_recorded(
    kind: str, entry: str, component: str, origin: Origin, source: str | None, status: Status
) -> None:
    scorer = _scorer(
        {"weights": _a("open", access="public", licenses=["Apache-2.0"])},
        {"training_code": _a("closed")},
        {"evaluation_code": _a("partial")},
        kind,
    )
    effective = scorer.components(entry)[Component(component)]
    assert (effective.origin, effective.source, effective.status) == (origin, source, status)


def test_a_card_names_its_model_and_family() -> None:
    scorer = _scorer({}, None, {})
    base, med = scorer.score("org/Model-7B"), scorer.score("someone/Model-7B-Med")
    assert (base.id, base.family, base.is_derivative) == ("org/Model-7B", "fam", False)
    assert (med.id, med.family, med.is_derivative) == ("someone/Model-7B-Med", "fam", True)


def test_scoring_survives_a_base_cycle_and_a_dangling_base() -> None:
    # validate rejects both; the changelog still scores old catalogs that may have them
    data = _catalog({}, None, {})
    first = data["families"][0]["derivatives"][0]
    data["families"][0]["derivatives"].append({**first, "id": "someone/Loop", "base": first["id"]})
    first["base"] = "someone/Loop"
    data["families"][0]["derivatives"].append(
        {**first, "id": "someone/Orphan", "base": "gone/Model"}
    )
    scorer = Scorer(Catalog.model_validate(data))
    cards = scorer.score_all()
    assert set(cards) == {"org/Model-7B", "someone/Model-7B-Med", "someone/Loop", "someone/Orphan"}
    assert [mid for mid, _c, _e in scorer.lineage_data("someone/Loop")] == [
        "someone/Loop",
        "someone/Model-7B-Med",
        "someone/Loop",
    ]
    assert [mid for mid, _c, _e in scorer.lineage_data("someone/Orphan")] == [
        "someone/Orphan",
        "someone/Orphan",
    ]
