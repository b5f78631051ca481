"""Load and validate catalog.yaml: every problem at once, each with file:line:col."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.catalog import licenses, rules
from generator.catalog.schema import (
    LICENSE_REF,
    Access,
    Assessment,
    Catalog,
    Component,
    Derivative,
    Family,
    Model,
    Status,
)
from generator.catalog.source import Document, PathKey, Problem, format_path, read

_ERROR_TEXT = {
    "extra_forbidden": "unknown field (check its spelling; allowed fields are in catalog.schema.json)",
    "missing": "required field is missing",
}


@dataclass(frozen=True)
class Loaded:
    """A catalog that loaded (possibly with warnings), or None and the problems why not."""

    catalog: Catalog | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def _pydantic_problems(doc: Document, exc: ValidationError) -> Iterator[Problem]:
    for err in exc.errors():
        loc: PathKey = tuple(p for p in err["loc"] if p != "[key]")
        # Union/annotated validators add their own names to loc: drop what is not data.
        path = tuple(p for p in loc if isinstance(p, int) or not str(p).startswith("function-"))
        kind = err["type"]
        message = _ERROR_TEXT.get(kind) or _clean(err["msg"])
        if kind == "extra_forbidden":
            message = f"unknown field {path[-1]!r}; allowed fields are in catalog.schema.json"
        if kind == "enum" and "expected" in err.get("ctx", {}):
            message = (
                f"{err['input']!r} is not one of {err['ctx']['expected'].replace(chr(39), '')}"
            )
        key = kind == "extra_forbidden" or "[key]" in err["loc"]
        if "[key]" in err["loc"]:
            message = f"unknown key {path[-1]!r}: {message}"
        yield doc.problem(path, message, key=key)


def _clean(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def _entries(catalog: Catalog) -> Iterator[tuple[PathKey, Family, Model | Derivative]]:
    for f, family in enumerate(catalog.families):
        for m, model in enumerate(family.models):
            yield ("families", f, "models", m), family, model
        for d, deriv in enumerate(family.derivatives):
            yield ("families", f, "derivatives", d), family, deriv


def _assessments(catalog: Catalog) -> Iterator[tuple[PathKey, Assessment]]:
    for f, family in enumerate(catalog.families):
        for comp, assessment in family.openness.items():
            yield ("families", f, "openness", comp.value), assessment
    for path, _family, entry in _entries(catalog):
        for comp, assessment in entry.openness.items():
            yield (*path, "openness", comp.value), assessment


def _check_assessment(
    doc: Document, path: PathKey, a: Assessment, defined: set[str]
) -> Iterator[Problem]:
    if a.status != Status.UNKNOWN and not a.evidence:
        yield doc.problem(
            (*path, "evidence"),
            f"status {a.status.value!r} needs evidence: at least one public URL that shows it "
            "(or set status: unknown)",
        )
    for i, url in enumerate(a.evidence):
        yield from _check_primary(doc, (*path, "evidence", i), url)
    for i, lic in enumerate(a.licenses):
        problem = licenses.check_id(lic, defined)
        if problem:
            yield doc.problem((*path, "licenses", i), problem)
    released = a.status in (Status.OPEN, Status.PARTIAL)
    if path[-1] == Component.WEIGHTS.value and released and not a.licenses:
        yield doc.problem((*path, "licenses"), "released weights need their license id(s)")
    if a.status == Status.PARTIAL and not a.note:
        yield doc.problem(
            (*path, "status"), "status 'partial' needs a note naming what is missing or restricted"
        )
    yield from _check_access(doc, path, a)


def _check_access(doc: Document, path: PathKey, a: Assessment) -> Iterator[Problem]:
    if path[-1] != Component.WEIGHTS.value:
        if a.access is not None:
            yield doc.problem((*path, "access"), "access: is recorded on the weights only")
        return
    allowed = rules.allowed_access(a.status)
    if not allowed:
        return
    if a.access is None:
        yield doc.problem(
            (*path, "access"),
            f"weights with status {a.status.value!r} need access: one of "
            + ", ".join(sorted(x.value for x in allowed)),
        )
    elif a.access not in allowed:
        yield doc.problem(
            (*path, "access"),
            f"access {a.access.value!r} contradicts status {a.status.value!r}: "
            + (
                "approval by a person makes the weights 'partial'"
                if a.access == Access.APPROVAL
                else f"status {a.status.value!r} allows access "
                + ", ".join(sorted(x.value for x in allowed))
            ),
        )


def _check_primary(doc: Document, path: PathKey, url: str) -> Iterator[Problem]:
    site = rules.aggregator(url)
    if site is not None:
        yield doc.problem(
            path,
            f"{site} is an aggregator, not a primary source: cite the "
            "developer's model card, paper, repository or license text",
        )


def _check_sources(doc: Document, catalog: Catalog) -> Iterator[Problem]:
    for path, _family, entry in _entries(catalog):
        for i, url in enumerate(entry.sources):
            yield from _check_primary(doc, (*path, "sources", i), url)


def _check_ids(doc: Document, catalog: Catalog) -> Iterator[Problem]:
    seen_families: dict[str, int] = {}
    for f, family in enumerate(catalog.families):
        if family.id in seen_families:
            yield doc.problem(
                ("families", f, "id"),
                f"duplicate family id {family.id!r} (also families[{seen_families[family.id]}])",
            )
        seen_families.setdefault(family.id, f)
    seen: dict[str, PathKey] = {}
    for path, _family, entry in _entries(catalog):
        lowered = entry.id.lower()  # the Hub treats repo ids case-insensitively
        if lowered in seen:
            first = format_path(seen[lowered])
            yield doc.problem((*path, "id"), f"duplicate model id {entry.id!r} (also at {first})")
        seen.setdefault(lowered, path)


def _check_bases(doc: Document, catalog: Catalog) -> Iterator[Problem]:
    ids = {entry.id for _p, _f, entry in _entries(catalog)}
    for path, _family, entry in _entries(catalog):
        if entry.base is None:
            continue
        if entry.base == entry.id:
            yield doc.problem((*path, "base"), "a model cannot be its own base")
        elif entry.base not in ids:
            yield doc.problem(
                (*path, "base"),
                f"base {entry.base!r} is not in the catalog: add it as a model first",
            )
        if isinstance(entry, Derivative):
            continue
        if entry.kind.value == "base" and entry.openness.get(Component.FINETUNING_DATA):
            yield doc.problem(
                (*path, "openness", "finetuning_data"),
                "a base model has no fine-tuning data: remove this or change kind",
                level="warning",
            )


def _check_cycles(doc: Document, catalog: Catalog) -> Iterator[Problem]:
    """A base chain that comes back to where it started (A -> B -> A): lineage and the
    inherited components would have no beginning. Reported once, at its first member."""
    entries = {entry.id: (path, entry) for path, _family, entry in _entries(catalog)}
    reported: set[str] = set()
    for start, (path, entry) in entries.items():
        chain = [start]
        current = entry.base
        while current is not None and current in entries and current not in chain:
            chain.append(current)
            current = entries[current][1].base
        if current != start or len(chain) < 2 or start in reported:
            continue
        reported.update(chain)
        yield doc.problem(
            (*path, "base"), "base models form a cycle: " + " -> ".join([*chain, start])
        )


def _check_licenses_section(doc: Document, catalog: Catalog) -> Iterator[Problem]:
    for key in catalog.licenses:
        if not re.match(LICENSE_REF, key):
            yield doc.problem(
                ("licenses", key),
                f"{key!r}: custom licenses are keyed by a LicenseRef- id "
                "(SPDX licenses need no entry here)",
                key=True,
            )


def semantic_problems(doc: Document, catalog: Catalog) -> list[Problem]:
    """Checks across fields: evidence, licenses, ids, bases."""
    defined = set(catalog.licenses)
    out: list[Problem] = list(_check_licenses_section(doc, catalog))
    for path, assessment in _assessments(catalog):
        out.extend(_check_assessment(doc, path, assessment, defined))
    out.extend(_check_sources(doc, catalog))
    out.extend(_check_ids(doc, catalog))
    out.extend(_check_bases(doc, catalog))
    out.extend(_check_cycles(doc, catalog))
    return out


def validate_document(doc: Document) -> Loaded:
    """Validate parsed YAML: schema first, then cross-field rules."""
    problems = list(doc.problems)
    data: Any = doc.data
    if data is None and not problems:
        problems.append(doc.problem((), "the catalog is empty: it needs a families: list"))
    if problems and data is None:
        return Loaded(None, problems)
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(doc, exc))
        return Loaded(None, _sorted(problems))
    problems.extend(semantic_problems(doc, catalog))
    has_errors = any(p.level == "error" for p in problems)
    return Loaded(None if has_errors else catalog, _sorted(problems))


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))


def load(path: Path) -> Loaded:
    """Read and validate a catalog file."""
    return validate_document(read(path))


def all_entries(catalog: Catalog) -> list[tuple[Family, Model | Derivative]]:
    """Every model and derivative with its family, in catalog order."""
    return [(family, entry) for _p, family, entry in _entries(catalog)]
