"""The changelog page and its Atom feed: nightly Hub sync summaries plus catalog history.

Two sources, both read at build time and never from the network:

- `changes/YYYY-MM-DD.md`: the Markdown summary of each nightly sync, committed by the bot
  with catalog.lock.yaml (`load_entries`).
- `git log` of catalog.yaml: for each commit, what it did to the scorecards, as computed by
  `generator.score.report.diff` (`catalog_history`). Without git or history (a tarball, a shallow
  clone) there is simply no catalog history.

The bodies hold text from the Hub and from commit messages, so they are treated as
untrusted on output: raw HTML, links and attribute lists are neutralised (`safe_markdown`);
code spans, emphasis, lists and tables keep working. Dates come from the files and commits,
never from the build clock, so the page and the feed are byte-stable.
"""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, date, datetime
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import markdown  # type: ignore[import-untyped]  # no stubs in the pinned dev set
import yaml

from generator.catalog.schema import Catalog
from generator.catalog.source import Document, Positions
from generator.catalog.validate import validate_document
from generator.errors import GeneratorError
from generator.score import report

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_LIMIT = 50
GIT_TIMEOUT = 30.0
MAX_WORKERS = 4
NULL_BLOB = "0" * 40
EPOCH = "1970-01-01T00:00:00Z"  # the feed's `updated` when there is nothing in it yet

_DATE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.md$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_TEXT_ESCAPES = {c: f"&#{ord(c)};" for c in "&<>[]{}"}
_PLAIN_ESCAPES = {c: f"&#{ord(c)};" for c in "&<>[]{}\\`*_|~#"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Entry:
    """One change: a nightly sync or a catalog commit."""

    date: str  # YYYY-MM-DD (UTC)
    title: str  # plain text
    body: str  # Markdown; escaped on output (see safe_markdown)
    key: str  # stable: the page anchor and the Atom id, e.g. sync-2026-11-27, catalog-<sha12>
    updated: str  # RFC 3339 UTC, for Atom and ordering

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
    entries = [read_entry(path) for path in sorted(changes_dir.glob("*.md"))
               if path.name[:1].isdigit()]
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


def catalog_history(repo_root: Path, catalog: str = "catalog.yaml",
                    limit: int = 50) -> list[Entry]:
    """What each of the last `limit` commits to the catalog did to the scorecards. Commits
    that change no scorecard (notes, evidence links) are left out. No git, no repository or
    no history: []. Parsing and scoring 50 versions of a 300 KB catalog is CPU-bound, so the
    commits are shared among processes when there are several CPUs."""
    commits = git_commits(repo_root, catalog, limit)
    blobs = read_blobs(repo_root, {c.old_blob for c in commits} | {c.new_blob for c in commits})
    chunks = [chunk for chunk in split(commits, workers(len(commits))) if chunk]
    jobs = [(chunk, {b: blobs[b] for c in chunk for b in (c.old_blob, c.new_blob) if b in blobs},
             catalog) for chunk in chunks]
    if len(jobs) < 2:
        return newest_first([e for job in jobs for e in history_entries(*job)])
    try:
        with ProcessPoolExecutor(len(jobs), mp_context=get_context("fork")) as pool:
            results = list(pool.map(history_entries, *zip(*jobs, strict=True)))
    except (OSError, ValueError, BrokenProcessPool):  # no fork or no semaphores here
        results = [history_entries(*job) for job in jobs]
    return newest_first([e for part in results for e in part])


def workers(commits: int) -> int:
    """Processes worth starting: one per ~8 commits, at most one per CPU (fork only)."""
    if "fork" not in get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, commits // 8))


def split(items: list[Commit], parts: int) -> list[list[Commit]]:
    """Contiguous chunks, so neighbouring commits (which share a version) stay together."""
    size = -(-len(items) // max(parts, 1))
    return [items[i:i + size] for i in range(0, len(items), size or 1)]


def history_entries(commits: list[Commit], blobs: dict[str, str], catalog: str) -> list[Entry]:
    """The entries of some commits (one process's share): each version parsed once."""
    catalogs: dict[str, Catalog | None] = {NULL_BLOB: empty_catalog()}
    entries = []
    for commit in commits:
        for blob in (commit.old_blob, commit.new_blob):
            if blob not in catalogs:
                catalogs[blob] = parse_catalog(blobs.get(blob), f"{catalog}@{blob[:12]}")
        entry = commit_entry(commit, catalogs[commit.old_blob], catalogs[commit.new_blob])
        if entry is not None:
            entries.append(entry)
    return entries


def git(repo_root: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    """Run git; None when it is missing, fails or hangs (the caller then has no history)."""
    try:
        proc = subprocess.run(["git", "-C", str(repo_root), *args], input=stdin,
                              capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_commits(repo_root: Path, catalog: str, limit: int) -> list[Commit]:
    """The commits that changed the catalog, along the first-parent line (a merged pull
    request is one change), each with the file's blob before and after."""
    out = git(repo_root, "log", "--first-parent", "--diff-merges=first-parent", "--raw",
              "--no-abbrev", "--no-renames", f"--max-count={max(limit, 0)}",
              "--format=%x1e%H%x1f%ct%x1f%P%x1f%s", "--", catalog)
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
        result[parts[0].decode()] = out[pos:pos + size].decode("utf-8", "replace")
        pos += size + 1
    return result


def parse_catalog(text: str | None, name: str) -> Catalog | None:
    """Validate an old catalog version with the catalog's own rules. libyaml parses it (5x
    faster than the line-tracking reader; line numbers are not needed here). A version that
    no longer loads under today's schema is None."""
    if text is None:
        return None
    try:
        data = yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python)
    except (yaml.YAMLError, ValueError):
        return None
    return validate_document(Document(name, data, Positions(), [])).catalog


def empty_catalog() -> Catalog:
    """The state before the catalog existed (a valid Catalog needs a family: bypass it)."""
    return Catalog.model_construct(licenses={}, families=[])


def commit_entry(commit: Commit, before: Catalog | None, after: Catalog | None) -> Entry | None:
    """The entry for one commit, or None when it changed no scorecard or cannot be compared."""
    if before is None or after is None:
        return None
    body = report.diff(before, after)
    title = diff_title(body)
    if title is None:
        return None
    when = datetime.fromtimestamp(commit.timestamp, tz=UTC)
    text = body.split("\n", 1)[1].strip() if body.startswith("#") else body.strip()
    return Entry(
        date=when.date().isoformat(),
        title=f"Catalog: {title}",
        body=f"Commit `{commit.sha[:12]}`: {commit.subject}\n\n{text}\n",
        key=f"catalog-{commit.sha[:12]}",
        updated=when.isoformat().replace("+00:00", "Z"),
    )


def diff_title(body: str) -> str | None:
    """'3 models added, 1 removed, 2 criteria changed' from `report.diff`'s Markdown."""
    moved = re.findall(r"^\| `[^`]+` \| (\w+) \|", body, flags=re.MULTILINE)
    criteria = sum(1 for name in moved if name != "open_source")
    parts = [
        plural(first_int(r"\*\*Added \((\d+)\):\*\*", body), "model added", "models added"),
        plural(first_int(r"\*\*Removed \((\d+)\):\*\*", body), "removed", "removed"),
        plural(criteria, "criterion changed", "criteria changed"),
        plural(len(moved) - criteria, "open-source verdict changed",
               "open-source verdicts changed"),
    ]
    return ", ".join(p for p in parts if p) or None


def first_int(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def plural(n: int, one: str, many: str) -> str:
    return "" if n == 0 else f"{n} {one if n == 1 else many}"


# -- output -------------------------------------------------------------------------------


def plain(text: str) -> str:
    """Untrusted one-line text for Markdown: HTML and Markdown syntax become entities."""
    one_line = " ".join(_CONTROL.sub("", text).split())
    return "".join(_PLAIN_ESCAPES.get(c, c) for c in one_line)


def safe_markdown(body: str) -> str:
    """Keep a body's structure (lists, tables, emphasis, code spans) but no raw HTML, links,
    images or attribute lists. Its headings become bold lines: hundreds of entries would
    otherwise flood the page's table of contents with repeated "New in the lock" items."""
    out = []
    for line in _CONTROL.sub("", body).splitlines():
        heading = _HEADING.match(line)
        out.append(f"**{safe_line(heading.group(2))}**" if heading else safe_line(line))
    return "\n".join(out).strip() + "\n"


def safe_line(line: str) -> str:
    """Escape text outside code spans (Markdown itself escapes what is inside them)."""
    parts, pos = [], 0
    for match in _CODE_SPAN.finditer(line):
        parts.append(escape_text(line[pos:match.start()]))
        parts.append(match.group(0))
        pos = match.end()
    parts.append(escape_text(line[pos:]))
    return "".join(parts)


def escape_text(text: str) -> str:
    return "".join(_TEXT_ESCAPES.get(c, c) for c in text)


def changelog_markdown(entries: list[Entry], names: dict[str, str] | None = None) -> str:
    """The page body: one section per entry, newest first, each with a stable anchor; with
    `names` (model id -> name), written for people (`for_people`)."""
    if not entries:
        return ("No changes recorded yet. Each nightly Hub sync and each change to the "
                "catalog's scorecards will be listed here.\n")
    sections = [f"## {plain(e.heading)} {{ #{e.key} }}\n\n"
                f"{for_people(safe_markdown(e.body), names or {})}"
                for e in newest_first(entries)]
    return "\n".join(sections)


_STATUS_WORDS = {"open": "✓ open", "partial": "◐ partial", "closed": "✗ closed",
                 "unknown": "? unknown", "True": "✓ open source", "False": "✗ not open source"}
_STATUS_CELL = re.compile(r"(?<=\| )(open|partial|closed|unknown|True|False)(?= \|)")
_ID_SPAN = re.compile(r"`([A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)`")


def for_people(body: str, names: dict[str, str]) -> str:
    """A model id in a code span becomes its name, linked to its page (ids no longer in
    the catalog stay as they are); a status in a table cell gets its symbol as well."""
    def link(match: re.Match[str]) -> str:
        model_id = match.group(1)
        name = names.get(model_id)
        return f"[{plain(name)}](models/{model_id}.md)" if name else match.group(0)

    lines = []
    for line in body.splitlines():
        line = _ID_SPAN.sub(link, line)
        if line.startswith("|"):
            line = _STATUS_CELL.sub(lambda m: _STATUS_WORDS[m.group(1)], line)
        lines.append(line)
    return "\n".join(lines) + ("\n" if body.endswith("\n") else "")


def entry_html(entry: Entry) -> str:
    html: str = markdown.markdown(safe_markdown(entry.body), extensions=["tables"],
                                  output_format="html")
    return html


def atom_feed(entries: list[Entry], site_url: str, limit: int = FEED_LIMIT) -> str:
    """An Atom 1.0 document of the newest `limit` entries. Its `updated` is the newest
    entry's time (not the build's), so an unchanged history gives an identical feed."""
    site = site_url.rstrip("/") + "/"
    ordered = newest_first(entries)[:max(limit, 0)]
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    sub(feed, "title", "Open Model Atlas: changes")
    sub(feed, "subtitle", "Nightly Hugging Face Hub syncs and catalog changes that move "
        "the openness scorecards.")
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml",
                                 "href": f"{site}feed.xml"})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html",
                                 "href": f"{site}changelog/"})
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
    ET.SubElement(node, "link", {"rel": "alternate", "type": "text/html",
                                 "href": f"{site}changelog/#{entry.key}"})
    sub(node, "id", f"{site}changelog/#{entry.key}")
    sub(node, "updated", entry.updated)
    content = sub(node, "content", entry_html(entry))
    content.set("type", "html")


def sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    node = ET.SubElement(parent, tag)
    node.text = _CONTROL.sub("", text)
    return node
