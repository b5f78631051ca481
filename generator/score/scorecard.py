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


class Origin(StrEnum):
    """Where a component's assessment was recorded, as it applies to one model."""

    MODEL = "model"
    FAMILY = "family default"
    INHERITED = "inherited"
    NOT_RECORDED = "not recorded"
    NOT_APPLICABLE = "not applicable"


NOT_APPLICABLE = Origin.NOT_APPLICABLE


class VerdictState(StrEnum):
    """The lesson's verdict: all six open; some closed or partial; only unknowns in the way."""

    OPEN_SOURCE = "open source"
    NOT_OPEN_SOURCE = "not open source"
    NOT_VERIFIED = "not yet verified"


@dataclass(frozen=True)
class Effective:
    """A component's assessment as it applies to one model, and where it came from: `source`
    is the model id (this model, or the base it is inherited from) or the family id."""

    assessment: Assessment
    origin: Origin
    source: str | None = None

    @property
    def status(self) -> Status:
        return self.assessment.status

    @property
    def origin_text(self) -> str:
        if self.origin == Origin.INHERITED:
            return f"inherited from {self.source}"
        if self.origin == Origin.FAMILY:
            return "family default"
        return "this model" if self.origin == Origin.MODEL else self.origin.value


@dataclass(frozen=True)
class Evidence:
    """One component behind a criterion: its status, where it was recorded, its URLs."""

    component: Component
    entry: str  # the model whose data or code it is (a lineage stage for datasets)
    effective: Effective

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(self.effective.assessment.evidence)


@dataclass(frozen=True)
class CriterionResult:
    status: Status
    because: str
    components: tuple[Component, ...]
    evidence: tuple[Evidence, ...] = ()

    @property
    def urls(self) -> tuple[str, ...]:
        """Every evidence URL the cell rests on, in order, once each."""
        return tuple(dict.fromkeys(u for e in self.evidence for u in e.urls))


@dataclass(frozen=True)
class Blocker:
    """A criterion that keeps a model from being open source, with its reason."""

    criterion: Criterion
    status: Status
    because: str


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
    verdict: VerdictState
    blockers: list[Criterion]  # closed first, then partial (the verdict's reasons)
    to_verify: list[Criterion]  # unknown: what to check before a verdict can be given
    license_ids: list[str]
    license_class: LicenseClass
    osaid: Verdict
    mof: Verdict
    lineage_data: list[tuple[str, Component, Effective]] = field(default_factory=list)


def combine(statuses: list[Status]) -> Status:
    """Several components behind one criterion (the data of each training stage): all open ->
    open; only unknowns between it and open -> unknown; every known part withheld -> closed;
    otherwise some of it is public -> partial."""
    if not statuses:
        return Status.UNKNOWN
    known = [s for s in statuses if s != Status.UNKNOWN]
    if all(s == Status.OPEN for s in known):
        return Status.OPEN if len(known) == len(statuses) else Status.UNKNOWN
    if all(s == Status.CLOSED for s in known):
        return Status.CLOSED
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

    def components(
        self, entry_id: str, _seen: frozenset[str] = frozenset()
    ) -> dict[Component, Effective]:
        """Every component's effective assessment for a model or derivative."""
        if entry_id in self._cache:
            return self._cache[entry_id]
        entry = self.entries[entry_id]
        if isinstance(entry, Derivative) and entry.base in self.entries and entry.base not in _seen:
            base = self.components(entry.base, _seen | {entry_id})
            out = {c: _inherited(e, entry.base) for c, e in base.items()}
            # The base's fine-tuning data is lineage data, not this derivative's own.
            out[Component.FINETUNING_DATA] = Effective(_UNKNOWN, Origin.NOT_RECORDED)
        else:
            family = self.family_of[entry_id]
            out = {c: Effective(_UNKNOWN, Origin.NOT_RECORDED) for c in Component}
            for comp, assessment in family.openness.items():
                out[comp] = Effective(assessment, Origin.FAMILY, family.id)
        for comp, assessment in entry.openness.items():
            out[comp] = Effective(assessment, Origin.MODEL, entry_id)
        if not _adds_data(entry) and out[Component.FINETUNING_DATA].status == Status.UNKNOWN:
            out[Component.FINETUNING_DATA] = Effective(_UNKNOWN, Origin.NOT_APPLICABLE)
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
            Criterion.WEIGHTS: _single(entry_id, comps, Component.WEIGHTS),
            Criterion.EVALUATION_CODE: _single(entry_id, comps, Component.EVALUATION_CODE),
            Criterion.FINETUNING_CODE: _single(entry_id, comps, Component.FINETUNING_CODE),
            Criterion.TRAINING_METRICS: _single(entry_id, comps, Component.TRAINING_LOGS),
            Criterion.LICENSE: _license(entry_id, comps, license_class, self.catalog),
        }
        blockers = blocking(criteria)
        to_verify = [c for c in Criterion if criteria[c].status == Status.UNKNOWN]
        return Scorecard(
            id=entry_id,
            family=self.family_of[entry_id].id,
            is_derivative=isinstance(self.entries[entry_id], Derivative),
            components=comps,
            criteria=criteria,
            open_source=not blockers and not to_verify,
            verdict=verdict_of(criteria),
            blockers=blockers,
            to_verify=to_verify,
            license_ids=list(weights.licenses),
            license_class=license_class,
            osaid=osaid(comps, criteria[Criterion.LICENSE].status),
            mof=mof(comps, criteria[Criterion.LICENSE].status),
            lineage_data=data,
        )

    def score_all(self) -> dict[str, Scorecard]:
        return {entry_id: self.score(entry_id) for entry_id in self.entries}


def blocking(criteria: dict[Criterion, CriterionResult]) -> list[Criterion]:
    """The criteria that make a model not open source: closed ones first, then partial."""
    rank = {Status.CLOSED: 0, Status.PARTIAL: 1}
    found = [c for c in Criterion if criteria[c].status in rank]
    return sorted(found, key=lambda c: rank[criteria[c].status])  # stable: criterion order


def verdict_of(criteria: dict[Criterion, CriterionResult]) -> VerdictState:
    """Open source only when all six are open; a closed or partial criterion decides "not";
    when only unknowns stand in the way, nobody can say yet."""
    statuses = {criteria[c].status for c in Criterion}
    if statuses & {Status.CLOSED, Status.PARTIAL}:
        return VerdictState.NOT_OPEN_SOURCE
    if Status.UNKNOWN in statuses:
        return VerdictState.NOT_VERIFIED
    return VerdictState.OPEN_SOURCE


def _inherited(effective: Effective, base: str) -> Effective:
    """A base's component as its derivative sees it: where it was recorded stays known."""
    if effective.origin in (Origin.INHERITED, Origin.NOT_RECORDED, Origin.NOT_APPLICABLE):
        return effective
    return Effective(effective.assessment, Origin.INHERITED, base)


def _adds_data(entry: Entry) -> bool:
    if isinstance(entry, Derivative):
        return entry.relation != Relation.QUANTIZED
    return entry.kind != ModelKind.BASE


def _single(entry_id: str, comps: dict[Component, Effective], comp: Component) -> CriterionResult:
    eff = comps[comp]
    return CriterionResult(
        eff.status,
        f"{COMPONENT_LABELS[comp]}: {eff.status.value}",
        (comp,),
        (Evidence(comp, entry_id, eff),),
    )


def _datasets(data: list[tuple[str, Component, Effective]]) -> CriterionResult:
    status = combine([eff.status for _id, _c, eff in data])
    parts = "; ".join(
        f"{'pre-training' if c == Component.PRETRAINING_DATA else 'fine-tuning'} data"
        f"{'' if i == 0 else f' of {mid}'}: {eff.status.value}"
        for i, (mid, c, eff) in enumerate(data)
    )
    comps = tuple(dict.fromkeys(c for _m, c, _e in data))
    evidence = tuple(Evidence(c, mid, eff) for mid, c, eff in data)
    return CriterionResult(status, parts, comps, evidence)


def _license(
    entry_id: str, comps: dict[Component, Effective], license_class: LicenseClass, catalog: Catalog
) -> CriterionResult:
    weights = comps[Component.WEIGHTS]
    result = _license_status(weights.assessment, license_class)
    # The cell rests on the license texts first, then on the weights' own evidence.
    texts = [licenses.url(lic, catalog) for lic in weights.assessment.licenses]
    license_text = Effective(
        weights.assessment.model_copy(update={"evidence": texts}), weights.origin, weights.source
    )
    evidence = (Evidence(Component.WEIGHTS, entry_id, license_text),)
    return CriterionResult(result.status, result.because, result.components, evidence)


def _license_status(weights: Assessment, license_class: LicenseClass) -> CriterionResult:
    status = {
        LicenseClass.OSI: Status.OPEN,
        LicenseClass.RESTRICTED: Status.PARTIAL,
        LicenseClass.NON_COMMERCIAL: Status.CLOSED,
        LicenseClass.UNKNOWN: Status.UNKNOWN,
    }[license_class]
    label = licenses.LICENSE_CLASS_LABELS[license_class]
    because = f"weights license: {', '.join(weights.licenses) or 'not recorded'} ({label})"
    return CriterionResult(status, because, (Component.WEIGHTS,))


def _met(
    flag: bool | None, what: str, met: list[str], unmet: list[str], unknown: list[str]
) -> None:
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
    data_docs = [
        comps[c].status for c in (Component.PRETRAINING_DATA, Component.DATA_CARD, Component.PAPER)
    ]
    if any(s in (Status.OPEN, Status.PARTIAL) for s in data_docs):
        data_flag: bool | None = True
    elif all(s == Status.CLOSED for s in data_docs):
        data_flag = False
    else:
        data_flag = None
    _met(data_flag, "data information", met, unmet, unknown)
    _met(
        _code_flag(comps[Component.TRAINING_CODE]),
        "complete training code under OSI terms",
        met,
        unmet,
        unknown,
    )
    weights = _status_flag(comps[Component.WEIGHTS].status)
    params = weights if weights is not True else _status_flag(license_status)
    _met(params, "parameters under OSI-approved terms", met, unmet, unknown)
    if unmet:
        return Verdict("does not meet", tuple(f"missing: {x}" for x in unmet))
    if unknown:
        return Verdict("unknown", tuple(f"not recorded: {x}" for x in unknown))
    return Verdict("meets", tuple(met))


MOF_CLASSES: list[tuple[str, tuple[Component, ...]]] = [
    (
        "Class III (Open Model)",
        (Component.WEIGHTS, Component.MODEL_CARD, Component.DATA_CARD, Component.PAPER),
    ),
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
