"""Scoring rules, each with its edge cases, on the fixture catalog and small variations."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.catalog import validate as catalog_mod
from generator.catalog.licenses import LicenseClass
from generator.catalog.schema import Catalog, Component, Status
from generator.score.scorecard import Criterion, Origin, Scorer, VerdictState, combine
from tests.conftest import FIXTURES, ROOT

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
    [([O, O], O), ([C, C], C), ([O, C], P), ([O, P], P), ([O, U], U), ([C, U], C), ([P, U], P), ([], U),
     ([P], P)],
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
