"""Typed models of catalog.yaml (pydantic v2); `catalog.schema.json` is exported from these.

Checks that need more than one field at a time (evidence required, licenses defined,
bases present, duplicate ids) live in `catalog.py`, so each message can name its place.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

UNKNOWN = "unknown"

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
REPO_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$"
LICENSE_REF = r"^LicenseRef-[A-Za-z0-9.-]+$"
URL = r"^https?://[^\s/$.?#][^\s]*$"


class Status(StrEnum):
    """How public a component is. `unknown` is not `closed`: it means nobody checked yet."""

    OPEN = "open"
    PARTIAL = "partial"
    CLOSED = "closed"
    UNKNOWN = "unknown"


class Component(StrEnum):
    """The parts of a release whose openness is recorded (finer than the criteria)."""

    PRETRAINING_DATA = "pretraining_data"
    FINETUNING_DATA = "finetuning_data"
    WEIGHTS = "weights"
    CHECKPOINTS = "checkpoints"
    TRAINING_CODE = "training_code"
    FINETUNING_CODE = "finetuning_code"
    EVALUATION_CODE = "evaluation_code"
    TRAINING_LOGS = "training_logs"
    PAPER = "paper"
    MODEL_CARD = "model_card"
    DATA_CARD = "data_card"


COMPONENT_LABELS: dict[Component, str] = {
    Component.PRETRAINING_DATA: "Pre-training data",
    Component.FINETUNING_DATA: "Fine-tuning data",
    Component.WEIGHTS: "Final weights",
    Component.CHECKPOINTS: "Intermediate checkpoints",
    Component.TRAINING_CODE: "Training code",
    Component.FINETUNING_CODE: "Fine-tuning code",
    Component.EVALUATION_CODE: "Evaluation code",
    Component.TRAINING_LOGS: "Training logs / metrics",
    Component.PAPER: "Paper or technical report",
    Component.MODEL_CARD: "Model card",
    Component.DATA_CARD: "Data card",
}


def _url(value: str) -> str:
    if not re.match(URL, value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _pattern(regex: str, what: str) -> Any:
    def check(value: str) -> str:
        if not re.match(regex, value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


Url = Annotated[str, AfterValidator(_url), Field(json_schema_extra={"pattern": URL})]
Slug = Annotated[
    str,
    _pattern(SLUG, "a slug (lowercase letters, digits and hyphens)"),
    Field(json_schema_extra={"pattern": SLUG}),
]
RepoId = Annotated[
    str,
    _pattern(REPO_ID, "a Hub repo id (ORG/NAME)"),
    Field(json_schema_extra={"pattern": REPO_ID}, description="a Hugging Face Hub repo id"),
]


def _fact(kind: str, check: Any) -> Any:
    def validate(value: Any) -> Any:
        if value == UNKNOWN:
            return value
        return check(value)

    validate.__name__ = f"check_{kind}"
    return validate


def _released(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value):
        try:
            dt.date.fromisoformat(value if len(value) == 10 else value + "-01")
        except ValueError:
            pass
        else:
            return value
    raise ValueError(f'{value!r} is not a date: write YYYY-MM-DD, "YYYY-MM" or unknown')


def _positive(kind: str, integer: bool) -> Any:
    def check(value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            # pydantic turns ValueError (not TypeError) into a located validation error
            raise ValueError(f"{value!r} is not a number: write a number or unknown")  # noqa: TRY004
        if not math.isfinite(value) or value <= 0:  # .inf / .nan would break the JSON export
            raise ValueError(f"{kind} must be a positive finite number")
        if integer and not float(value).is_integer():
            raise ValueError(f"{kind} must be a whole number of tokens")
        return int(value) if integer else value

    return check


Released = Annotated[
    str,
    BeforeValidator(_fact("released", _released)),
    Field(description='release date: YYYY-MM-DD, "YYYY-MM", or unknown'),
]
ParamsB = Annotated[
    float | Literal["unknown"],
    BeforeValidator(_fact("params_b", _positive("params_b", integer=False))),
    Field(description="parameters in billions, or unknown"),
]
ContextLength = Annotated[
    int | Literal["unknown"],
    BeforeValidator(_fact("context_length", _positive("context_length", integer=True))),
    Field(description="context window in tokens, or unknown"),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Access(StrEnum):
    """How anyone gets the weights: compared with the Hub's `gated` (false / auto / manual)."""

    PUBLIC = "public"
    CLICK_THROUGH = "click-through"
    APPROVAL = "approval"
    NONE = "none"


class Assessment(Strict):
    """One component's openness, with the public evidence behind it."""

    status: Status
    access: Access | None = Field(
        default=None,
        description="weights only: public, click-through (automatic), approval (a person), none",
    )
    licenses: list[str] = Field(
        default_factory=list,
        description="SPDX license ids, or LicenseRef- ids defined under licenses:",
    )
    evidence: list[Url] = Field(
        default_factory=list,
        description="public URLs that show the status (required unless unknown)",
    )
    note: str | None = None


Openness = dict[Component, Assessment]


class LicenseInfo(Strict):
    """A custom (non-SPDX) license, referred to elsewhere by its LicenseRef- id."""

    name: str
    url: Url
    hub_ids: list[str] = Field(default_factory=list, description="the Hub's license: tag values")
    commercial: bool = Field(description="false when it forbids commercial use")
    restrictions: list[str] = Field(default_factory=list)


class Links(Strict):
    homepage: Url | None = None
    paper: Url | None = None
    code: Url | None = None


class ModelKind(StrEnum):
    BASE = "base"
    INSTRUCT = "instruct"
    CHAT = "chat"
    CODE = "code"
    REASONING = "reasoning"


class Architecture(StrEnum):
    DENSE = "dense"
    MOE = "moe"
    SSM = "ssm"
    HYBRID = "hybrid"


class Relation(StrEnum):
    FINETUNE = "finetune"
    CONTINUED_PRETRAINING = "continued-pretraining"
    MERGE = "merge"
    ADAPTER = "adapter"
    QUANTIZED = "quantized"


class Domain(StrEnum):
    MEDICAL = "medical"
    MATH = "math"
    CODE = "code"
    LANGUAGE = "language"
    SCIENCE = "science"
    LEGAL = "legal"
    FINANCE = "finance"
    CHAT = "chat"
    GENERAL = "general"


class Task(StrEnum):
    """What a release is for (curated; drives the Choose page)."""

    CHAT = "chat"
    CODE = "code"
    MATH = "math"
    REASONING = "reasoning"
    MULTILINGUAL = "multilingual"
    VISION = "vision"
    AUDIO = "audio"
    TOOL_USE = "tool-use"
    LONG_CONTEXT = "long-context"
    MEDICAL = "medical"
    SCIENCE = "science"
    LEGAL = "legal"
    FINANCE = "finance"
    GENERAL = "general"


class Modality(StrEnum):
    """An input a release accepts."""

    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


class Facts(Strict):
    """What a release is: the curated facts the Hub does not give reliably."""

    id: RepoId
    name: str
    released: Released
    params_b: ParamsB
    context_length: ContextLength
    architecture: Architecture | None = None
    active_params_b: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="MoE: active per token"
    )
    sources: list[Url] = Field(min_length=1, description="public URLs backing the facts above")
    tasks: list[Task] = Field(default_factory=list, description="what it is for (Choose filters)")
    modalities: list[Modality] = Field(
        default_factory=list, description="inputs it accepts beyond text (empty: text only)"
    )
    checked: dt.date | None = Field(
        default=None, description="when a person last checked this entry against its sources"
    )
    note: str | None = None
    openness: Openness = Field(default_factory=dict)


class Model(Facts):
    """An official release of a family, keyed by its Hub repo id."""

    kind: ModelKind
    base: RepoId | None = Field(default=None, description="the catalog model it was tuned from")


class Derivative(Facts):
    """A notable community fine-tune: inherits its base's components, adds its own."""

    base: RepoId
    relation: Relation
    domain: Domain
    languages: list[str] = Field(default_factory=list)
    specialization: str
    organization: str | None = None


class Family(Strict):
    id: Slug
    name: str
    organization: str
    summary: str
    links: Links = Field(default_factory=Links)
    hub_orgs: list[str] = Field(default_factory=list)
    openness: Openness = Field(default_factory=dict, description="defaults for every model")
    models: list[Model] = Field(min_length=1)
    derivatives: list[Derivative] = Field(default_factory=list)

    def entries(self) -> list[Model | Derivative]:
        """Its models, then its community fine-tunes."""
        return [*self.models, *self.derivatives]


class Catalog(Strict):
    licenses: dict[str, LicenseInfo] = Field(default_factory=dict)
    families: list[Family] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    """The JSON Schema editors use to autocomplete and check catalog.yaml."""
    schema = Catalog.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Open Model Atlas catalog"
    schema["properties"]["licenses"]["propertyNames"] = {"pattern": LICENSE_REF}
    for definition in schema["$defs"].values():
        openness = definition.get("properties", {}).get("openness")
        if openness is not None:  # so editors flag a misspelt component name
            openness["propertyNames"] = {"$ref": "#/$defs/Component"}
    return schema
