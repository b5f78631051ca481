"""Changelog: sync summaries from changes/, catalog history from git, the page and the feed."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import markdown  # type: ignore[import-untyped]
import pytest

from generator.catalog import validate as catalog_mod
from generator.errors import GeneratorError
from generator.score.scorecard import Scorer
from generator.site import changelog
from generator.site.changelog import (
    EPOCH,
    Entry,
    atom_feed,
    catalog_history,
    changelog_markdown,
    load_entries,
    newest_first,
)
from tests.conftest import FIXTURES

ATOM = "{http://www.w3.org/2005/Atom}"
SITE = "https://example.org/atlas/"
SUMMARY = """## Hub sync 2026-11-27: 1 new, 1 license change

3 repos: 3 updated, 0 unchanged, 1 new. The lock changed.

### New in the lock

- `open-lab/Open-7B`

### License changes on the Hub

- `evil/x`: mit → other (<script>alert(1)</script>, [click](javascript:alert(2)))
  <img src=x onerror=alert(3)> {: onclick="alert(4)" } &amp;
"""
EVIL = '<b>bold</b> & [x](javascript:alert(1)) {: #y onclick="z" } # not a heading \x07'
PAGE_EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc", "admonition"]


# -- changes/ ------------------------------------------------------------------------------


def test_load_entries_reads_dated_files_newest_first(tmp_path: Path) -> None:
    (tmp_path / "2026-11-27.md").write_text(SUMMARY, encoding="utf-8")
    (tmp_path / "2026-11-26.md").write_text("No heading here.\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# not an entry\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored\n", encoding="utf-8")
    entries = load_entries(tmp_path)
    assert [e.key for e in entries] == ["sync-2026-11-27", "sync-2026-11-26"]
    first, second = entries
    assert first.title == "Hub sync 2026-11-27: 1 new, 1 license change"
    assert first.date == "2026-11-27"
    assert first.updated == "2026-11-27T00:00:00Z"
    assert first.body.startswith("3 repos:")
    assert second.title == "Hub sync 2026-11-26"
    assert second.body == "No heading here.\n"


def test_load_entries_without_the_folder(tmp_path: Path) -> None:
    assert load_entries(tmp_path / "absent") == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("2026-1-5.md", b"## x\n", "named YYYY-MM-DD.md"),
        ("2026-02-30.md", b"## x\n", "named YYYY-MM-DD.md"),
        ("2026-11-27.md", b" \n\n", "empty"),
        ("2026-11-27.md", b"\xff\xfe## x\n", "cannot read"),
    ],
)
def test_a_bad_summary_file_is_an_error_naming_it(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(GeneratorError, match=message) as info:
        load_entries(tmp_path)
    assert str(tmp_path / name) in str(info.value)


# -- catalog history -----------------------------------------------------------------------


def git(repo: Path, *args: str, when: str = "2026-01-02T03:04:05+00:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True
    )
    return proc.stdout


NEW_MODEL = """      - id: open-lab/Open-13B
        name: Open 13B
        kind: base
        released: 2024-06-01
        params_b: 13
        context_length: 4096
        sources: [https://example.org/open]
"""


def fixture_models() -> int:
    catalog = catalog_mod.load(FIXTURES / "catalog.yaml").catalog
    assert catalog is not None
    return len(Scorer(catalog).score_all())


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A repository with three commits of the fixture catalog: created, note-only, changed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    text = (FIXTURES / "catalog.yaml").read_text(encoding="utf-8")
    (repo / "catalog.yaml").write_text(text, encoding="utf-8")
    git(repo, "add", "catalog.yaml")
    git(repo, "commit", "-q", "-m", "Start the catalog", when="2026-01-01T23:30:00+02:00")
    text = text.replace("note: Described only.", "note: Described only; see the paper.")
    (repo / "catalog.yaml").write_text(text, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Reword a note", when="2026-01-02T10:00:00+00:00")
    text = text.replace(
        "evaluation_code: {status: open, evidence: [https://example.org/eval]}",
        "evaluation_code: {status: closed, evidence: [https://example.org/eval]}",
    )
    marker = "    derivatives:\n      - id: someone/Open-7B-Med"
    text = text.replace(marker, NEW_MODEL + marker)
    (repo / "catalog.yaml").write_text(text, encoding="utf-8")
    git(
        repo,
        "commit",
        "-q",
        "-am",
        "Open family: eval code is closed <b>now</b>",
        when="2026-01-03T12:00:00+00:00",
    )
    return repo


def test_catalog_history_describes_each_scorecard_change(history: Path) -> None:
    entries = catalog_history(history)
    assert [e.title for e in entries] == [
        "Catalog: 1 model added, 4 criteria changed, 3 verdicts changed",
        f"Catalog: {fixture_models()} models added",
    ]  # the note-only commit changed no scorecard, so it is not an entry
    newest, first = entries
    assert newest.date == "2026-01-03"
    assert newest.updated == "2026-01-03T12:00:00Z"
    assert first.date == "2026-01-01"  # 23:30 at +02:00 is 21:30 UTC
    sha = git(history, "rev-parse", "HEAD").strip()
    assert newest.key == f"catalog-{sha[:12]}"
    assert newest.body.startswith(f"Commit `{sha[:12]}`: Open family: eval code is closed")
    assert newest.diff is not None
    assert [m.id for m in newest.diff.added] == ["open-lab/Open-13B"]
    page = changelog_markdown(entries)
    assert "**Added (1):** [Open 13B](models/open-lab/Open-13B.md)" in page
    assert ("- [Open 7B](models/open-lab/Open-7B.md): evaluation code ✓ open → ✗ closed") in page
    assert "verdict ✓ open source → ✗ not open source" in page
    assert "did not load" not in first.body  # the file's creation is not a load failure


def test_a_warm_history_reads_the_cache_instead_of_scoring_old_catalogs(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import changelog

    cache = tmp_path / "cache"
    cold = catalog_history(history, cache_dir=cache)
    assert len(list(cache.glob("*.json"))) == 3  # one per commit, the note-only one too

    def must_not_run(*args: object) -> object:
        raise AssertionError("a warm history must not parse or score old catalogs")

    monkeypatch.setattr(changelog, "compute_diffs", must_not_run)
    assert catalog_history(history, cache_dir=cache) == cold


def test_a_change_of_the_rules_invalidates_the_cache(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.site import changelog

    cache = tmp_path / "cache"
    catalog_history(history, cache_dir=cache)
    monkeypatch.setattr(changelog, "rules_key", lambda: "other-rules")
    calls: list[int] = []
    real = changelog.compute_diffs
    monkeypatch.setattr(changelog, "compute_diffs", lambda *a: calls.append(len(a[1])) or real(*a))
    catalog_history(history, cache_dir=cache)
    assert calls == [3]


def test_catalog_history_is_bounded_by_limit(history: Path) -> None:
    assert [e.title for e in catalog_history(history, limit=1)] == [
        "Catalog: 1 model added, 4 criteria changed, 3 verdicts changed"
    ]
    assert catalog_history(history, limit=0) == []


def test_parallel_and_serial_history_agree(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(changelog, "workers", lambda commits: 1)
    serial = catalog_history(history)
    monkeypatch.setattr(changelog, "workers", lambda commits: 2)
    assert catalog_history(history) == serial


def test_no_history_without_git_or_repository(
    tmp_path: Path, history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain_dir = tmp_path / "tarball"
    plain_dir.mkdir()
    shutil.copy(FIXTURES / "catalog.yaml", plain_dir / "catalog.yaml")
    assert catalog_history(plain_dir) == []
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert catalog_history(history) == []


def test_a_shallow_clone_has_only_the_history_it_holds(tmp_path: Path, history: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", history.as_uri(), str(clone))
    assert catalog_history(clone) == []  # not "every model added" at the shallow boundary
    deeper = tmp_path / "deeper"
    git(tmp_path, "clone", "-q", "--depth", "2", history.as_uri(), str(deeper))
    assert [e.title for e in catalog_history(deeper)] == [
        "Catalog: 1 model added, 4 criteria changed, 3 verdicts changed"
    ]


def test_catalog_history_of_this_repository_does_not_fail() -> None:
    root = Path(__file__).resolve().parent.parent
    assert all(e.title.startswith("Catalog: ") for e in catalog_history(root, limit=5))


class Tags(HTMLParser):
    """The element and attribute names of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes.update(name for name, _value in attrs)


# -- page and feed -------------------------------------------------------------------------


def entries() -> list[Entry]:
    return [
        Entry(
            "2026-11-27",
            "Hub sync 2026-11-27: 1 new",
            SUMMARY.split("\n", 2)[2],
            "sync-2026-11-27",
            "2026-11-27T00:00:00Z",
        ),
        Entry(
            "2026-11-28",
            EVIL,
            f"Commit `abc`: {EVIL}\n\n| a | b |\n|---|---|\n| `x` | y |\n",
            "catalog-abc",
            "2026-11-28T09:30:00Z",
        ),
    ]


def test_changelog_page_keeps_structure_and_neutralises_html_and_links() -> None:
    page = changelog_markdown(entries())
    assert page.index("{ #catalog-abc }") < page.index("{ #sync-2026-11-27 }")  # newest first
    html = markdown.markdown(page, extensions=PAGE_EXTENSIONS)
    tags = Tags()
    tags.feed(html)
    assert {"script", "img", "b", "a"}.isdisjoint(tags.names)  # no raw HTML, no links
    assert not [a for a in tags.attributes if a.startswith("on")]  # no handlers
    assert "\x07" not in html
    assert '<h2 id="catalog-abc">2026-11-28 · ' in html
    assert '<h2 id="sync-2026-11-27">Hub sync 2026-11-27: 1 new</h2>' in html
    assert "<li><code>open-lab/Open-7B</code></li>" in html
    assert "<td><code>x</code></td>" in html
    assert "<strong>New in the lock</strong>" in html  # not a heading flooding the TOC
    assert "&#38;amp;" in html  # "&amp;" in a summary is shown as typed


def test_changelog_page_without_entries() -> None:
    assert "No changes recorded yet" in changelog_markdown([])


def test_atom_feed_is_valid_and_derived_from_the_entries() -> None:
    feed = atom_feed(entries(), SITE.rstrip("/"))
    assert feed.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    root = ET.fromstring(feed)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == f"{SITE}feed.xml"
    assert root.findtext(f"{ATOM}updated") == "2026-11-28T09:30:00Z"  # newest entry, no clock
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    items = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in items] == [
        f"{SITE}changelog/#catalog-abc",
        f"{SITE}changelog/#sync-2026-11-27",
    ]
    for item in items:
        assert item.findtext(f"{ATOM}title")
        assert item.findtext(f"{ATOM}updated")
        link = item.find(f"{ATOM}link")
        assert link is not None
        assert link.get("href") == item.findtext(f"{ATOM}id")
        content = item.find(f"{ATOM}content")
        assert content is not None
        assert content.get("type") == "html"
    assert items[0].findtext(f"{ATOM}title") == "2026-11-28 · " + EVIL.replace("\x07", "")
    html = items[1].findtext(f"{ATOM}content") or ""
    assert "<code>open-lab/Open-7B</code>" in html
    tags = Tags()
    tags.feed("".join(item.findtext(f"{ATOM}content") or "" for item in items))
    assert {"script", "img", "b", "a"}.isdisjoint(tags.names)
    assert not [a for a in tags.attributes if a.startswith("on")]


def test_atom_feed_is_deterministic_and_bounded() -> None:
    feed = atom_feed(entries(), SITE)
    assert atom_feed(list(reversed(entries())), SITE) == feed
    one = ET.fromstring(atom_feed(entries(), SITE, limit=1))
    assert len(one.findall(f"{ATOM}entry")) == 1


def test_empty_atom_feed_is_still_valid() -> None:
    root = ET.fromstring(atom_feed([], SITE))
    assert root.findtext(f"{ATOM}updated") == EPOCH
    assert root.findall(f"{ATOM}entry") == []


def test_sources_merge_newest_first_and_keep_ties_in_order() -> None:
    a = Entry("2026-01-01", "a", "", "catalog-a", "2026-01-01T10:00:00Z")
    b = Entry("2026-01-01", "b", "", "catalog-b", "2026-01-01T10:00:00Z")
    sync = Entry("2026-01-02", "s", "", "sync-2026-01-02", "2026-01-02T00:00:00Z")
    assert newest_first([a, b, sync]) == [sync, a, b]
