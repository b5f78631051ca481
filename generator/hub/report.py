"""What a sync changed, for people: printed at the end of `sync` and written as Markdown with
`--summary PATH` (the nightly commit message and the site's changelog)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from generator.catalog.drift import gating_text, license_text
from generator.catalog.lock import HubEntry, OrgEntry


def _license_key(entry: HubEntry) -> tuple[object, ...]:
    return entry.license, entry.license_name, entry.license_link, tuple(entry.license_tags)


@dataclass
class Summary:
    """Counts and lists of what changed; filled by `sync_lock`, rendered by `to_markdown`."""

    synced_on: date
    expand_fallback: bool = False
    total: int = 0
    updated: int = 0
    unchanged: int = 0
    new: list[str] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)
    gating: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    new_candidates: int = 0
    org_failed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    requests_api: int = 0
    requests_resolver: int = 0
    seconds: float = 0.0
    authenticated: bool = False
    lock_changed: bool = True

    # -- collecting ---------------------------------------------------------------------

    def add_model(self, repo_id: str, prev: HubEntry | None, fetched: bool,
                  merged: HubEntry) -> None:
        """Record one repo: `fetched` tells whether this run's fetch succeeded."""
        self.total += 1
        if merged.renamed_to:
            self.renamed.append(f"`{repo_id}` → `{merged.renamed_to}`")
        if not fetched:
            self._add_failure(repo_id, merged)
            return
        known = prev is not None and prev.fetched_at is not None
        if prev is not None and prev.fetched_at == merged.fetched_at:
            self.unchanged += 1
        else:
            self.updated += 1
        if not known:
            self.new.append(f"`{repo_id}`")
            return
        assert prev is not None
        if prev.error:
            self.recovered.append(f"`{repo_id}` (failing since {prev.error_since:%Y-%m-%d})")
        if _license_key(prev) != _license_key(merged):
            self.licenses.append(f"`{repo_id}`: {license_text(prev)} → {license_text(merged)}")
        if prev.gated != merged.gated:
            self.gating.append(f"`{repo_id}`: {gating_text(prev.gated)} → "
                               f"{gating_text(merged.gated)}")

    def _add_failure(self, repo_id: str, merged: HubEntry) -> None:
        kept = (f"last good data of {merged.fetched_at:%Y-%m-%d} kept" if merged.fetched_at
                else "never fetched")
        since = f"failing since {merged.error_since:%Y-%m-%d}" if merged.error_since else ""
        line = f"`{repo_id}`: {merged.error} ({kept}; {since})"
        (self.missing if merged.error_kind == "not_found" else self.failed).append(line)

    def add_org(self, org: str, prev: OrgEntry | None, fetched: bool, merged: OrgEntry) -> None:
        if not fetched:
            self.org_failed.append(f"`{org}`: {merged.error}")
        before = set(prev.candidates) if prev else set()
        for repo in merged.candidates:
            is_new = repo not in before
            self.new_candidates += is_new
            self.candidates.append(f"`{repo}` ({org}){' — new' if is_new else ''}")

    def has_failures(self) -> bool:
        return bool(self.missing or self.failed or self.org_failed)

    # -- rendering ----------------------------------------------------------------------

    def title(self) -> str:
        """One line, e.g. for a commit message: `Hub sync 2026-11-27: 3 new, 2 failed`."""
        parts = [f"{len(self.new)} new" if self.new else "",
                 _count(len(self.licenses), "license change"),
                 _count(len(self.gating), "gating change"),
                 f"{len(self.renamed)} renamed" if self.renamed else "",
                 f"{len(self.missing)} missing" if self.missing else "",
                 f"{len(self.failed)} failed" if self.failed else "",
                 _count(self.new_candidates, "new candidate")]
        text = ", ".join(p for p in parts if p) or (
            f"{self.updated} updated" if self.updated else "no changes")
        return f"Hub sync {self.synced_on.isoformat()}: {text}"

    def to_markdown(self) -> str:
        lines = [f"## {self.title()}", "", self._counts(), ""]
        for heading, items in self._sections():
            if items:
                lines += [f"### {heading}", "", *(f"- {item}" for item in items), ""]
        lines.append(self._run_line())
        return "\n".join(lines) + "\n"

    to_text = to_markdown

    def _counts(self) -> str:
        return (f"{self.total} repos: {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.new)} new, {len(self.missing)} missing, {len(self.failed)} failed. "
                f"{len(self.candidates)} release candidates ({self.new_candidates} new). "
                + ("The lock changed." if self.lock_changed else "The lock is unchanged."))

    def _sections(self) -> list[tuple[str, list[str]]]:
        notes = []
        if self.expand_fallback:
            notes.append("The Hub refused part of the `expand` list (HTTP 400): this run asked "
                         "only for the core fields; check generator/hub/parse.py EXPAND.")
        return [
            ("New in the lock", self.new),
            ("License changes on the Hub", self.licenses),
            ("Gating changes on the Hub", self.gating),
            ("Renamed on the Hub: update catalog.yaml", self.renamed),
            ("Missing on the Hub (deleted, private or wrong id)", self.missing),
            ("Failed (will be retried next sync)", self.failed),
            ("Recovered", self.recovered),
            ("Release candidates (in a family's Hub organization, not in the catalog)",
             self.candidates),
            ("Hub organizations that could not be listed", self.org_failed),
            ("Dropped from the lock (no longer in the catalog)",
             [f"`{repo}`" for repo in self.dropped]),
            ("Notes", notes),
        ]

    def _run_line(self) -> str:
        per_repo = self.requests_api / self.total if self.total else 0.0
        auth = "with HF_TOKEN" if self.authenticated else "anonymous"
        return (f"Run: {self.requests_api} API requests ({per_repo:.2f} per repo), "
                f"{self.requests_resolver} file downloads, {self.seconds:.1f} s, {auth}.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}" if n else ""
