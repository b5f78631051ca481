"""Drift: where the Hub contradicts a curated claim (license, gating, base model), and repos
the catalog should follow (renamed) or re-check (gone). Pure: `validate` and the pages both
call `entry_drift`, so the warning a maintainer sees and the notice a reader sees are one."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from generator.catalog import licenses
from generator.catalog.lock import HubEntry, Lock
from generator.catalog.schema import Access, Catalog, Derivative, Model
from generator.catalog.source import Document, Problem

# The curated `access` of the weights against the Hub's `gated` field.
HUB_GATED_FOR_ACCESS: dict[Access, bool | str] = {
    Access.PUBLIC: False,
    Access.CLICK_THROUGH: "auto",
    Access.APPROVAL: "manual",
}


class DriftKind(StrEnum):
    LICENSE = "license"
    GATING = "gating"
    BASE = "base model"
    RENAMED = "renamed"
    GONE = "gone"


@dataclass(frozen=True)
class Drift:
    kind: DriftKind
    message: str

    def __str__(self) -> str:
        return self.message


def license_text(entry: HubEntry) -> str:
    """The Hub's license as one short string: `other (name, link)` for custom licenses."""
    text = entry.license or ", ".join(entry.license_tags) or "no license"
    extra = [x for x in (entry.license_name, entry.license_link) if x]
    return f"{text} ({', '.join(extra)})" if extra else text


def gating_text(gated: bool | str | None) -> str:
    if gated is False:
        return "not gated"
    return {"auto": "gated (automatic approval)", "manual": "gated (manual approval)"}.get(
        str(gated), "unknown"
    )


def access_text(access: Access) -> str:
    return {
        Access.PUBLIC: "public (not gated)",
        Access.CLICK_THROUGH: "click-through",
        Access.APPROVAL: "approval by a person",
        Access.NONE: "not downloadable",
    }[access]


def compare(
    hub: HubEntry,
    curated_license_hub_ids: list[str],
    curated_access: Access | None,
    curated_base: str | None,
) -> list[Drift]:
    """Contradictions between one lock entry and the curated claims. A field the Hub leaves
    empty, or a claim the catalog does not make, is not a contradiction."""
    out = []
    hub_licenses = _hub_license_ids(hub)
    wanted = {x.lower() for x in curated_license_hub_ids}
    if wanted and hub_licenses and not wanted & hub_licenses:
        out.append(
            Drift(
                DriftKind.LICENSE,
                f"license: the catalog says {', '.join(curated_license_hub_ids)}; "
                f"the Hub says {license_text(hub)}",
            )
        )
    expected = HUB_GATED_FOR_ACCESS.get(curated_access) if curated_access else None
    if (
        curated_access is not None
        and expected is not None
        and hub.gated is not None
        and hub.gated != expected
    ):
        out.append(
            Drift(
                DriftKind.GATING,
                f"gating: the catalog says access {access_text(curated_access)}; "
                f"the Hub says {gating_text(hub.gated)}",
            )
        )
    hub_bases = {b.lower() for b in hub.base_models}
    if curated_base and hub_bases and curated_base.lower() not in hub_bases:
        out.append(
            Drift(
                DriftKind.BASE,
                f"base model: the catalog says {curated_base}; the Hub says "
                f"{', '.join(hub.base_models)}",
            )
        )
    return out


def entry_drift(
    catalog: Catalog,
    entry: Model | Derivative,
    hub: HubEntry | None,
    weights_access: Access | None,
    license_ids: list[str],
) -> list[Drift]:
    """Every drift of one catalog entry; `weights_access` and `license_ids` are its effective
    (possibly inherited) weights assessment's, as the scorecard computed them."""
    if hub is None:
        return []
    hub_ids = [h for lic in license_ids for h in licenses.hub_ids(lic, catalog)]
    out = compare(hub, hub_ids, weights_access, entry.base)
    if hub.renamed_to:
        out.append(
            Drift(
                DriftKind.RENAMED,
                f"renamed on the Hub to {hub.renamed_to}: update the id in catalog.yaml",
            )
        )
    if hub.error_kind == "not_found":
        out.append(
            Drift(
                DriftKind.GONE,
                "the Hub no longer shows this repo (deleted, private or renamed "
                "without a redirect): the Hub data shown is the last good copy",
            )
        )
    return out


def _hub_license_ids(entry: HubEntry) -> set[str]:
    ids = {*(entry.license or "").split(", "), entry.license_name or "", *entry.license_tags}
    return {i.lower() for i in ids if i}


def problems(
    doc: Document, catalog: Catalog, lock: Lock, weights: dict[str, tuple[Access | None, list[str]]]
) -> list[Problem]:
    """A warning at each entry's `id` line where the Hub contradicts the catalog; `weights`
    maps an entry id to its effective weights access and license ids."""
    out = []
    for f, family in enumerate(catalog.families):
        for section in ("models", "derivatives"):
            for i, entry in enumerate(getattr(family, section)):
                access, license_ids = weights.get(entry.id, (None, []))
                for found in entry_drift(
                    catalog, entry, lock.models.get(entry.id), access, license_ids
                ):
                    out.append(
                        doc.problem(
                            ("families", f, section, i, "id"),
                            f"Hub drift: {found.message}",
                            level="warning",
                        )
                    )
    return out
