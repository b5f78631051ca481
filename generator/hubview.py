"""The Hub lock as the pages see it: statistics, freshness and drift against the catalog."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from generator import licenses
from generator.schema import Catalog, Component, Derivative, Model
from generator.score import Scorecard


@dataclass(frozen=True)
class HubView:
    """What the pages show of one repo's Hub metadata; `synced` is False before any sync."""

    synced: bool
    entry: Any = None
    stale: bool = False
    children: dict[str, int] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return getattr(self.entry, name, None) if self.entry is not None else None

    @property
    def fetched_date(self) -> str | None:
        fetched = self.get("fetched_at")
        return fetched.date().isoformat() if isinstance(fetched, dt.datetime) else None

    @property
    def breakdown(self) -> list[tuple[str, int]]:
        """Derivative counts by relation (fine-tune, adapter, quantized, merge), sorted."""
        return sorted((k, v) for k, v in self.children.items() if k != "total")

    @property
    def children_total(self) -> int | None:
        if not self.children:
            return None
        if "total" in self.children:
            return self.children["total"]
        return sum(self.children.values())


def _utc(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class HubIndex:
    """Lookups into the lock (which may be absent: then every page says "not yet synced")."""

    def __init__(self, lock: Any, stale_days: int) -> None:
        self.models: dict[str, Any] = dict(getattr(lock, "models", None) or {})
        self.orgs: dict[str, Any] = dict(getattr(lock, "orgs", None) or {})
        self.stale_days = stale_days
        times = [_utc(getattr(e, "fetched_at", None)) for e in self.models.values()]
        self.newest: dt.datetime | None = max((t for t in times if t), default=None)

    @property
    def synced(self) -> bool:
        return bool(self.models)

    def view(self, repo_id: str) -> HubView:
        entry = self.models.get(repo_id)
        if entry is None:
            return HubView(synced=False)
        fetched = _utc(getattr(entry, "fetched_at", None))
        old = bool(
            self.newest and fetched and (self.newest - fetched).days > self.stale_days
        )
        stale = bool(getattr(entry, "error", None)) or old
        children = dict(getattr(entry, "children", None) or {})
        return HubView(synced=True, entry=entry, stale=stale, children=children)

    def drift(self, repo_id: str, catalog: Catalog, entry: Model | Derivative,
              card: Scorecard) -> list[str]:
        """Where the Hub contradicts the curated catalog (license, gating, base model)."""
        hub = self.models.get(repo_id)
        if hub is None:
            return []
        try:
            from generator import sync
        except ImportError:  # pragma: no cover - only while the sync module is absent
            return []
        weights = card.components[Component.WEIGHTS].assessment
        hub_ids = [h for lic in card.license_ids for h in licenses.hub_ids(lic, catalog)]
        gated = _curated_gating(weights.note, weights.status.value)
        messages: list[str] = sync.drift(hub, hub_ids, gated, entry.base)
        return messages


def _curated_gating(note: str | None, status: str) -> bool | None:
    """The catalog records gated weights as `partial` with a note saying "gated"."""
    if note and "gated" in note.lower():
        return "not gated" not in note.lower()
    if status == "open":
        return False
    return None
