"""What a sync changed, for people, in three forms:

- `to_markdown` (`--summary`): everything, failures included, for the maintainers (the
  job summary, the data pull request);
- `to_changelog` (`--changelog`): what changed on the Hub, for readers (changes/DATE.md,
  the site's changelog and feed): no failure counts, which would repeat every night;
- `alert_markdown` (`--alert`): when too many repos failed, the report for the
  maintainers' issue, with the likely cause (an expired HF_TOKEN answers 401 everywhere).
"""

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
    expand_refusals: int = 0  # HTTP 400 answers to the full expand list
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
    unauthorized: int = 0  # repos whose fetch was refused with a 401 that is not "not found"
    kept: dict[str, int] = field(default_factory=dict)  # field -> repos it was not sent for
    config_unread: list[str] = field(default_factory=list)
    max_failed_share: float = 1.0

    # -- collecting ---------------------------------------------------------------------

    def add_model(
        self, repo_id: str, prev: HubEntry | None, fetched: bool, merged: HubEntry
    ) -> None:
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
            self.gating.append(
                f"`{repo_id}`: {gating_text(prev.gated)} → {gating_text(merged.gated)}"
            )

    def _add_failure(self, repo_id: str, merged: HubEntry) -> None:
        kept = (
            f"last good data of {merged.fetched_at:%Y-%m-%d} kept"
            if merged.fetched_at
            else "never fetched"
        )
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

    def add_partial(self, repo_id: str, kept: tuple[str, ...], config_error: str | None) -> None:
        """A fetch that worked but left something out: fields kept, config.json unread."""
        for name in kept:
            self.kept[name] = self.kept.get(name, 0) + 1
        if config_error:
            self.config_unread.append(f"`{repo_id}`: {config_error}")

    def has_failures(self) -> bool:
        return bool(self.missing or self.failed or self.org_failed)

    def failure_count(self) -> int:
        return len(self.missing) + len(self.failed)

    def failure_share(self) -> float:
        return self.failure_count() / self.total if self.total else 0.0

    def mass_failure(self) -> bool:
        """More than `max_failed_share` of the repos could not be fetched."""
        return self.total > 0 and self.failure_share() > self.max_failed_share

    def failure_line(self) -> str:
        return (
            f"{self.failure_count()} of {self.total} repos ({self.failure_share():.0%}) "
            f"could not be fetched, more than the {self.max_failed_share:.0%} allowed"
        )

    # -- rendering ----------------------------------------------------------------------

    def title(self, failures: bool = True) -> str:
        """One line, e.g. for a commit message: `Hub sync 2026-11-27: 3 new, 2 failed`
        (`failures=False`: the public changelog's, without the failure counts)."""
        parts = [
            f"{len(self.new)} new" if self.new else "",
            _count(len(self.licenses), "license change"),
            _count(len(self.gating), "gating change"),
            f"{len(self.renamed)} renamed" if self.renamed else "",
            f"{len(self.missing)} missing" if self.missing and failures else "",
            f"{len(self.failed)} failed" if self.failed and failures else "",
            _count(self.new_candidates, "new candidate"),
        ]
        text = ", ".join(p for p in parts if p) or (
            f"{self.updated} updated" if self.updated else "no changes"
        )
        return f"Hub sync {self.synced_on.isoformat()}: {text}"

    def to_markdown(self) -> str:
        lines = [f"## {self.title()}", ""]
        if self.mass_failure():
            lines += [
                (
                    f"**The sync failed: {self.failure_line()}. catalog.lock.yaml was left "
                    "as it was; the site is built from the last good lock.**"
                ),
                "",
            ]
        lines += [self._counts(), ""]
        for heading, items in self._sections():
            if items:
                lines += [f"### {heading}", "", *(f"- {item}" for item in items), ""]
        lines.append(self._run_line())
        return "\n".join(lines) + "\n"

    to_text = to_markdown

    def to_changelog(self) -> str:
        """The public entry: what changed on the Hub. Failures are the maintainers' business
        (the job summary, the issue); a repo that keeps failing would repeat every night."""
        lines = [
            f"## {self.title(failures=False)}",
            "",
            (
                f"Hub data updated for {self.updated} repos ({len(self.new)} new), "
                f"unchanged for {self.unchanged}."
            ),
            "",
        ]
        public = (
            "New in the lock",
            "License changes on the Hub",
            "Gating changes on the Hub",
            "Renamed on the Hub: update catalog.yaml",
            "Release candidates (in a family's Hub organization, not in the catalog)",
            "Dropped from the lock (no longer in the catalog)",
        )
        for heading, items in self._sections():
            if items and heading in public:
                lines += [f"### {heading}", "", *(f"- {item}" for item in items), ""]
        return "\n".join(lines).rstrip("\n") + "\n"

    def alert_markdown(self) -> str:
        """The maintainers' issue when the sync failed: what, the likely cause, what to do."""
        kinds: dict[str, int] = {}
        for line in self.failed + self.missing:
            reason = line.split(": ", 1)[1].split(" (", 1)[0] if ": " in line else line
            kinds[reason] = kinds.get(reason, 0) + 1
        lines = [
            f"## Nightly Hub sync failed on {self.synced_on.isoformat()}",
            "",
            (
                f"{self.failure_line()}. `catalog.lock.yaml` was left as it was, the site was "
                "published from the last good lock, and the run was marked failed."
            ),
            "",
        ]
        failures = self.failure_count()
        if self.unauthorized and self.unauthorized >= failures / 2:
            who = (
                "HF_TOKEN is probably expired or revoked"
                if self.authenticated
                else "the Hub refused anonymous requests"
            )
            lines += [
                (
                    f"**{self.unauthorized} of the {failures} failed requests were answered "
                    f"HTTP 401 Unauthorized: {who}.** Create a new read-only token at "
                    "https://huggingface.co/settings/tokens and store it as the `HF_TOKEN` "
                    "secret of the `hub-sync` environment (Settings → Environments), then "
                    "re-run the nightly (Actions → Nightly sync and publish → Run workflow)."
                ),
                "",
            ]
        lines += [
            "### Why the repos failed",
            "",
            *(
                f"- {reason}: {n} repos"
                for reason, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
            "",
        ]
        sample = (self.failed + self.missing)[:10]
        more = failures - len(sample)
        lines += ["### First failures", "", *(f"- {item}" for item in sample)]
        if more > 0:
            lines.append(f"- … and {more} more (see the run's job summary)")
        lines += ["", self._run_line()]
        return "\n".join(lines) + "\n"

    def _counts(self) -> str:
        return (
            f"{self.total} repos: {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.new)} new, {len(self.missing)} missing, {len(self.failed)} failed. "
            f"{len(self.candidates)} release candidates ({self.new_candidates} new). "
            + ("The lock changed." if self.lock_changed else "The lock is unchanged.")
        )

    def _sections(self) -> list[tuple[str, list[str]]]:
        notes = []
        if self.expand_refusals:
            notes.append(
                f"The Hub refused the `expand` list {self.expand_refusals} time(s) "
                "(HTTP 400): those repos were asked for the core fields only; check "
                "generator/hub/parse.py EXPAND."
            )
        if self.kept:
            fields = ", ".join(f"`{name}` ({n})" for name, n in sorted(self.kept.items()))
            notes.append(f"Not sent by the Hub, last good values kept: {fields}.")
        return [
            ("New in the lock", self.new),
            ("License changes on the Hub", self.licenses),
            ("Gating changes on the Hub", self.gating),
            ("Renamed on the Hub: update catalog.yaml", self.renamed),
            ("Missing on the Hub (deleted, private or wrong id)", self.missing),
            ("Failed (will be retried next sync)", self.failed),
            ("Recovered", self.recovered),
            (
                "Release candidates (in a family's Hub organization, not in the catalog)",
                self.candidates,
            ),
            ("Hub organizations that could not be listed", self.org_failed),
            ("config.json not read (asked again next sync)", self.config_unread),
            (
                "Dropped from the lock (no longer in the catalog)",
                [f"`{repo}`" for repo in self.dropped],
            ),
            ("Notes", notes),
        ]

    def _run_line(self) -> str:
        per_repo = self.requests_api / self.total if self.total else 0.0
        auth = "with HF_TOKEN" if self.authenticated else "anonymous"
        return (
            f"Run: {self.requests_api} API requests ({per_repo:.2f} per repo), "
            f"{self.requests_resolver} file downloads, {self.seconds:.1f} s, {auth}."
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}" if n else ""
