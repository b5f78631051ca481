"""The Hugging Face Hub client used by `sync`: huggingface_hub 2.x plus the guards it lacks.

huggingface_hub gives the shared HTTP session, auth headers and its error mapping
(`hf_raise_for_status`). This module adds what a nightly job needs on top
(see ../shared/research/hf-hub-api.md):

- a timeout on every request (the library sends `timeout=None` by default, and a server
  that accepts a connection and never answers hangs it forever);
- bounded retries with backoff for 5xx, timeouts and connection resets, and for 429
  the wait the `Retry-After` / `RateLimit` headers ask for (model_info retries nothing);
- a request-rate ceiling shared by all worker threads, one per rate-limit class (API
  requests, resolver file downloads), paused for everyone of that class on a 429;
- a deadline after which no new request starts, so a sync ends in bounded time;
- one clean `HubError` (kind + deterministic message) instead of foreign exceptions.

`hubparse` turns the JSON it returns into lock fields.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import quote

import httpx2
from huggingface_hub import constants, hf_raise_for_status
from huggingface_hub.errors import (
    BadRequestError,
    DisabledRepoError,
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
)

# parse_ratelimit_headers: public in huggingface_hub.utils at run time, not in its __all__.
from huggingface_hub.utils import (  # type: ignore[attr-defined]
    build_hf_headers,
    parse_ratelimit_headers,
)

from generator import __version__
from generator.hub.parse import CORE_EXPAND, EXPAND, HubError, context_length, model_fields

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
ANONYMOUS_LIMIT = 500  # API requests per 5-minute window (hub-docs rate-limits.md)
TOKEN_LIMIT = 1000
WINDOW_SECONDS = 300.0
RESOLVER_FACTOR = 5.0  # resolver limits are ~5-6x the API limits (3,000 / 5,000 per window)
# After this many refusals (HTTP 400) of the full expand list, the rest of the run asks for
# CORE_EXPAND directly; before that, only the refused request is asked again with it.
FALLBACK_AFTER = 3


class _DeadlineReached(Exception):
    pass


def default_max_rate(authenticated: bool) -> float:
    """Requests per second that keep a run under 90% of the Hub's 5-minute API window."""
    limit = TOKEN_LIMIT if authenticated else ANONYMOUS_LIMIT
    return 0.9 * limit / WINDOW_SECONDS


class RateLimiter:
    """A token bucket (as GCRA) shared by threads: `rate` per second after a `burst`.

    `pause_for` stops every thread until the server's rate-limit window resets. A wait that
    would end after `deadline` (a `clock()` time) raises instead of sleeping.
    """

    def __init__(
        self,
        rate: float | None,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._tolerance = max(burst - 1, 0) * self._interval
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._tat = 0.0  # theoretical arrival time of the next request
        self._paused_until = 0.0
        self.waited = 0.0

    def acquire(self, deadline: float | None = None) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._tat - self._tolerance, self._paused_until)
            if deadline is not None and start > deadline:
                raise _DeadlineReached
            self._tat = max(self._tat, start) + self._interval
            wait = start - now
            self.waited += wait
        if wait > 0:
            self._sleep(wait)

    def pause_for(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


@dataclass
class HubConfig:
    """How to talk to the Hub. `max_rate` is API requests per second (None: no ceiling)."""

    endpoint: str = field(default_factory=lambda: constants.ENDPOINT)
    token: str | None = None
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 300.0
    max_rate: float | None = None
    burst: int = 20
    deadline: float | None = None  # a clock() time after which no request starts
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass
class RequestStats:
    """Requests actually sent (every redirect hop counts), by the Hub's rate-limit class."""

    api: int = 0
    resolver: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, path: str) -> None:
        with self._lock:
            if path.startswith("/api/"):
                self.api += 1
            else:
                self.resolver += 1

    def retried(self) -> None:
        with self._lock:
            self.retries += 1


def server_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks us to wait: `Retry-After` (seconds), else `RateLimit` t=."""
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    info = parse_ratelimit_headers(headers)
    return float(info.reset_in_seconds) if info is not None else None


class HubClient:
    """Thread-safe access to the few Hub endpoints the sync needs, through its own HTTP client
    (timeouts, rate limits, counting). Use as a context manager: the client closes on exit."""

    def __init__(self, config: HubConfig) -> None:
        self.config = config
        rate = config.max_rate
        self.api_limiter = RateLimiter(rate, config.burst, config.clock, config.sleep)
        self.resolver_limiter = RateLimiter(
            rate * RESOLVER_FACTOR if rate else None, config.burst, config.clock, config.sleep
        )
        self.stats = RequestStats()
        self.endpoint = config.endpoint.rstrip("/")
        self.refusals = 0  # answers of HTTP 400 to the full expand list
        self._refusals_lock = threading.Lock()
        self._headers: dict[str, str] | None = None
        # Our own HTTP client (not the library's global session): its hooks pace, time out
        # and count every request, and nothing of the library's private setup is touched.
        self._client = self._make_client()

    @property
    def expand(self) -> list[str]:
        """What a model request asks for now: EXPAND until the Hub refused it FALLBACK_AFTER
        times in this run, CORE_EXPAND after."""
        return EXPAND if self.refusals < FALLBACK_AFTER else CORE_EXPAND

    @property
    def expand_fallback(self) -> bool:
        """True when the Hub refused the full expand list at least once in this run."""
        return self.refusals > 0

    def limiter_for(self, path: str) -> RateLimiter:
        """The API limiter for /api/ paths, the resolver (download) limiter for the rest."""
        return self.api_limiter if path.startswith("/api/") else self.resolver_limiter

    # -- session -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._auth_headers()  # once, before the workers start (it may fetch agent-harnesses)
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def _make_client(self) -> httpx2.Client:
        return httpx2.Client(
            follow_redirects=True,
            timeout=httpx2.Timeout(self.config.timeout),
            event_hooks={
                "request": [_offline_check, self._on_request],
                "response": [self._on_response],
            },
        )

    def _on_request(self, request: httpx2.Request) -> None:
        timeout = request.extensions.get("timeout")
        if not isinstance(timeout, dict) or all(v is None for v in timeout.values()):
            # huggingface_hub passes timeout=None explicitly (list_models always does).
            request.extensions["timeout"] = httpx2.Timeout(self.config.timeout).as_dict()
        path = request.url.path
        self.limiter_for(path).acquire(self.config.deadline)
        self.stats.count(path)

    def _on_response(self, response: httpx2.Response) -> None:
        info = parse_ratelimit_headers(response.headers)
        if response.status_code != 429 and info is not None and info.remaining == 0:
            limiter = self.limiter_for(response.request.url.path)
            limiter.pause_for(min(float(info.reset_in_seconds), self.config.max_wait))

    def _auth_headers(self) -> dict[str, str]:
        if self._headers is None:
            self._headers = build_hf_headers(
                token=self.config.token or False,
                library_name="open-model-atlas",
                library_version=__version__,
            )
        return self._headers

    # -- requests ------------------------------------------------------------------------

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> tuple[Any, str]:
        """GET with retries; returns the decoded JSON and the final URL (after redirects)."""
        response = self._get(url, params, self.limiter_for(httpx2.URL(url).path))
        try:
            return response.json(), str(response.url)
        except ValueError as exc:  # json.JSONDecodeError, UnicodeDecodeError
            raise HubError(
                "invalid_response", "the Hub answered with malformed or truncated JSON"
            ) from exc

    def model(self, repo_id: str) -> Any:
        """`GET /api/models/{repo_id}?expand=...`, following the 307 of a renamed repo.

        If the Hub refuses the expand list (400), this repo is asked again for CORE_EXPAND;
        after FALLBACK_AFTER refusals the rest of the run asks for CORE_EXPAND directly. The
        properties left out are absent from the answer, and the sync keeps their last good
        values (they are never read as "none").
        """
        expand = self.expand
        url = f"{self.endpoint}/api/models/{repo_id}"
        try:
            data, final_url = self.get_json(url, {"expand": expand})
        except HubError as exc:
            if exc.status != 400 or expand == CORE_EXPAND:
                raise
            with self._refusals_lock:
                self.refusals += 1
            expand = CORE_EXPAND
            data, final_url = self.get_json(url, {"expand": expand})
        new_id = data.get("id") if isinstance(data, dict) else None
        if (
            isinstance(new_id, str)
            and new_id != repo_id
            and "expand" not in httpx2.URL(final_url).params
        ):
            # The redirect's Location dropped the query: ask the new id for the same fields.
            data, _ = self.get_json(f"{self.endpoint}/api/models/{new_id}", {"expand": expand})
        return data

    def recent_models(self, author: str, limit: int) -> Any:
        """The author's newest repos: `GET /api/models?author=...&sort=createdAt`."""
        params = {"author": author, "sort": "createdAt", "limit": limit, "expand": ["createdAt"]}
        return self.get_json(f"{self.endpoint}/api/models", params)[0]

    def file_json(self, repo_id: str, revision: str, filename: str) -> Any | None:
        """A JSON file through the resolver at a commit; None when the commit has no such
        file (404 EntryNotFound). Raises HubError when the file could not be read: a gated
        repo refuses it (401/403 `GatedRepo`), the commit is gone (`RevisionNotFound`), a
        429 outlasted the retries... The caller keeps what it knew and asks again later."""
        # Not hf_hub_url: it ignores `endpoint` when it equals the HF_ENDPOINT read at import.
        url = f"{self.endpoint}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(filename)}"
        try:
            return self.get_json(url)[0]
        except HubError as exc:
            if exc.code == "EntryNotFound" or (exc.status == 404 and exc.code is None):
                return None
            raise

    def _get(
        self, url: str, params: Mapping[str, Any] | None, limiter: RateLimiter
    ) -> httpx2.Response:
        attempts = self.config.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._get_once(url, params)
            except HubError as exc:
                wait = self._retry_wait(exc, attempt) if attempt < attempts else None
                if wait is None or not self._wait(exc, wait, limiter):
                    raise exc.after(attempt) from exc.__cause__
                self.stats.retried()
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry_wait(self, exc: HubError, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when this error is not worth a retry."""
        if exc.kind in ("timeout", "network") or exc.status in RETRY_STATUS:
            wait = exc.wait if exc.wait is not None else self.config.backoff * 2 ** (attempt - 1)
            return min(wait, self.config.max_wait)
        return None

    def _wait(self, exc: HubError, seconds: float, limiter: RateLimiter) -> bool:
        """Wait before a retry; False when the wait would end past the deadline. A 429 holds
        back every request of its own class (API or download), not the other one."""
        deadline = self.config.deadline
        if deadline is not None and self.config.clock() + seconds > deadline:
            return False
        if exc.status == 429:
            limiter.pause_for(seconds)  # every thread of this class waits for the reset
        elif seconds > 0:
            self.config.sleep(seconds)
        return True

    def _get_once(self, url: str, params: Mapping[str, Any] | None) -> httpx2.Response:
        try:
            response = self._client.get(
                url, params=params, headers=self._auth_headers(), timeout=self.config.timeout
            )
            hf_raise_for_status(response)
            return response
        except _DeadlineReached as exc:
            raise HubError("deadline", "not fetched: the sync reached its --deadline") from exc
        except HfHubHTTPError as exc:
            raise _http_error(exc) from exc
        except httpx2.TimeoutException as exc:
            raise HubError(
                "timeout", f"no answer from the Hub within {self.config.timeout:g} s"
            ) from exc
        except (httpx2.TransportError, httpx2.DecodingError, httpx2.TooManyRedirects) as exc:
            raise HubError(
                "network", f"connection to the Hub failed ({type(exc).__name__})"
            ) from exc


def _offline_check(request: httpx2.Request) -> None:
    """HF_HUB_OFFLINE=1 forbids every request, as the library's own session does."""
    if constants.HF_HUB_OFFLINE:
        raise OfflineModeIsEnabled(f"HF_HUB_OFFLINE is set: not requesting {request.url}")


def _http_error(exc: HfHubHTTPError) -> HubError:
    response = exc.response
    status = response.status_code if response is not None else None
    code = response.headers.get("X-Error-Code") if response is not None else None
    error: HubError
    if isinstance(exc, GatedRepoError):
        error = HubError("not_found", "gated: no access with the current token", status)
    elif isinstance(exc, RepositoryNotFoundError) or status == 404:
        error = HubError(
            "not_found", "repository not found on the Hub (deleted, private, or a wrong id)", status
        )
    elif isinstance(exc, EntryNotFoundError):
        error = HubError("not_found", "file not found", status)
    elif isinstance(exc, DisabledRepoError):
        error = HubError("http", "the repository is disabled on the Hub", status)
    elif isinstance(exc, BadRequestError):
        error = HubError(
            "http", f"HTTP 400 Bad Request: {exc.server_message or 'no detail'}", status
        )
    elif status == 429:
        error = HubError("rate_limited", "HTTP 429: rate limited by the Hub", status)
    elif status == 401:
        error = HubError("http", "HTTP 401 Unauthorized (is HF_TOKEN valid?)", status)
    else:
        error = HubError("http", f"HTTP {status} from the Hub", status)
    error.code = code
    if response is not None:
        error.wait = server_wait(response.headers)
    return error


__all__ = [
    "CORE_EXPAND",
    "EXPAND",
    "HubClient",
    "HubConfig",
    "HubError",
    "RateLimiter",
    "context_length",
    "model_fields",
]
