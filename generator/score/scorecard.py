"""Scoring: components -> the lesson's six criteria -> `open_source`, OSAID and MOF approximations.

Pure functions of the catalog. Nothing here is typed by hand in the catalog: every verdict
is computed from the per-component assessments and their licenses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from generator.catalog import licenses
from generator.catalog.licenses import LicenseClass
from generator.catalog.schema import (
    COMPONENT_LABELS,
    Assessment,
    Catalog,
    Component,
    Derivative,
    Family,
    Model,
    ModelKind,
    Relation,
    Status,
)

Entry = Model | Derivative


class Criterion(StrEnum):
    """The lesson's criteria: all six must be `open` for a model to be open source."""

    DATASETS = "datasets"
    WEIGHTS = "weights"
    EVALUATION_CODE = "evaluation_code"
    FINETUNING_CODE = "finetuning_code"
    TRAINING_METRICS = "training_metrics"
    LICENSE = "license"


CRITERION_LABELS = {
    Criterion.DATASETS: "Training data sets",
    Criterion.WEIGHTS: "Full weights",
    Criterion.EVALUATION_CODE: "Evaluation code",
    Criterion.FINETUNING_CODE: "Fine-tuning code",
    Criterion.TRAINING_METRICS: "Training metrics",
    Criterion.LICENSE: "OSI-approved license",
}

_UNKNOWN = Assessment(status=Status.UNKNOWN)
NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class Effective:
    """A component's assessment as it applies to one model, and where it came from."""

    assessment: Assessment
    origin: str  # "model", "family default", "inherited from ORG/NAME", or "not recorded"

    @property
    def status(self) -> Status:
        return self.assessment.status


@dataclass(frozen=True)
class CriterionResult:
    status: Status
    because: str
    components: tuple[Component, ...]


@dataclass(frozen=True)
class Verdict:
    """An approximation of another framework's verdict, with its reasons."""

    result: str
    reasons: tuple[str, ...] = ()


@dataclass
class Scorecard:
    id: str
    family: str
    is_derivative: bool
    components: dict[Component, Effective]
    criteria: dict[Criterion, CriterionResult]
    open_source: bool
    blockers: list[Criterion]
    license_ids: list[str]
    license_class: LicenseClass
    osaid: Verdict
    mof: Verdict
    lineage_data: list[tuple[str, Component, Effective]] = field(default_factory=list)


def combine(statuses: list[Status]) -> Status:
    """Several components behind one criterion: all open -> open, all closed -> closed,
    otherwise unknown if anything is unknown, else partial."""
    if not statuses:
        return Status.UNKNOWN
    if all(s == Status.OPEN for s in statuses):
        return Status.OPEN
    if all(s == Status.CLOSED for s in statuses):
        return Status.CLOSED
    if Status.UNKNOWN in statuses:
        return Status.UNKNOWN
    return Status.PARTIAL


class Scorer:
    """Resolves family defaults, model overrides and derivative inheritance."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.family_of: dict[str, Family] = {}
        self.entries: dict[str, Entry] = {}
        for family in catalog.families:
            for entry in family.entries():
                self.entries[entry.id] = entry
                self.family_of[entry.id] = family
        self._cache: dict[str, dict[Component, Effective]] = {}

    def components(self, entry_id: str, _seen: frozenset[str] = frozenset()) -> dict[Component, Effective]:
        """Every component's effective assessment for a model or derivative."""
        if entry_id in self._cache:
            return self._cache[entry_id]
        entry = self.entries[entry_id]
        if isinstance(entry, Derivative) and entry.base in self.entries and entry.base not in _seen:
            base = self.components(entry.base, _seen | {entry_id})
            out = {c: Effective(e.assessment, _inherited(e, entry.base)) for c, e in base.items()}
            # The base's fine-tuning data is lineage data, not this derivative's own.
            out[Component.FINETUNING_DATA] = Effective(_UNKNOWN, "not recorded")
        else:
            family = self.family_of[entry_id]
            out = {c: Effective(_UNKNOWN, "not recorded") for c in Component}
            for comp, assessment in family.openness.items():
                out[comp] = Effective(assessment, "family default")
        for comp, assessment in entry.openness.items():
            out[comp] = Effective(assessment, "model")
        if not _adds_data(entry) and out[Component.FINETUNING_DATA].status == Status.UNKNOWN:
            out[Component.FINETUNING_DATA] = Effective(_UNKNOWN, NOT_APPLICABLE)
        self._cache[entry_id] = out
        return out

    def lineage_data(self, entry_id: str) -> list[tuple[str, Component, Effective]]:
        """The data behind a model: pre-training data plus each post-training stage's data."""
        parts: list[tuple[str, Component, Effective]] = []
        seen: set[str] = set()
        current: str | None = entry_id
        while current is not None and current in self.entries and current not in seen:
            seen.add(current)
            entry = self.entries[current]
            if _adds_data(entry):
                comp = self.components(current)[Component.FINETUNING_DATA]
                parts.append((current, Component.FINETUNING_DATA, comp))
            current = entry.base
        pre = self.components(entry_id)[Component.PRETRAINING_DATA]
        return [(entry_id, Component.PRETRAINING_DATA, pre), *reversed(parts)]

    def score(self, entry_id: str) -> Scorecard:
        comps = self.components(entry_id)
        data = self.lineage_data(entry_id)
        weights = comps[Component.WEIGHTS].assessment
        license_class = licenses.classify_all(weights.licenses, self.catalog)
        criteria = {
            Criterion.DATASETS: _datasets(data),
            Criterion.WEIGHTS: _single(comps, Component.WEIGHTS),
            Criterion.EVALUATION_CODE: _single(comps, Component.EVALUATION_CODE),
            Criterion.FINETUNING_CODE: _single(comps, Component.FINETUNING_CODE),
            Criterion.TRAINING_METRICS: _single(comps, Component.TRAINING_LOGS),
            Criterion.LICENSE: _license(weights, license_class),
        }
        blockers = [c for c in Criterion if criteria[c].status != Status.OPEN]
        return Scorecard(
            id=entry_id,
            family=self.family_of[entry_id].id,
            is_derivative=isinstance(self.entries[entry_id], Derivative),
            components=comps,
            criteria=criteria,
            open_source=not blockers,
            blockers=blockers,
            license_ids=list(weights.licenses),
            license_class=license_class,
            osaid=osaid(comps, criteria[Criterion.LICENSE].status),
            mof=mof(comps, criteria[Criterion.LICENSE].status),
            lineage_data=data,
        )

    def score_all(self) -> dict[str, Scorecard]:
        return {entry_id: self.score(entry_id) for entry_id in self.entries}


def _inherited(effective: Effective, base: str) -> str:
    if effective.origin.startswith("inherited from") or effective.origin == "not recorded":
        return effective.origin
    return f"inherited from {base}"


def _adds_data(entry: Entry) -> bool:
    if isinstance(entry, Derivative):
        return entry.relation != Relation.QUANTIZED
    return entry.kind != ModelKind.BASE


def _single(comps: dict[Component, Effective], comp: Component) -> CriterionResult:
    eff = comps[comp]
    return CriterionResult(eff.status, f"{COMPONENT_LABELS[comp]}: {eff.status.value}", (comp,))


def _datasets(data: list[tuple[str, Component, Effective]]) -> CriterionResult:
    status = combine([eff.status for _id, _c, eff in data])
    parts = "; ".join(
        f"{'pre-training' if c == Component.PRETRAINING_DATA else 'fine-tuning'} data"
        f"{'' if i == 0 else f' of {mid}'}: {eff.status.value}"
        for i, (mid, c, eff) in enumerate(data)
    )
    comps = tuple(dict.fromkeys(c for _m, c, _e in data))
    return CriterionResult(status, parts, comps)


def _license(weights: Assessment, license_class: LicenseClass) -> CriterionResult:
    status = {
        LicenseClass.OSI: Status.OPEN,
        LicenseClass.RESTRICTED: Status.PARTIAL,
        LicenseClass.NON_COMMERCIAL: Status.CLOSED,
        LicenseClass.UNKNOWN: Status.UNKNOWN,
    }[license_class]
    label = licenses.LICENSE_CLASS_LABELS[license_class]
    because = f"weights license: {', '.join(weights.licenses) or 'not recorded'} ({label})"
    return CriterionResult(status, because, (Component.WEIGHTS,))


def _met(flag: bool | None, what: str, met: list[str], unmet: list[str], unknown: list[str]) -> None:
    {True: met, False: unmet, None: unknown}[flag].append(what)


def _status_flag(status: Status) -> bool | None:
    if status == Status.OPEN:
        return True
    if status == Status.UNKNOWN:
        return None
    return False


def _code_flag(eff: Effective) -> bool | None:
    flag = _status_flag(eff.status)
    lics = eff.assessment.licenses
    if flag and lics and not all(licenses.is_osi_approved(lic) for lic in lics):
        return False
    return flag


def osaid(comps: dict[Component, Effective], license_status: Status) -> Verdict:
    """Approximates the OSI Open Source AI Definition 1.0: data information, code, parameters."""
    met: list[str] = []
    unmet: list[str] = []
    unknown: list[str] = []
    data_docs = [comps[c].status for c in (Component.PRETRAINING_DATA, Component.DATA_CARD, Component.PAPER)]
    if any(s in (Status.OPEN, Status.PARTIAL) for s in data_docs):
        data_flag: bool | None = True
    elif all(s == Status.CLOSED for s in data_docs):
        data_flag = False
    else:
        data_flag = None
    _met(data_flag, "data information", met, unmet, unknown)
    _met(_code_flag(comps[Component.TRAINING_CODE]), "complete training code under OSI terms",
         met, unmet, unknown)
    weights = _status_flag(comps[Component.WEIGHTS].status)
    params = weights if weights is not True else _status_flag(license_status)
    _met(params, "parameters under OSI-approved terms", met, unmet, unknown)
    if unmet:
        return Verdict("does not meet", tuple(f"missing: {x}" for x in unmet))
    if unknown:
        return Verdict("unknown", tuple(f"not recorded: {x}" for x in unknown))
    return Verdict("meets", tuple(met))


MOF_CLASSES: list[tuple[str, tuple[Component, ...]]] = [
    ("Class III (Open Model)", (Component.WEIGHTS, Component.MODEL_CARD, Component.DATA_CARD,
                                Component.PAPER)),
    ("Class II (Open Tooling)", (Component.TRAINING_CODE, Component.EVALUATION_CODE)),
    ("Class I (Open Science)", (Component.PRETRAINING_DATA, Component.CHECKPOINTS)),
]


def mof(comps: dict[Component, Effective], license_status: Status) -> Verdict:
    """Approximates the Model Openness Framework: the highest class whose components (and every
    lower class's) are all open, with an OSI-approved weights license."""
    achieved = "Not classified"
    if license_status != Status.OPEN:
        return Verdict(achieved, ("weights are not under an OSI-approved license",))
    for name, required in MOF_CLASSES:
        missing = [c.value for c in required if comps[c].status != Status.OPEN]
        if missing:
            return Verdict(achieved, (f"for {name}: {', '.join(missing)} not open",))
        achieved = name
    return Verdict(achieved)
