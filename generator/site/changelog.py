"""The changelog page and its Atom feed: nightly Hub sync summaries plus catalog history.

Two sources, both read at build time and never from the network:

- `changes/YYYY-MM-DD.md`: the Markdown summary of each nightly sync, committed by the bot
  with catalog.lock.yaml (`load_entries`).
- `git log` of catalog.yaml: for each commit, what it did to the scorecards, as computed by
  `generator.score.diff` (`catalog_history`), cached per catalog version pair. Without git or history (a tarball, a shallow
  clone) there is simply no catalog history.

The bodies hold text from the Hub and from commit messages, so they are treated as
untrusted on output: raw HTML, links and attribute lists are neutralised (`markup.md_body`);
code spans, emphasis, lists and tables keep working. Dates come from the files and commits,
never from the build clock, so the page and the feed are byte-stable.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, date, datetime
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import markdown  # type: ignore[import-untyped]  # no stubs in the pinned dev set

from generator.catalog.schema import Catalog, Status
from generator.catalog.source import Document, Positions, load_fast
from generator.catalog.validate import validate_document
from generator.errors import GeneratorError
from generator.score.diff import Model as DiffModel
from generator.score.diff import ScorecardDiff
from generator.score.diff import diff as score_diff
from generator.score.scorecard import CRITERION_LABELS, Criterion
from generator.site.markup import CONTROL, STATUS_SYMBOL, md_body, md_plain

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 50
GIT_TIMEOUT = 30.0
MAX_WORKERS = 4
NULL_BLOB = "0" * 40
EPOCH = "1970-01-01T00:00:00Z"  # the feed's `updated` when there is nothing in it yet

_DATE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.md$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Entry:
    """One change: a nightly sync or a catalog commit."""

    date: str  # YYYY-MM-DD (UTC)
    title: str  # plain text
    body: str  # Markdown; escaped on output (see markup.md_body)
    key: str  # stable: the page anchor and the Atom id, e.g. sync-2026-11-27, catalog-<sha12>
    updated: str  # RFC 3339 UTC, for Atom and ordering
    diff: ScorecardDiff | None = None  # a catalog commit's effect, rendered for people

    @property
    def heading(self) -> str:
        return self.title if self.date in self.title else f"{self.date} · {self.title}"


def newest_first(entries: list[Entry]) -> list[Entry]:
    """Newest first. The sort is stable: entries of the same second keep their given order
    (git's order for commits, so a burst of commits reads as it happened)."""
    return sorted(entries, key=lambda e: e.updated, reverse=True)


# -- nightly sync summaries ---------------------------------------------------------------


def load_entries(changes_dir: Path) -> list[Entry]:
    """Every `YYYY-MM-DD.md` in `changes_dir`, newest first. Files whose name does not start
    with a digit (README.md) are not entries; a dated file that is misnamed, empty or not
    UTF-8 is an error naming it."""
    if not changes_dir.is_dir():
        return []
    entries = [
        read_entry(path) for path in sorted(changes_dir.glob("*.md")) if path.name[:1].isdigit()
    ]
    return newest_first(entries)


def read_entry(path: Path) -> Entry:
    match = _DATE_NAME.match(path.name)
    day = match.group(1) if match else ""
    try:
        date.fromisoformat(day)
    except ValueError:
        raise GeneratorError(f"{path}: a sync summary is named YYYY-MM-DD.md") from None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneratorError(f"{path}: cannot read the sync summary: {exc}") from exc
    if not text.strip():
        raise GeneratorError(f"{path}: the sync summary is empty")
    title, body = split_title(text, f"Hub sync {day}")
    return Entry(day, title, body, f"sync-{day}", f"{day}T00:00:00Z")


def split_title(text: str, default: str) -> tuple[str, str]:
    """The first line's heading is the title; the rest is the body."""
    lines = text.strip().splitlines()
    match = _HEADING.match(lines[0])
    if match and match.group(2):
        return match.group(2), "\n".join(lines[1:]).strip() + "\n"
    return default, "\n".join(lines) + "\n"


# -- catalog history ----------------------------------------------------------------------


@dataclass(frozen=True)
class Commit:
    sha: str
    timestamp: int
    subject: str
    old_blob: str  # NULL_BLOB when the commit created the file
    new_blob: str


def catalog_history(
    repo_root: Path, catalog: str = "catalog.yaml", limit: int = 50, cache_dir: Path | None = None
) -> list[Entry]:
    """What each of the last `limit` commits to the catalog did to the scorecards. Commits
    that change no scorecard (notes, evidence links) are left out. No git, no repository or
    no history: []. Each commit's effect is computed once per (old blob, new blob, rules)
    and kept in `cache_dir`, so a warm build reads small JSON files instead of parsing and
    scoring every past catalog; the cold part is shared among processes."""
    commits = git_commits(repo_root, catalog, limit)
    cache = DiffCache(cache_dir)
    diffs = {c.sha: cache.get(c) for c in commits}
    missing = [c for c in commits if diffs[c.sha] is None]
    for sha, computed in (compute_diffs(repo_root, missing, catalog) if missing else {}).items():
        diffs[sha] = computed
        if computed is not None:
            cache.put(next(c for c in missing if c.sha == sha), computed)
    entries = [commit_entry(c, diffs[c.sha]) for c in commits]
    return newest_first([e for e in entries if e is not None])


def compute_diffs(
    repo_root: Path, commits: list[Commit], catalog: str
) -> dict[str, ScorecardDiff | None]:
    """The effect of each commit (None where a version does not load under today's rules)."""
    if not commits:
        return {}
    blobs = read_blobs(repo_root, {c.old_blob for c in commits} | {c.new_blob for c in commits})
    chunks = [chunk for chunk in split(commits, workers(len(commits))) if chunk]
    jobs = [
        (
            chunk,
            {b: blobs[b] for c in chunk for b in (c.old_blob, c.new_blob) if b in blobs},
            catalog,
        )
        for chunk in chunks
    ]
    if len(jobs) < 2:
        results = [history_diffs(*job) for job in jobs]
    else:
        try:
            with ProcessPoolExecutor(len(jobs), mp_context=get_context("fork")) as pool:
                results = list(pool.map(history_diffs, *zip(*jobs, strict=True)))
        except (OSError, ValueError, BrokenProcessPool):  # no fork or no semaphores here
            results = [history_diffs(*job) for job in jobs]
    return {sha: d for part in results for sha, d in part.items()}


# The modules whose rules decide a diff: a change to any of them invalidates the cache.
_RULE_MODULES = (
    "catalog/schema.py",
    "catalog/validate.py",
    "catalog/licenses.py",
    "catalog/rules.py",
    "score/scorecard.py",
    "score/diff.py",
)


def rules_key() -> str:
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in _RULE_MODULES:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()[:16]


class DiffCache:
    """Scorecard diffs keyed by the catalog's blob before and after and the rules' hash."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.key = rules_key() if directory is not None else ""

    def _path(self, commit: Commit) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{commit.old_blob[:20]}-{commit.new_blob[:20]}-{self.key}.json"

    def get(self, commit: Commit) -> ScorecardDiff | None:
        path = self._path(commit)
        if path is None:
            return None
        try:
            return ScorecardDiff.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: compute it again

    def put(self, commit: Commit, diff: ScorecardDiff) -> None:
        path = self._path(commit)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(diff.to_json(), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a read-only checkout still builds; it only stays cold


def workers(commits: int) -> int:
    """Processes worth starting: one per ~8 commits, at most one per CPU (fork only)."""
    if "fork" not in get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, commits // 8))


def split(items: list[Commit], parts: int) -> list[list[Commit]]:
    """Contiguous chunks, so neighbouring commits (which share a version) stay together."""
    size = -(-len(items) // max(parts, 1))
    return [items[i : i + size] for i in range(0, len(items), size or 1)]


def history_diffs(
    commits: list[Commit], blobs: dict[str, str], catalog: str
) -> dict[str, ScorecardDiff | None]:
    """The diffs of some commits (one process's share): each version parsed once."""
    catalogs: dict[str, Catalog | None] = {NULL_BLOB: empty_catalog()}
    out: dict[str, ScorecardDiff | None] = {}
    for commit in commits:
        for blob in (commit.old_blob, commit.new_blob):
            if blob not in catalogs:
                catalogs[blob] = parse_catalog(blobs.get(blob), f"{catalog}@{blob[:12]}")
        before, after = catalogs[commit.old_blob], catalogs[commit.new_blob]
        out[commit.sha] = None if before is None or after is None else score_diff(before, after)
    return out


def git(repo_root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """Run git; None when it is missing, fails or hangs (the caller then has no history)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo_root), *args],
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_commits(repo_root: Path, catalog: str, limit: int) -> list[Commit]:
    """The commits that changed the catalog, along the first-parent line (a merged pull
    request is one change), each with the file's blob before and after."""
    out = git(
        repo_root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        f"--max-count={max(limit, 0)}",
        "--format=%x1e%H%x1f%ct%x1f%P%x1f%s",
        "--",
        catalog,
    )
    if not out:
        return []
    shallow = (git(repo_root, "rev-parse", "--is-shallow-repository") or b"").strip() == b"true"
    commits = []
    for record in out.decode("utf-8", "replace").split("\x1e")[1:]:
        commit = parse_record(record, shallow)
        if commit is not None:
            commits.append(commit)
    return commits


def parse_record(record: str, shallow: bool) -> Commit | None:
    head, _, raw = record.partition("\n")
    sha, timestamp, parents, subject = [*head.split("\x1f"), "", "", ""][:4]
    diff = next((line for line in raw.splitlines() if line.startswith(":")), None)
    if diff is None or not timestamp.isdigit():
        return None
    fields = diff.split("\t", 1)[0].split()
    old_blob, new_blob = fields[2], fields[3]
    if new_blob == NULL_BLOB:  # the catalog was deleted: nothing to score
        return None
    if shallow and not parents:  # a shallow clone's boundary: its parent is not here
        return None
    return Commit(sha, int(timestamp), subject, old_blob, new_blob)


def read_blobs(repo_root: Path, blobs: set[str]) -> dict[str, str]:
    """Many file versions from one `git cat-file --batch` (one process, not one per blob)."""
    wanted = sorted(b for b in blobs if b != NULL_BLOB)
    if not wanted:
        return {}
    out = git(repo_root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in wanted).encode())
    if out is None:
        return {}
    result: dict[str, str] = {}
    pos = 0
    while pos < len(out):
        header_end = out.index(b"\n", pos)
        parts = out[pos:header_end].split()
        pos = header_end + 1
        if len(parts) != 3 or parts[1] != b"blob":  # "<sha> missing"
            continue
        size = int(parts[2])
        result[parts[0].decode()] = out[pos : pos + size].decode("utf-8", "replace")
        pos += size + 1
    return result


def parse_catalog(text: str | None, name: str) -> Catalog | None:
    """Validate an old catalog version with the catalog's own rules. libyaml parses it (5x
    faster than the line-tracking reader; line numbers are not needed here). A version that
    no longer loads under today's schema is None."""
    if text is None:
        return None
    data = load_fast(text)  # a safe loader (C or Python), under the reader's limits
    if data is None:
        return None
    return validate_document(Document(name, data, Positions(), [])).catalog


def empty_catalog() -> Catalog:
    """The state before the catalog existed (a valid Catalog needs a family: bypass it)."""
    return Catalog.model_construct(licenses={}, families=[])


def commit_entry(commit: Commit, diff: ScorecardDiff | None) -> Entry | None:
    """The entry for one commit, or None when it changed no scorecard or cannot be compared."""
    if diff is None:
        return None
    title = diff.title()
    if title is None:
        return None
    when = datetime.fromtimestamp(commit.timestamp, tz=UTC)
    return Entry(
        date=when.date().isoformat(),
        title=f"Catalog: {title}",
        body=f"Commit `{commit.sha[:12]}`: {commit.subject}\n",
        key=f"catalog-{commit.sha[:12]}",
        updated=when.isoformat().replace("+00:00", "Z"),
        diff=diff,
    )


# Statuses reuse markup's one symbol table; verdicts take the symbol of the status they mean.
_SYMBOL = {
    **{status.value: symbol for status, symbol in STATUS_SYMBOL.items()},
    "open source": STATUS_SYMBOL[Status.OPEN],
    "not open source": STATUS_SYMBOL[Status.CLOSED],
    "not yet verified": STATUS_SYMBOL[Status.UNKNOWN],
}
_CRITERION = {c.value: CRITERION_LABELS[c] for c in Criterion}


def diff_markdown(diff: ScorecardDiff, href: Callable[[DiffModel], str]) -> str:
    """A commit's effect for people: model names linked, statuses as symbols and words.
    Names come from the catalog, so they are escaped; the links are built here."""

    def name(model: DiffModel, linked: bool = True) -> str:
        text = md_plain(model.name)
        return f"[{text}]({href(model)})" if linked else text

    def status(value: str) -> str:
        return f"{_SYMBOL.get(value, '')} {md_plain(value)}".strip()

    lines = []
    if diff.added:
        lines.append(f"**Added ({len(diff.added)}):** " + ", ".join(name(m) for m in diff.added))
    if diff.removed:
        lines.append(
            f"**Removed ({len(diff.removed)}):** "
            + ", ".join(name(m, linked=False) for m in diff.removed)
        )
    if diff.changes:
        lines.append("")
        lines += [
            f"- {name(c.model)}: {md_plain(_CRITERION.get(c.what, c.what)).lower()} "
            f"{status(c.before)} → {status(c.after)}"
            for c in diff.changes
        ]
    return "\n".join(lines) + "\n" if lines else ""


def page_href(model: DiffModel) -> str:
    """From the changelog page (docs/changelog.md) to the model's own page."""
    return f"models/{model.id}.md"


# -- output -------------------------------------------------------------------------------


def changelog_markdown(entries: list[Entry]) -> str:
    """The page body: one section per entry, newest first, each with a stable anchor."""
    if not entries:
        return (
            "No changes recorded yet. Each nightly Hub sync and each change to the "
            "catalog's scorecards will be listed here.\n"
        )
    sections = [
        f"## {md_plain(e.heading)} {{ #{e.key} }}\n\n{md_body(e.body)}"
        + (f"\n{diff_markdown(e.diff, page_href)}" if e.diff else "")
        for e in newest_first(entries)
    ]
    return "\n".join(sections)


def entry_html(entry: Entry, site: str = "") -> str:
    def absolute(model: DiffModel) -> str:
        return f"{site}models/{model.id}/"

    text = md_body(entry.body)
    if entry.diff is not None:
        text += "\n" + diff_markdown(entry.diff, absolute)
    html: str = markdown.markdown(text, extensions=["tables"], output_format="html")
    return html


def atom_feed(entries: list[Entry], site_url: str, limit: int = FEED_LIMIT) -> str:
    """An Atom 1.0 document of the newest `limit` entries. Its `updated` is the newest
    entry's time (not the build's), so an unchanged history gives an identical feed."""
    site = site_url.rstrip("/") + "/"
    ordered = newest_first(entries)[: max(limit, 0)]
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    sub(feed, "title", "Open Model Atlas: changes")
    sub(
        feed,
        "subtitle",
        "Nightly Hugging Face Hub syncs and catalog changes that move the openness scorecards.",
    )
    ET.SubElement(
        feed, "link", {"rel": "self", "type": "application/atom+xml", "href": f"{site}feed.xml"}
    )
    ET.SubElement(
        feed, "link", {"rel": "alternate", "type": "text/html", "href": f"{site}changelog/"}
    )
    sub(feed, "id", f"{site}feed.xml")
    sub(feed, "updated", ordered[0].updated if ordered else EPOCH)
    author = ET.SubElement(feed, "author")
    sub(author, "name", "Open Model Atlas")
    for entry in ordered:
        add_entry(feed, entry, site)
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def add_entry(feed: ET.Element, entry: Entry, site: str) -> None:
    node = ET.SubElement(feed, "entry")
    sub(node, "title", entry.heading)
    ET.SubElement(
        node,
        "link",
        {"rel": "alternate", "type": "text/html", "href": f"{site}changelog/#{entry.key}"},
    )
    sub(node, "id", f"{site}changelog/#{entry.key}")
    sub(node, "updated", entry.updated)
    content = sub(node, "content", entry_html(entry, site))
    content.set("type", "html")


def sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    node = ET.SubElement(parent, tag)
    node.text = CONTROL.sub("", text)  # ElementTree escapes the rest
    return node
