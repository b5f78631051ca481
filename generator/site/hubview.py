"""The Hub lock as the pages see it: statistics, freshness and drift against the catalog."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from generator.catalog import lock as lock_mod
from generator.catalog.drift import Drift, entry_drift
from generator.catalog.lock import HubEntry, Lock
from generator.catalog.schema import Catalog, Component, Derivative, Model
from generator.score.scorecard import Scorecard


@dataclass(frozen=True)
class HubView:
    """What the pages show of one repo's Hub metadata; `synced` is False before any sync."""

    synced: bool
    entry: Any = None
    stale: bool = False
    confirmed: dt.datetime | None = None
    children: dict[str, int] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return getattr(self.entry, name, None) if self.entry is not None else None

    @property
    def fetched_date(self) -> str | None:
        """The day the Hub last confirmed this data (not merely when the bytes changed)."""
        return self.confirmed.date().isoformat() if self.confirmed else None

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


class HubIndex:
    """Lookups into the lock (which may be absent: then every page says "not yet synced").

    Staleness is measured against the last sync run (`synced_at`), not the build's clock,
    so the same catalog and lock always render the same pages.
    """

    def __init__(self, lock: Lock | None, stale_days: int) -> None:
        self.lock = lock
        self.models: dict[str, HubEntry] = dict(lock.models) if lock else {}
        self.stale_days = stale_days
        confirmed = [lock_mod.last_confirmed(e, lock) for e in self.models.values()] if lock else []
        self.newest: dt.datetime | None = max((c for c in confirmed if c), default=None)

    @property
    def synced(self) -> bool:
        return bool(self.models)

    def view(self, repo_id: str) -> HubView:
        entry = self.models.get(repo_id)
        if entry is None or self.lock is None:
            return HubView(synced=False)
        now = self.newest or dt.datetime.now(dt.UTC)
        stale = lock_mod.is_stale(entry, self.lock, self.stale_days, now=now)
        return HubView(
            synced=True,
            entry=entry,
            stale=stale,
            confirmed=lock_mod.last_confirmed(entry, self.lock),
            children=dict(entry.children),
        )

    def drift(self, catalog: Catalog, entry: Model | Derivative, card: Scorecard) -> list[Drift]:
        """Where the Hub contradicts the curated catalog (see `generator.catalog.drift`)."""
        weights = card.components[Component.WEIGHTS].assessment
        return entry_drift(
            catalog, entry, self.models.get(entry.id), weights.access, card.license_ids
        )
