"""`python -m generator radar`: new releases under the catalog's Hub organizations.

For each organization in the catalog's `hub_orgs`, one listing request (`GET /api/models?
author=ORG&sort=createdAt`, newest first, one page of `--per-org` repos) with the fields the
stub needs; repos the catalog already has, older than `--since` (default: the lock's last
sync, else 30 days back), derived repos (quantizations, adapters, merges, GGUF/AWQ/GPTQ/MLX
copies) and repos below the notability rule are dropped. For the rest, config.json is read
through the resolver for the context length (the API's `config` does not carry it). Each
release comes with a catalog stub whose facts are the Hub's and whose every openness
component is `unknown`, for a curator to verify and fill.

Notability: downloads (last 30 days) >= --min-downloads, OR likes >= --min-likes, OR
trending score >= --min-trending (defaults 1000, 25, 10): a fresh release has few downloads
yet but is liked or trending within days.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import yaml

from generator.catalog.lock import load_lock
from generator.catalog.schema import Component, Family

if TYPE_CHECKING:
    from generator.hub.client import HubClient

LISTING_EXPAND = [
    "cardData",
    "createdAt",
    "downloads",
    "likes",
    "library_name",
    "pipeline_tag",
    "safetensors",
    "sha",
    "tags",
    "trendingScore",
    "gated",
]
# Repo names of copies the catalog does not list (it lists releases, not their re-packagings).
DERIVED_NAME = re.compile(
    r"(?i)(?:^|[-_.])(gguf|awq|gptq|mlx|exl2|bnb|int4|int8|4bit|8bit|"
    r"nf4|q[2-8]_k|w4a16|w8a8|fp8|onnx|lora|qlora|adapter)(?:$|[-_.])"
)
DERIVED_RELATIONS = ("quantized", "adapter", "merge")
DERIVED_LIBRARIES = ("peft", "gguf", "mlx")


@dataclass(frozen=True)
class Rule:
    since: datetime
    min_downloads: int = 1000
    min_likes: int = 25
    min_trending: float = 10.0

    def notable(self, downloads: int, likes: int, trending: float) -> bool:
        return (
            downloads >= self.min_downloads
            or likes >= self.min_likes
            or trending >= self.min_trending
        )


@dataclass(frozen=True)
class Release:
    """A Hub repo the catalog does not have yet, with the Hub's facts."""

    id: str
    org: str
    created: str | None
    downloads: int
    likes: int
    trending: float
    params_b: float | None
    context_length: int | None
    license: str | None
    base_model: str | None
    pipeline_tag: str | None
    gated: bool | str | None

    def stub(self) -> dict[str, Any]:
        """A catalog `models:` entry: Hub facts filled in, every component unknown."""

        def fact(value: Any) -> Any:
            return "unknown" if value is None else value

        entry: dict[str, Any] = {
            "id": self.id,
            "name": self.id.split("/", 1)[1].replace("-", " "),
            "kind": "base",  # a guess: check the card (instruct, chat, code, reasoning)
            "released": self.created[:10] if self.created else "unknown",
            "params_b": fact(self.params_b),
            "context_length": fact(self.context_length),
            "sources": [f"https://huggingface.co/{self.id}"],
        }
        if self.base_model:
            entry["base"] = self.base_model
        entry["openness"] = {c.value: {"status": "unknown"} for c in Component}
        if self.license:
            entry["note"] = (
                f"Hub license tag: {self.license}; record the weights' license "
                "after reading the card."
            )
        return entry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="only repos created on or after this day (default: the lock's "
        "last sync, else 30 days ago)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text: one stub per release (YAML); json: a list of objects",
    )
    parser.add_argument(
        "--min-downloads",
        type=int,
        default=1000,
        help="notable at this many downloads in the last 30 days (default 1000)",
    )
    parser.add_argument(
        "--min-likes", type=int, default=25, help="or at this many likes (default 25)"
    )
    parser.add_argument(
        "--min-trending", type=float, default=10.0, help="or at this trending score (default 10)"
    )
    parser.add_argument(
        "--per-org",
        type=int,
        default=100,
        help="newest repos looked at per organization: one listing page (default 100)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="timeout of every request (default: 20)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=3,
        help="retries after a 429, 5xx, timeout or connection error (default 3)",
    )


def derived(repo_id: str, item: dict[str, Any]) -> bool:
    """A quantization, adapter, merge or format copy of another repo."""
    name = repo_id.split("/", 1)[-1]
    tags = [t for t in item.get("tags", []) if isinstance(t, str)]
    if DERIVED_NAME.search(name) or item.get("library_name") in DERIVED_LIBRARIES:
        return True
    return any(
        t == "gguf" or any(t.startswith(f"base_model:{r}:") for r in DERIVED_RELATIONS)
        for t in tags
    )


def releases(
    client: HubClient, families: Iterable[Family], known: set[str], rule: Rule, per_org: int = 100
) -> tuple[list[Release], list[str]]:
    """New notable releases of the families' organizations, newest first, and the
    organizations whose listing failed (with the reason)."""
    from generator.hub.client import HubError

    orgs = sorted({org for family in families for org in family.hub_orgs})
    found: list[Release] = []
    failed: list[str] = []
    lowered = {k.lower() for k in known}
    for org in orgs:
        try:
            listing, _url = client.get_json(
                f"{client.endpoint}/api/models",
                {"author": org, "sort": "createdAt", "limit": per_org, "expand": LISTING_EXPAND},
            )
        except HubError as exc:
            failed.append(f"{org}: {exc}")
            continue
        for item in listing if isinstance(listing, list) else []:
            release = _release(client, org, item, lowered, rule)
            if release is not None:
                found.append(release)
    found.sort(key=lambda r: (r.created or "", r.id), reverse=True)
    return found, failed


def _release(client: HubClient, org: str, item: Any, known: set[str], rule: Rule) -> Release | None:
    from generator.hub.client import HubError
    from generator.hub.parse import context_length, model_fields

    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        return None
    repo_id: str = item["id"]
    if repo_id.lower() in known or derived(repo_id, item):
        return None
    fields = model_fields(item)
    created: datetime | None = fields["created_at"]
    if created is None or created < rule.since:
        return None
    downloads, likes = fields["downloads"] or 0, fields["likes"] or 0
    trending = item.get("trendingScore")
    trending = float(trending) if isinstance(trending, (int, float)) else 0.0
    if not rule.notable(downloads, likes, trending):
        return None
    context = fields["context_length"]
    if context is None and fields["sha"]:
        try:
            context = context_length(client.file_json(repo_id, fields["sha"], "config.json"))
        except HubError:
            context = None  # a gated or failing config: the curator reads the card
    params = fields["parameters"]
    licenses = fields["license_tags"] or ([fields["license"]] if fields["license"] else [])
    return Release(
        id=repo_id,
        org=org,
        created=created.isoformat().replace("+00:00", "Z"),
        downloads=downloads,
        likes=likes,
        trending=trending,
        params_b=round(params / 1e9, 3) if params else None,
        context_length=context,
        license=", ".join(licenses) or None,
        base_model=fields["base_models"][0] if fields["base_models"] else None,
        pipeline_tag=fields["pipeline_tag"],
        gated=fields["gated"],
    )


def default_since(args: argparse.Namespace, now: datetime) -> datetime:
    if args.since is not None:
        return datetime(args.since.year, args.since.month, args.since.day, tzinfo=UTC)
    lock = load_lock(args.lock)
    if lock is not None and lock.synced_at is not None:
        day = lock.synced_at
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return now - timedelta(days=30)


def run(args: argparse.Namespace, families: list[Family]) -> int:
    """Print the new releases; exit 0 (1 when every organization's listing failed)."""
    from huggingface_hub import constants, get_token

    from generator.hub.client import HubClient, HubConfig, default_max_rate

    now = datetime.now(UTC)
    rule = Rule(default_since(args, now), args.min_downloads, args.min_likes, args.min_trending)
    known = {entry.id for family in families for entry in family.entries()}
    token = get_token()
    config = HubConfig(
        endpoint=constants.ENDPOINT,
        token=token,
        timeout=args.timeout,
        retries=args.retries,
        max_rate=default_max_rate(token is not None),
    )
    with HubClient(config) as client:
        found, failed = releases(client, families, known, rule, args.per_org)
    for reason in failed:
        print(f"radar: listing failed: {reason}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps([asdict(r) for r in found], indent=2, sort_keys=True))
    else:
        print(text(found, rule))
    orgs = {org for family in families for org in family.hub_orgs}
    return 1 if orgs and len(failed) == len(orgs) else 0


def text(found: list[Release], rule: Rule) -> str:
    """Markdown for people (and the nightly's "New releases to catalog" issue)."""
    head = (
        f"{len(found)} new release(s) since {rule.since.date().isoformat()} "
        f"(notable: >= {rule.min_downloads} downloads, >= {rule.min_likes} likes or "
        f">= {rule.min_trending:g} trending)"
    )
    parts = [head]
    for r in found:
        stub = yaml.safe_dump([r.stub()], sort_keys=False, allow_unicode=True, width=100)
        parts.append(
            f"\n## [{r.id}](https://huggingface.co/{r.id})\n\n"
            f"Created {r.created}, {r.downloads:,} downloads, {r.likes:,} likes, "
            f"license {r.license or 'not tagged'}.\n\n```yaml\n{stub}```"
        )
    return "\n".join(parts) + "\n"
