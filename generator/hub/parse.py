"""The Hub's JSON -> lock fields, tolerating the shapes the Hub is known to vary.

`baseModels` arrives as a list or a dict, `childrenModelCount` as an int or a per-relation
dict; card data may be malformed. Nothing here does I/O: `hub` fetches, this module reads.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from generator.catalog.lock import ErrorKind, Gated


class HubError(Exception):
    """A failed Hub request: `kind` for the summary, a message without volatile details."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        status: int | None = None,
        wait: float | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message
        self.status = status
        self.wait = wait  # what the server asked for (Retry-After / RateLimit), if anything
        self.code = code  # the Hub's X-Error-Code (GatedRepo, RepoNotFound, ...), if any

    @property
    def unauthorized(self) -> bool:
        """A 401 that is not the Hub's "repository not found": the token was refused."""
        return self.status == 401 and self.code not in ("RepoNotFound", "GatedRepo")

    def after(self, attempts: int) -> HubError:
        """This error, saying how many attempts were made (when more than one)."""
        if attempts == 1:
            return self
        return HubError(
            self.kind, f"{self.message} (after {attempts} attempts)", self.status, code=self.code
        )


# The properties `sync` asks for (one request per model). All are in huggingface_hub 2.4's
# ExpandModelProperty_T; the Hub answers 400 to an unknown one.
EXPAND = [
    "baseModels",
    "cardData",
    "childrenModelCount",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "evalResults",
    "gated",
    "lastModified",
    "library_name",
    "likes",
    "model-index",
    "pipeline_tag",
    "private",
    "safetensors",
    "sha",
    "tags",
]
# Properties served for years: the fallback when the Hub refuses the full list.
CORE_EXPAND = [
    "cardData",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "gated",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "private",
    "safetensors",
    "sha",
    "tags",
]
RELATIONS = ("adapter", "finetune", "merge", "quantized")
CONTEXT_KEYS = (
    "max_position_embeddings",
    "n_positions",
    "max_sequence_length",
    "seq_length",
    "max_seq_len",
    "n_ctx",
)
NESTED_CONFIGS = ("text_config", "llm_config", "language_config")
# Which keys of the Hub's answer each lock field is read from. A field none of whose keys
# the Hub sent (a property left out by the expand fallback, a partial answer) is not a
# "none": the sync keeps its last good value (`sent_fields`). `context_length` is not
# here: the API's `config` never carries it, the sync reads config.json for it.
FIELD_SOURCES: dict[str, tuple[str, ...]] = {
    "downloads": ("downloads",),
    "downloads_all_time": ("downloadsAllTime",),
    "likes": ("likes",),
    "created_at": ("createdAt",),
    "last_modified": ("lastModified",),
    "sha": ("sha",),
    "gated": ("gated",),
    "disabled": ("disabled",),
    "private": ("private",),
    "pipeline_tag": ("pipeline_tag",),
    "library_name": ("library_name",),
    "license": ("cardData",),
    "license_name": ("cardData",),
    "license_link": ("cardData",),
    "license_tags": ("tags",),
    "datasets": ("cardData", "tags"),
    "base_models": ("baseModels", "cardData", "tags"),
    "base_model_relation": ("baseModels", "cardData", "tags"),
    "arxiv": ("tags",),
    "has_eval_results": ("model-index", "evalResults"),
    "parameters": ("safetensors",),
    "children": ("childrenModelCount",),
}


def model_fields(payload: Any) -> dict[str, Any]:
    """The lock fields in a `GET /api/models/{id}?expand=...` answer. Wrong types become
    None / empty rather than errors; only an answer without an `id` is invalid."""
    if not isinstance(payload, dict) or _str(payload.get("id")) is None:
        raise HubError("invalid_response", "the Hub's answer is not a model description")
    card: dict[str, Any] = payload["cardData"] if isinstance(payload.get("cardData"), dict) else {}
    tags = _strs(payload.get("tags"))
    bases, relation = _base_models(payload.get("baseModels"), card, tags)
    return {
        "id": payload["id"],
        "downloads": _int(payload.get("downloads")),
        "downloads_all_time": _int(payload.get("downloadsAllTime")),
        "likes": _int(payload.get("likes")),
        "created_at": _datetime(payload.get("createdAt")),
        "last_modified": _datetime(payload.get("lastModified")),
        "sha": _str(payload.get("sha")),
        "gated": _gated(payload.get("gated")),
        "disabled": _bool(payload.get("disabled")),
        "private": _bool(payload.get("private")),
        "pipeline_tag": _str(payload.get("pipeline_tag")),
        "library_name": _str(payload.get("library_name")),
        "license": ", ".join(_strs(card.get("license"))) or None,
        "license_name": _str(card.get("license_name")),
        "license_link": _str(card.get("license_link")),
        "license_tags": _unique(_tagged(tags, "license:")),
        "datasets": _unique(_strs(card.get("datasets")) + _tagged(tags, "dataset:")),
        "base_models": bases,
        "base_model_relation": relation,
        "arxiv": _unique(_tagged(tags, "arxiv:")),
        "has_eval_results": _has_eval_results(payload, card),
        "parameters": _parameters(payload.get("safetensors")),
        "context_length": context_length(payload.get("config")),
        "children": _children(payload.get("childrenModelCount")),
    }


def unsent_fields(payload: Any) -> list[str]:
    """The lock fields the answer says nothing about (none of their source keys present)."""
    keys = set(payload) if isinstance(payload, dict) else set()
    return sorted(f for f, sources in FIELD_SOURCES.items() if keys.isdisjoint(sources))


def context_length(config: Any) -> int | None:
    """The context length a model config declares (also inside multimodal sub-configs)."""
    if not isinstance(config, dict):
        return None
    for key in CONTEXT_KEYS:
        value = _int(config.get(key))
        if value is not None and value > 0:
            return value
    for key in NESTED_CONFIGS:
        nested = context_length(config.get(key))
        if nested is not None:
            return nested
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _strs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _unique(values: list[str]) -> list[str]:
    return sorted(set(values))


def _tagged(tags: list[str], prefix: str) -> list[str]:
    return [t[len(prefix) :] for t in tags if t.startswith(prefix) and len(t) > len(prefix)]


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _gated(value: Any) -> Gated | None:
    if value is False:
        return False
    if value == "auto":
        return "auto"
    if value == "manual":
        return "manual"
    return None


def _base_models(value: Any, card: dict[str, Any], tags: list[str]) -> tuple[list[str], str | None]:
    """`baseModels` (a list of ids or of {id}, or {relation, models}), the card's
    `base_model`, and the `base_model:[relation:]ORG/NAME` tags, merged."""
    ids: list[str] = []
    relation: str | None = None
    if isinstance(value, dict):
        relation = _str(value.get("relation"))
        value = value.get("models")
    if isinstance(value, list):
        for item in value:
            ids.extend(_strs(item.get("id") if isinstance(item, dict) else item))
    ids.extend(_strs(card.get("base_model")))
    tag_relations = set()
    for tag in _tagged(tags, "base_model:"):
        head, _, rest = tag.partition(":")
        if rest and head in RELATIONS:
            tag_relations.add(head)
            ids.append(rest)
        elif not rest:
            ids.append(tag)
    relation = relation or _str(card.get("base_model_relation"))
    if relation is None and len(tag_relations) == 1:
        relation = tag_relations.pop()
    return _unique(ids), relation


def _has_eval_results(payload: dict[str, Any], card: dict[str, Any]) -> bool | None:
    values = [
        payload.get("model-index"),
        payload.get("evalResults"),
        card.get("model-index"),
        card.get("eval_results"),
    ]
    if any(values):
        return True
    return False if "model-index" in payload or "evalResults" in payload else None


def _parameters(value: Any) -> int | None:
    if not isinstance(value, dict):
        return None
    total = _int(value.get("total"))
    if total is not None:
        return total
    per_dtype = value.get("parameters")
    if isinstance(per_dtype, dict):
        counts = [_int(v) for v in per_dtype.values()]
        return sum(c for c in counts if c is not None) or None
    return None


def _children(value: Any) -> dict[str, int]:
    if _int(value) is not None:
        return {"total": value}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if _int(v) is not None}
    return {}
