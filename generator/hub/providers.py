"""Inference providers and prices (`python -m generator providers`).

Two public Hugging Face sources (shapes as read by huggingface_hub's `ModelInfo` and
huggingface.js's `getInferenceProviderMapping.ts`):

- `GET {HF_ENDPOINT}/api/models/{id}?expand[]=inferenceProviderMapping`: which providers
  serve the model. `model_info` answers a dict keyed by provider
  (`{"together": {"providerId", "status": "live"|"staging"|"error", "task", ...}}`); listings
  answer a list of `{provider, providerId, status, task, ...}`. Both are accepted.
- `GET {HF_ROUTER_URL}/v1/models` (OpenAI-compatible list, default
  https://router.huggingface.co): `{"object": "list", "data": [{"id", "providers":
  [{"provider", "status", "context_length", "pricing": {"input", "output"}, ...}]}]}`,
  prices in USD per million tokens.

Faults behave like the Hub sync's: a model whose mapping cannot be fetched keeps its last
offers, marked stale; a router failure keeps the last prices, marked stale; nothing is
emptied by a fault.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.catalog import providers as pv
from generator.hub.client import HubClient, HubConfig, HubError

DEFAULT_ROUTER = "https://router.huggingface.co"


def mapping_offers(data: Any) -> list[pv.Offer]:
    """The `inferenceProviderMapping` of a model answer, dict or list form."""
    mapping = data.get("inferenceProviderMapping") if isinstance(data, dict) else None
    items: list[tuple[str, Any]] = []
    if isinstance(mapping, dict):
        items = [(str(k), v) for k, v in mapping.items()]
    elif isinstance(mapping, list):
        items = [(str(v.get("provider")), v) for v in mapping if isinstance(v, dict)]
    offers = []
    for provider, value in items:
        if not isinstance(value, dict) or not provider or provider == "None":
            continue
        offers.append(
            pv.Offer(
                provider,
                str(value.get("status") or "live"),
                value.get("task"),
                value.get("providerId"),
            )
        )
    return sorted(offers, key=lambda o: o.provider)


def router_prices(
    data: Any,
) -> dict[tuple[str, str], tuple[float | None, float | None, int | None]]:
    """(model id lowercased, provider) -> (input, output, context length) from /v1/models."""
    out: dict[tuple[str, str], tuple[float | None, float | None, int | None]] = {}
    rows = data.get("data") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise HubError("invalid_response", "the router's model list has no `data` list")
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("id"), str):
            continue
        for prov in row.get("providers") or []:
            if not isinstance(prov, dict) or not prov.get("provider"):
                continue
            raw_pricing = prov.get("pricing")
            pricing: dict[str, Any] = raw_pricing if isinstance(raw_pricing, dict) else {}
            ctx = prov.get("context_length")
            out[(row["id"].lower(), str(prov["provider"]))] = (
                pv._num(pricing.get("input")),
                pv._num(pricing.get("output")),
                ctx if isinstance(ctx, int) and not isinstance(ctx, bool) else None,
            )
    return out


def collect(
    client: HubClient,
    router: str,
    models: list[str],
    old: pv.Providers | None,
    now: datetime,
    workers: int = 8,
) -> tuple[pv.Providers, dict[str, int]]:
    """Fetch every model's mapping and the router's prices; merge with the last good file."""
    stamp = now.isoformat().replace("+00:00", "Z")
    old_models = old.models if old else {}
    prices: dict[tuple[str, str], tuple[float | None, float | None, int | None]] | None
    router_error = None
    try:
        prices = router_prices(client.get_json(f"{router.rstrip('/')}/v1/models")[0])
    except HubError as exc:
        prices, router_error = None, exc.message

    def one(model_id: str) -> list[pv.Offer] | HubError:
        try:
            data, _ = client.get_json(
                f"{client.endpoint}/api/models/{model_id}", {"expand[]": "inferenceProviderMapping"}
            )
            return mapping_offers(data)
        except HubError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(models, pool.map(one, models), strict=True))
    counts = {"models": len(models), "failed": 0, "served": 0, "priced": 0}
    new: dict[str, pv.ModelOffers] = {}
    for model_id in models:
        result, prev = results[model_id], old_models.get(model_id)
        if isinstance(result, HubError):
            counts["failed"] += 1
            if prev is not None:
                new[model_id] = replace(prev, stale=True, error=result.message)
            continue
        offers = []
        for offer in result:
            if prices is not None:
                inp, out, ctx = prices.get((model_id.lower(), offer.provider), (None, None, None))
            else:  # the router failed: keep last known prices for this provider
                last = {o.provider: o for o in prev.offers} if prev else {}
                kept = last.get(offer.provider)
                inp, out, ctx = (
                    (kept.input_per_m, kept.output_per_m, kept.context_length)
                    if kept
                    else (None, None, None)
                )
            offers.append(replace(offer, input_per_m=inp, output_per_m=out, context_length=ctx))
        entry = pv.ModelOffers(tuple(offers), stamp)
        counts["served"] += bool(entry.live)
        counts["priced"] += entry.cheapest() is not None
        new[model_id] = entry
    router_at = stamp if prices is not None else (old.router_fetched_at if old else None)
    return pv.Providers(stamp, new, router_at, prices is None, router_error), counts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write (default: catalog.providers.yaml beside --lock)",
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    parser.add_argument("--retries", type=int, default=3, help="retries per request")
    parser.add_argument("--workers", type=int, default=8, help="concurrent requests")


def run(args: argparse.Namespace, models: list[str]) -> int:
    from huggingface_hub import constants, get_token

    out: Path = args.out or pv.path_beside(args.lock)
    old = pv.load(out)
    router = os.environ.get("HF_ROUTER_URL", DEFAULT_ROUTER)
    config = HubConfig(
        endpoint=constants.ENDPOINT,
        token=get_token(),
        timeout=args.timeout,
        retries=args.retries,
        max_rate=None,
    )
    started = time.monotonic()
    with HubClient(config) as client:
        result, counts = collect(
            client,
            router,
            sorted(set(models)),
            old,
            datetime.now(UTC).replace(microsecond=0),
            args.workers,
        )
    out.write_text(pv.dump(result), encoding="utf-8")
    print(
        f"providers: {counts['served']} of {counts['models']} catalog models served by a live "
        f"provider, {counts['priced']} with prices; {counts['failed']} fetches failed"
        + (
            f"; router FAILED ({result.router_error}), last prices kept"
            if result.router_stale
            else ""
        )
        + f" ({time.monotonic() - started:.1f} s) -> {out}"
    )
    return 0
