"""Second opinions: other openness indexes' verdicts, matched to catalog models.

Files (under `opinions/` beside catalog.yaml, all committed):

- `osai.yaml`: the EU Open Source AI Index (osai-index.eu, CC BY 4.0), one entry per
  rated checkpoint (a system's base model and its end model are two entries);
- `mot.yaml`: the LF AI & Data Model Openness Tool (mot.isitopen.ai), one entry per model;
- `aliases.yaml`: explicit entry -> catalog repo id mappings where the ids differ;
- `reviewed.yaml`: a person's note on a disagreement once they have looked at it.

A snapshot is written by `python -m generator opinions` (generator/hub/opinions.py) and
read here. Matching never guesses: an entry matches a catalog model when the Hugging Face
repo it links to IS that model and the entry's own model name agrees with the repo name,
or when aliases.yaml says so. Everything else is reported as unmatched. These verdicts
never set ours: they are shown beside them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.catalog import source as yamlsource
from generator.catalog.schema import Catalog, Component
from generator.catalog.source import Problem

SOURCES = ("osai", "mot")
SOURCE_NAMES = {"osai": "EU Open Source AI Index", "mot": "Model Openness Tool (LF AI & Data)"}
# The components both indexes rate that we compare: training data and weights.
COMPARED = (Component.PRETRAINING_DATA, Component.FINETUNING_DATA, Component.WEIGHTS)
VERDICTS = ("open", "partial", "closed")

_HF_REPO = re.compile(r"^\s*(?:https?://)?(?:www\.)?huggingface\.co/([^/\s#?]+/[^/\s#?]+)")
_BARE_REPO = re.compile(r"^\s*([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)\s*$")


def hub_repo(link: Any) -> str | None:
    """The ORG/NAME of a huggingface.co model link (or a bare ORG/NAME), else None."""
    if not isinstance(link, str):
        return None
    match = _HF_REPO.match(link) or _BARE_REPO.match(link)
    if not match:
        return None
    repo = match.group(1)
    if repo.split("/")[0] in ("datasets", "spaces", "collections", "papers", "docs", "blog"):
        return None
    return repo


def name_key(name: str) -> str:
    """Lowercase letters and digits only: 'Llama-3.1-8B' and 'llama_3.1 8b' agree."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Verdict:
    """One index's verdict on one component of one checkpoint, in its own words."""

    verdict: str  # open | partial | closed, normalised from the source's vocabulary
    said: str  # what the source says, e.g. "open" or "included, license: Llama-3.1 (not open)"
    link: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Entry:
    """One rated checkpoint of a source."""

    source: str
    key: str  # unique within the source, e.g. "OLMo.yaml#end"
    name: str  # the model's name as the source writes it
    hub_id: str | None  # the Hugging Face repo the source links it to
    url: str  # where a reader sees it (the source's page, or its file at the commit)
    verdicts: dict[Component, Verdict]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    source: str
    name: str
    homepage: str
    repository: str
    commit: str
    commit_date: str
    fetched_at: str
    license: str
    attribution: str
    entries: tuple[Entry, ...]
    stale: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Match:
    entry: Entry
    model: str
    how: str  # "hub id" or "alias"
    also: tuple[str, ...] = ()  # other entries of the same source that rate this model


@dataclass(frozen=True)
class Opinions:
    """Everything loaded from opinions/: snapshots, matches, unmatched entries, notes."""

    snapshots: dict[str, Snapshot]
    matches: tuple[Match, ...]
    unmatched: tuple[tuple[Entry, str], ...]  # the entry and why it matched nothing
    notes: dict[tuple[str, str, str], dict[str, str]]  # (source, model, component) -> note
    problems: tuple[Problem, ...] = ()

    def for_model(self, model_id: str) -> list[Match]:
        return [m for m in self.matches if m.model == model_id]

    @property
    def matched_models(self) -> set[str]:
        return {m.model for m in self.matches}


# -- snapshot files -------------------------------------------------------------------------


def snapshot_dict(snap: Snapshot) -> dict[str, Any]:
    """The YAML form of a snapshot (written by the importer, read back by load_snapshot)."""
    return {
        "source": snap.source,
        "name": snap.name,
        "homepage": snap.homepage,
        "repository": snap.repository,
        "commit": snap.commit,
        "commit_date": snap.commit_date,
        "fetched_at": snap.fetched_at,
        "license": snap.license,
        "attribution": snap.attribution,
        "stale": snap.stale,
        "error": snap.error,
        "entries": [_entry_dict(e) for e in snap.entries],
    }


def _entry_dict(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": entry.key,
        "name": entry.name,
        "hub_id": entry.hub_id,
        "url": entry.url,
        "verdicts": {},
    }
    for comp, v in entry.verdicts.items():
        item: dict[str, Any] = {"verdict": v.verdict, "said": v.said}
        if v.link:
            item["link"] = v.link
        if v.notes:
            item["notes"] = v.notes
        out["verdicts"][comp.value] = item
    if entry.extra:
        out["extra"] = entry.extra
    return out


def dump_snapshot(snap: Snapshot) -> str:
    header = (
        f"# Generated by `python -m generator opinions` from {snap.repository} at "
        f"{snap.commit}.\n# {snap.attribution}\n# Do not edit by hand.\n"
    )
    return header + yaml.safe_dump(
        snapshot_dict(snap), sort_keys=False, allow_unicode=True, width=100
    )


def parse_snapshot(data: Any, name: str) -> Snapshot:
    if not isinstance(data, dict) or data.get("source") not in SOURCES:
        raise ValueError(f"{name}: not an opinions snapshot (no known `source:`)")
    entries = []
    for raw in data.get("entries") or []:
        verdicts = {}
        for comp, v in (raw.get("verdicts") or {}).items():
            if v.get("verdict") not in VERDICTS:
                raise ValueError(f"{name}: {raw.get('key')}: unknown verdict {v.get('verdict')!r}")
            verdicts[Component(comp)] = Verdict(
                v["verdict"], str(v.get("said", "")), v.get("link"), v.get("notes")
            )
        entries.append(
            Entry(
                data["source"],
                str(raw["key"]),
                str(raw.get("name") or ""),
                raw.get("hub_id"),
                str(raw.get("url") or ""),
                verdicts,
                dict(raw.get("extra") or {}),
            )
        )
    return Snapshot(
        source=data["source"],
        name=str(data.get("name") or SOURCE_NAMES[data["source"]]),
        homepage=str(data.get("homepage") or ""),
        repository=str(data.get("repository") or ""),
        commit=str(data.get("commit") or ""),
        commit_date=str(data.get("commit_date") or ""),
        fetched_at=str(data.get("fetched_at") or ""),
        license=str(data.get("license") or ""),
        attribution=str(data.get("attribution") or ""),
        entries=tuple(entries),
        stale=bool(data.get("stale")),
        error=data.get("error"),
    )


def load_snapshot(path: Path) -> Snapshot | None:
    if not path.exists():
        return None
    return parse_snapshot(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


# -- matching -------------------------------------------------------------------------------


def _auto(entry: Entry, ids: dict[str, str]) -> tuple[str | None, str]:
    if not entry.hub_id:
        return None, "links no Hugging Face model repo"
    model = ids.get(entry.hub_id.lower())
    if model is None:
        return None, f"links {entry.hub_id}, which is not in the catalog"
    if name_key(entry.name) != name_key(model.split("/")[1]):
        return None, (
            f"links {entry.hub_id} but names the model {entry.name!r}: not matched without an alias"
        )
    return model, "hub id"


def match(
    catalog: Catalog, snapshots: dict[str, Snapshot], aliases: dict[str, dict[str, str]]
) -> tuple[list[Match], list[tuple[Entry, str]]]:
    """Match every entry by Hub repo id (names agreeing) or by an explicit alias."""
    ids = {e.id.lower(): e.id for f in catalog.families for e in f.entries()}
    matches: list[Match] = []
    unmatched: list[tuple[Entry, str]] = []
    for source, snap in sorted(snapshots.items()):
        table = aliases.get(source, {})
        found: dict[str, list[Match]] = {}
        for entry in snap.entries:
            if entry.key in table:
                found.setdefault(table[entry.key], []).append(
                    Match(entry, table[entry.key], "alias")
                )
                continue
            model, why = _auto(entry, ids)
            if model is None:
                unmatched.append((entry, why))
            else:
                found.setdefault(model, []).append(Match(entry, model, why))
        for model, candidates in sorted(found.items()):
            # One verdict per model and source: an alias first, then the entry whose
            # system IS this model (its end model), then the first file.
            candidates.sort(
                key=lambda m: (m.how != "alias", m.entry.extra.get("role") == "base", m.entry.key)
            )
            best = candidates[0]
            matches.append(
                Match(best.entry, model, best.how, tuple(c.entry.key for c in candidates[1:]))
            )
    return matches, unmatched


# -- aliases and notes (validated, with file:line problems) ----------------------------------


def read_aliases(
    path: Path, catalog: Catalog | None, snapshots: dict[str, Snapshot]
) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """aliases.yaml: {source: [{entry: KEY, model: ORG/NAME, note: why}]}. An alias to an id
    that is not in the catalog, or from an entry the snapshot lacks, is a warning (the real
    catalog's tests allow none)."""
    if not path.exists():
        return {}, []
    doc = yamlsource.read(path)
    problems = list(doc.problems)
    ids = {e.id for f in catalog.families for e in f.entries()} if catalog else None
    out: dict[str, dict[str, str]] = {}
    data = doc.data or {}
    if not isinstance(data, dict):
        return {}, [*problems, doc.problem((), "must be a mapping of source -> list of aliases")]
    for source, items in data.items():
        if source not in SOURCES:
            problems.append(
                doc.problem(
                    (source,), f"unknown source {source!r} (one of {', '.join(SOURCES)})", key=True
                )
            )
            continue
        keys = {e.key for e in snapshots[source].entries} if source in snapshots else None
        for i, item in enumerate(items or []):
            where = (source, i)
            if not isinstance(item, dict) or not item.get("entry") or not item.get("model"):
                problems.append(doc.problem(where, "an alias needs `entry:` and `model:`"))
                continue
            entry, model = str(item["entry"]), str(item["model"])
            if ids is not None and model not in ids:
                # a warning, so that any catalog (a fixture, a dry run's) still validates; the
                # real catalog's test (tests/test_catalog_content.py) allows no warnings
                problems.append(
                    doc.problem(
                        (*where, "model"),
                        f"{model!r} is not a model id in the catalog",
                        level="warning",
                    )
                )
                continue
            if keys is not None and entry not in keys:
                # a warning: the source may drop a file at any time; the nightly goes on
                problems.append(
                    doc.problem(
                        (*where, "entry"),
                        f"{entry!r} is not an entry of opinions/{source}.yaml (unused alias)",
                        level="warning",
                    )
                )
                continue
            if entry in out.setdefault(source, {}):
                problems.append(doc.problem((*where, "entry"), f"{entry!r} is aliased twice"))
                continue
            out[source][entry] = model
    return out, problems


def read_notes(
    path: Path, catalog: Catalog | None
) -> tuple[dict[tuple[str, str, str], dict[str, str]], list[Problem]]:
    """reviewed.yaml: [{source, model, component, note, reviewed: DATE, by}] -- written by a
    person who has looked at a disagreement."""
    if not path.exists():
        return {}, []
    doc = yamlsource.read(path)
    problems = list(doc.problems)
    ids = {e.id for f in catalog.families for e in f.entries()} if catalog else None
    notes: dict[tuple[str, str, str], dict[str, str]] = {}
    for i, item in enumerate(doc.data or []):
        if not isinstance(item, dict):
            problems.append(doc.problem((i,), "a note is a mapping"))
            continue
        missing = [
            k for k in ("source", "model", "component", "note", "reviewed") if not item.get(k)
        ]
        if missing:
            problems.append(doc.problem((i,), f"missing {', '.join(missing)}"))
            continue
        if item["source"] not in SOURCES:
            problems.append(doc.problem((i, "source"), f"unknown source {item['source']!r}"))
            continue
        if ids is not None and item["model"] not in ids:
            problems.append(
                doc.problem((i, "model"), f"{item['model']!r} is not a model id in the catalog")
            )
            continue
        if item["component"] not in {c.value for c in COMPARED}:
            problems.append(
                doc.problem((i, "component"), "one of " + ", ".join(c.value for c in COMPARED))
            )
            continue
        notes[(item["source"], item["model"], item["component"])] = {
            "note": str(item["note"]),
            "reviewed": str(item["reviewed"]),
            "by": str(item.get("by") or ""),
        }
    return notes, problems


def load(directory: Path, catalog: Catalog | None) -> Opinions:
    """Read opinions/: the snapshots, then match, then the notes; problems are file:line."""
    snapshots: dict[str, Snapshot] = {}
    problems: list[Problem] = []
    for source in SOURCES:
        path = directory / f"{source}.yaml"
        try:
            snap = load_snapshot(path)
        except (ValueError, KeyError, yaml.YAMLError) as exc:
            problems.append(Problem(str(path), 1, 1, "", f"unreadable snapshot: {exc}"))
            continue
        if snap is not None:
            snapshots[source] = snap
    aliases, alias_problems = read_aliases(directory / "aliases.yaml", catalog, snapshots)
    notes, note_problems = read_notes(directory / "reviewed.yaml", catalog)
    problems += alias_problems + note_problems
    if catalog is None:
        return Opinions(snapshots, (), (), notes, tuple(problems))
    matches, unmatched = match(catalog, snapshots, aliases)
    return Opinions(snapshots, tuple(matches), tuple(unmatched), notes, tuple(problems))


def validate(catalog_path: Path, catalog: Catalog) -> list[Problem]:
    """The validation rule the pipeline runs: opinions/ beside the catalog, if present."""
    directory = catalog_path.resolve().parent / "opinions"
    if not directory.is_dir():
        return []
    return list(load(directory, catalog).problems)


@dataclass(frozen=True)
class Beside:
    """What the site shows beside our openness verdicts (issue 15): second opinions and
    inference providers. Either may be absent (no opinions/ directory, no providers file)."""

    opinions: Opinions | None
    providers: Any  # generator.catalog.providers.Providers | None


def load_beside(catalog_path: Path, lock_path: Path, catalog: Catalog) -> Beside:
    from generator.catalog import providers

    directory = catalog_path.resolve().parent / "opinions"
    found = load(directory, catalog) if directory.is_dir() else None
    return Beside(found, providers.load(providers.path_beside(lock_path)))
