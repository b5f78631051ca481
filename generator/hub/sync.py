"""`python -m generator sync`: pull what the Hub knows about every catalog repo into the lock.

One `GET /api/models/{id}?expand=...` per catalog repo and one listing per Hub
organization, run concurrently under a shared request-rate ceiling (see
`generator.hub.client`). The API's `config` carries the architecture and model type but
never the context length, so `config.json` is read through the resolver whenever the repo's
commit changed since the lock last read it (and again every night while a gated repo
refuses it: the known context length is kept meanwhile).

Merge rules, so that no partial answer wipes good data:

- a failed fetch keeps the last good entry and marks it with the error;
- a property the Hub did not send (the expand fallback after an HTTP 400, a partial
  answer) keeps its last good value, field by field;
- when more than `--max-failed-share` of the repos failed (an expired HF_TOKEN makes every
  request a 401), the lock is not written at all: the site is built from the last good
  lock, the command exits 1, and `--alert` gets the report for the nightly's issue.

The lock is written atomically at the end, so an interrupted sync leaves the old lock intact.

Drift (a curated claim the Hub contradicts) lives in `generator.catalog.drift`.
This module imports huggingface_hub only when a sync runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from pydantic import ValidationError

from generator.catalog.lock import HubEntry, Lock, OrgEntry, exclusive, load_lock, write_lock
from generator.hub.report import Summary

if TYPE_CHECKING:
    from generator.hub.client import HubClient, HubError

_N = TypeVar("_N", int, float)
CANDIDATE_LIMIT = 100  # newest repos looked at per organization (one listing request)
MAX_FAILED_SHARE = 0.2  # above this share of failed repos the lock is kept and the run fails


@dataclass(frozen=True)
class Fetched:
    """One repo's fresh entry, with what it could not refresh."""

    entry: HubEntry
    kept: tuple[str, ...] = ()  # fields the Hub did not send: their last good values kept
    config_error: str | None = None  # config.json not readable (gated...): asked again later


# -- command line --------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sync options (--catalog and --lock are added by the CLI)."""
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any repo or organization could not be fetched",
    )
    parser.add_argument(
        "--summary",
        type=Path,
        metavar="PATH",
        help="also write the summary as Markdown to PATH, failures included "
        "(for the nightly's job summary and its data pull request)",
    )
    parser.add_argument(
        "--changelog",
        type=Path,
        metavar="PATH",
        help="also write the public changelog entry to PATH: what changed on "
        "the Hub, without the run's failures (for changes/YYYY-MM-DD.md)",
    )
    parser.add_argument(
        "--max-failed-share",
        type=_share,
        default=MAX_FAILED_SHARE,
        metavar="SHARE",
        help="when more than this share of the repos could "
        "not be fetched, leave the lock as it was and exit 1 (default: "
        f"{MAX_FAILED_SHARE:g}, i.e. {MAX_FAILED_SHARE * 100:.0f}%%)",
    )
    parser.add_argument(
        "--alert",
        type=Path,
        metavar="PATH",
        help="when the sync failed that way, write a report for the "
        "maintainers' issue to PATH (Markdown); otherwise remove PATH",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=16,
        help="concurrent requests (default: 16; --max-rate still applies)",
    )
    parser.add_argument(
        "--max-rate",
        type=_non_negative_float,
        metavar="PER_SECOND",
        help="ceiling on Hub API requests per second; 0 for none (default: "
        "90%% of the Hub's 5-minute limit: 1.5/s anonymous, 3/s with HF_TOKEN)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=20.0,
        metavar="SECONDS",
        help="timeout of every request (default: 20)",
    )
    parser.add_argument(
        "--retries",
        type=_non_negative_int,
        default=3,
        help="retries of a request after a 429, 5xx, timeout or connection error (default: 3)",
    )
    parser.add_argument(
        "--backoff",
        type=_non_negative_float,
        default=1.0,
        metavar="SECONDS",
        help="first wait before retrying a 5xx, timeout or connection error; "
        "doubles each retry (default: 1)",
    )
    parser.add_argument(
        "--max-wait",
        type=_non_negative_float,
        default=300.0,
        metavar="SECONDS",
        help="longest single wait before a retry, whatever Retry-After asks (default: 300)",
    )
    parser.add_argument(
        "--deadline",
        type=_positive_float,
        default=2700.0,
        metavar="SECONDS",
        help="start no request after this many seconds; repos not fetched by "
        "then keep their last data and are reported (default: 2700)",
    )
    parser.add_argument(
        "--candidate-days",
        type=_positive_int,
        default=90,
        metavar="DAYS",
        help="report organization repos created in the last DAYS days that "
        "are not in the catalog (default: 90)",
    )


def run(args: argparse.Namespace, catalog_models: list[str], hub_orgs: dict[str, list[str]]) -> int:
    """Sync the lock at args.lock for these repo ids; return the exit status."""
    with exclusive(args.lock):  # one sync at a time: its read and its write are one step
        return _run(args, catalog_models, hub_orgs)


def _run(
    args: argparse.Namespace, catalog_models: list[str], hub_orgs: dict[str, list[str]]
) -> int:
    from huggingface_hub import constants, get_token

    from generator.hub.client import HubClient, HubConfig, default_max_rate

    started = time.monotonic()
    old = load_lock(args.lock)  # a lock that cannot be read stops the sync: it is not replaced
    token = get_token()
    rate = args.max_rate if args.max_rate is not None else default_max_rate(token is not None)
    config = HubConfig(
        endpoint=constants.ENDPOINT,
        token=token,
        timeout=args.timeout,
        retries=args.retries,
        backoff=args.backoff,
        max_wait=args.max_wait,
        max_rate=rate or None,
        deadline=started + args.deadline,
    )
    orgs = sorted({org for family_orgs in hub_orgs.values() for org in family_orgs})
    now = datetime.now(UTC).replace(microsecond=0)
    with HubClient(config) as client:
        lock, summary = sync_lock(
            client,
            catalog_models,
            orgs,
            old,
            now=now,
            workers=args.workers,
            candidate_days=args.candidate_days,
        )
    summary.authenticated = token is not None
    summary.seconds = time.monotonic() - started
    summary.max_failed_share = args.max_failed_share
    mass_failure = summary.mass_failure()
    if mass_failure:
        summary.lock_changed = False  # the last good lock stays; the site is built from it
    else:
        summary.lock_changed = write_lock(args.lock, lock, old=old)
    print(summary.to_text())
    if args.summary is not None:
        args.summary.write_text(summary.to_markdown(), encoding="utf-8")
    if args.changelog is not None:
        args.changelog.write_text(summary.to_changelog(), encoding="utf-8")
    if args.alert is not None:
        if mass_failure:
            args.alert.write_text(summary.alert_markdown(), encoding="utf-8")
        else:
            args.alert.unlink(missing_ok=True)
    if mass_failure:
        print(f"error: {summary.failure_line()}; {args.lock} was left as it was", file=sys.stderr)
        return 1
    return 1 if args.strict and summary.has_failures() else 0


# -- the sync ------------------------------------------------------------------------------


def sync_lock(
    client: HubClient,
    models: Iterable[str],
    orgs: Iterable[str],
    old: Lock | None,
    *,
    now: datetime,
    workers: int = 16,
    candidate_days: int = 90,
    progress: Progress | None = None,
) -> tuple[Lock, Summary]:
    """Fetch every repo and organization concurrently; return the new lock and its summary."""
    old = old or Lock()
    repo_ids = sorted(set(models))
    org_ids = sorted(set(orgs))
    progress = progress or Progress(len(repo_ids) + len(org_ids))
    model_results: dict[str, Fetched | HubError] = {}
    org_results: dict[str, list[tuple[str, datetime | None]] | HubError] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync") as pool:
        futures: dict[Future[Any], tuple[str, str]] = {}
        for repo_id in repo_ids:
            future = pool.submit(
                _attempt, fetch_model, client, repo_id, old.models.get(repo_id), now
            )
            futures[future] = ("model", repo_id)
        for org in org_ids:
            futures[pool.submit(_attempt, fetch_org, client, org)] = ("org", org)
        for future in as_completed(futures):
            kind, key = futures[future]
            result = future.result()
            (model_results if kind == "model" else org_results)[key] = result
            progress.advance(key, getattr(result, "message", None))
    progress.close()

    summary = Summary(synced_on=now.date(), expand_refusals=client.refusals)
    summary.requests_api, summary.requests_resolver = client.stats.api, client.stats.resolver
    new_models = {}
    for repo_id in repo_ids:
        prev, result = old.models.get(repo_id), model_results[repo_id]
        if isinstance(result, Fetched):
            summary.add_partial(repo_id, result.kept, result.config_error)
            new_models[repo_id] = merge_model(repo_id, prev, result.entry, now)
        else:
            summary.unauthorized += result.unauthorized
            new_models[repo_id] = merge_model(repo_id, prev, result, now)
        summary.add_model(repo_id, prev, isinstance(result, Fetched), new_models[repo_id])
    known = {r.lower() for r in repo_ids} | {e.id.lower() for e in new_models.values()}
    since = now - timedelta(days=candidate_days)
    new_orgs = {}
    for org in org_ids:
        prev_org, listing = old.orgs.get(org), org_results[org]
        if not isinstance(listing, Exception):
            listing = [(i, c) for i, c in listing if i.lower() not in known and c and c >= since]
        new_orgs[org] = merge_org(prev_org, listing, now)
        summary.add_org(org, prev_org, isinstance(listing, list), new_orgs[org])
    summary.dropped = sorted(set(old.models) - set(repo_ids))
    return Lock(synced_at=now.date(), models=new_models, orgs=new_orgs), summary


def _attempt(fn: Callable[..., Any], *args: Any) -> Any:
    from generator.hub.client import HubError

    try:
        return fn(*args)
    except HubError as exc:
        return exc


def fetch_model(client: HubClient, repo_id: str, prev: HubEntry | None, now: datetime) -> Fetched:
    """What the Hub says about one repo now (raises HubError). Fields the answer left out
    keep their values from `prev`."""
    from generator.hub.client import HubError, model_fields
    from generator.hub.parse import unsent_fields

    payload = client.model(repo_id)
    fields = model_fields(payload)
    unsent = unsent_fields(payload)
    if prev is not None and prev.fetched_at is not None and "sha" in unsent:
        fields["sha"] = prev.sha  # config.json is read at the commit the lock knows
    context, config_error = _context_length(client, fields, prev)
    fields.update(context)
    renamed = fields["id"] if fields["id"] != repo_id else None
    try:
        entry = HubEntry(requested_id=repo_id, fetched_at=now, renamed_to=renamed, **fields)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise HubError(
            "invalid_response", f"unexpected value in the Hub's answer ({where})"
        ) from exc
    if prev is None or prev.fetched_at is None:
        return Fetched(entry, (), config_error)  # no good value to keep yet
    return Fetched(entry.keeping(prev, unsent), tuple(unsent), config_error)


def _context_length(
    client: HubClient, fields: dict[str, Any], prev: HubEntry | None
) -> tuple[dict[str, Any], str | None]:
    """Context length from config.json (the API's config never has it), read again only
    when the commit changed (the resolver is rate-limited too). When config.json cannot be
    read (a gated repo refuses it with 401/403, a 429 outlasted the retries), the known
    context length stays and `config_sha` stays behind, so the next sync asks again; the
    second value is why."""
    from generator.hub.client import HubError, context_length

    sha = fields["sha"]
    if fields["context_length"] is not None or sha is None:
        return {}, None
    kept = {
        "context_length": prev.context_length if prev else None,
        "config_sha": prev.config_sha if prev else None,
    }
    if prev is not None and prev.config_sha == sha:
        return kept, None
    try:
        config = client.file_json(fields["id"], sha, "config.json")
    except HubError as exc:
        return kept, exc.message
    # A config that cannot be read (None: gated, absent, refused) never erases a context
    # length an earlier commit's config gave.
    found = context_length(config)
    return {
        "context_length": found if found is not None else kept["context_length"],
        "config_sha": sha,
    }, None


def fetch_org(client: HubClient, org: str) -> list[tuple[str, datetime | None]]:
    """The organization's newest repos with their creation dates (raises HubError)."""
    from generator.hub.client import HubError, model_fields

    listing = client.recent_models(org, CANDIDATE_LIMIT)
    if not isinstance(listing, list):
        raise HubError("invalid_response", "the Hub's model listing is not a list")
    repos = []
    for item in listing:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            repos.append((item["id"], model_fields(item)["created_at"]))
    return repos


def merge_model(
    repo_id: str, prev: HubEntry | None, result: HubEntry | HubError, now: datetime
) -> HubEntry:
    """The entry to write: fresh data (keeping `fetched_at` when nothing changed), or the last
    good data marked with the error and since when it failed."""
    if isinstance(result, HubEntry):
        if prev is not None and prev.fetched_at is not None and prev.data() == result.data():
            return result.model_copy(update={"fetched_at": prev.fetched_at})
        return result
    base = prev or HubEntry(requested_id=repo_id, id=repo_id)
    return base.model_copy(
        update={
            "error": result.message,
            "error_kind": result.kind,
            "error_since": base.error_since or now,
        }
    )


def merge_org(
    prev: OrgEntry | None, result: list[tuple[str, datetime | None]] | HubError, now: datetime
) -> OrgEntry:
    if isinstance(result, list):
        candidates = sorted({repo for repo, _ in result})
        if prev is not None and prev.fetched_at is not None and prev.candidates == candidates:
            return OrgEntry(fetched_at=prev.fetched_at, candidates=candidates)
        return OrgEntry(fetched_at=now, candidates=candidates)
    base = prev or OrgEntry()
    return base.model_copy(
        update={
            "error": result.message,
            "error_kind": result.kind,
            "error_since": base.error_since or now,
        }
    )


# -- progress ------------------------------------------------------------------------------


@dataclass
class Progress:
    """A tqdm bar on a terminal; in CI (no terminal) a plain line every 10% and per failure."""

    total: int
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    done: int = 0
    failed: int = 0
    _bar: Any = None

    def __post_init__(self) -> None:
        if self.stream.isatty() and self.total:
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, file=self.stream, unit="repo", desc="sync")

    def advance(self, key: str, error: str | None) -> None:
        self.done += 1
        if error:
            self.failed += 1
        if self._bar is not None:
            if error:
                self._bar.write(f"sync: {key}: {error}")
            self._bar.set_postfix(failed=self.failed, refresh=False)
            self._bar.update()
            return
        if error:
            print(f"sync: {key}: {error}", file=self.stream, flush=True)
        step = max(self.total // 10, 1)
        if self.done % step == 0 or self.done == self.total:
            print(
                f"sync: {self.done}/{self.total} done, {self.failed} failed",
                file=self.stream,
                flush=True,
            )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _positive_int(text: str) -> int:
    return _number(text, int, lambda v: v > 0, "a positive integer")


def _non_negative_int(text: str) -> int:
    return _number(text, int, lambda v: v >= 0, "an integer >= 0")


def _positive_float(text: str) -> float:
    return _number(text, float, lambda v: v > 0, "a number > 0")


def _non_negative_float(text: str) -> float:
    return _number(text, float, lambda v: v >= 0, "a number >= 0")


def _share(text: str) -> float:
    return _number(text, float, lambda v: 0 <= v <= 1, "a share between 0 and 1")


def _number(text: str, kind: type[_N], ok: Callable[[_N], bool], what: str) -> _N:
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
    return value
