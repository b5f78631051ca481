"""A fake Hugging Face Hub on 127.0.0.1: real HTTP, answers in the Hub's own JSON shape.

Serves what `generator.hub.sync` uses, the way the Hub does (see
../shared/research/hf-hub-api.md):

- `GET /api/models/{id}?expand=...`: only the expanded properties plus `id`/`_id`;
  400 for an unknown expand value; 307 to the new id for a renamed repo (the Location
  drops the query string, as in the recorded bert-base-uncased answer). Its `config` is
  the API's: `architectures`, `model_type`, `tokenizer_config`... and never a context
  length (whatever the payload given holds), so a sync must read config.json for it;
- `GET /api/models?author=...&sort=createdAt&limit=N`: the author's newest repos;
- `GET /{id}/resolve/{sha}/config.json`: the file; for a gated repo 401 `GatedRepo`
  without a token and 403 `GatedRepo` with a token not granted access (`gated_access`);
  404 `EntryNotFound` / `RevisionNotFound`;
- with `tokens` set, a request carrying any other token gets the Hub's 401 "Invalid
  credentials in Authorization header" on every route (an expired HF_TOKEN);
- `GET /api/agent-harnesses`: huggingface_hub 2.x asks for it on first use;
- faults, per request key, for a number of requests or forever: HTTP statuses with the
  Hub's `X-Error-Code` / `Retry-After` / `RateLimit` headers, a connection that never
  answers, a connection reset, malformed and truncated JSON, a body shorter than its
  Content-Length;
- optional latency on every answer, and a log of every request.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "hub"
# The keys of a model's `config` that the API serves (the recorded bert-base-uncased answer:
# architectures, model_type, tokenizer_config); the rest stays in config.json.
API_CONFIG_KEYS = frozenset(
    {"architectures", "model_type", "tokenizer_config", "auto_map", "quantization_config", "peft"}
)
INVALID_TOKEN = "Invalid credentials in Authorization header"

# huggingface_hub 2.4.0 ExpandModelProperty_T: the Hub answers 400 to anything else.
KNOWN_EXPAND = frozenset(
    {
        "author",
        "baseModels",
        "cardData",
        "childrenModelCount",
        "config",
        "createdAt",
        "disabled",
        "downloads",
        "downloadsAllTime",
        "evalResults",
        "gated",
        "gguf",
        "inference",
        "inferenceProviderMapping",
        "lastModified",
        "library_name",
        "likes",
        "mask_token",
        "model-index",
        "pipeline_tag",
        "private",
        "resourceGroup",
        "safetensors",
        "sha",
        "siblings",
        "spaces",
        "tags",
        "transformersInfo",
        "trendingScore",
        "usedStorage",
        "widgetData",
    }
)


@dataclass
class Fault:
    """How to answer the next `times` requests for a key (None: every request).

    kind: an HTTP status as a string ("429", "503", "404", "401", ...), "badtoken" (the
    Hub's 401 for an invalid token), or "hang", "reset",
    "malformed", "truncated" (valid HTTP, JSON cut short) or "short" (fewer bytes than
    Content-Length, then the connection closes).
    """

    kind: str
    times: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


def load_fixture(name: str) -> dict[str, Any]:
    """A recorded-shape model payload from tests/fixtures/hub/models/NAME.json."""
    data: dict[str, Any] = json.loads((FIXTURES / "models" / f"{name}.json").read_text())
    return data


def load_config(name: str) -> dict[str, Any]:
    """A config.json from tests/fixtures/hub/configs/NAME.json."""
    data: dict[str, Any] = json.loads((FIXTURES / "configs" / f"{name}.json").read_text())
    return data


def synthetic_config(index: int = 0) -> dict[str, Any]:
    """The config.json of a synthetic_model (where its context length is)."""
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 4096,
        "max_position_embeddings": 2048 * (1 + index % 4),
    }


def synthetic_configs(models: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """config.json for every model, by its position (as synthetic_model numbers them)."""
    return {repo: synthetic_config(i) for i, repo in enumerate(models)}


def synthetic_model(
    repo_id: str, index: int = 0, *, created: datetime | None = None
) -> dict[str, Any]:
    """A plausible full payload for a made-up repo (for the benchmark and bulk tests)."""
    created = created or datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=index)
    return {
        "_id": f"{index:024x}",
        "id": repo_id,
        "author": repo_id.split("/")[0],
        "sha": f"{index:040x}",
        "private": False,
        "gated": False,
        "disabled": False,
        "downloads": 1000 + index,
        "downloadsAllTime": 50_000 + index,
        "likes": index % 97,
        "createdAt": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "lastModified": (created + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": [
            "transformers",
            "safetensors",
            "llama",
            "text-generation",
            "license:apache-2.0",
            "arxiv:2402.00838",
            "dataset:allenai/dolma",
            "region:us",
        ],
        "cardData": {"license": "apache-2.0", "datasets": ["allenai/dolma"], "language": ["en"]},
        "config": {
            "architectures": ["LlamaForCausalLM"],
            "model_type": "llama",
            "tokenizer_config": {"bos_token": "<s>", "eos_token": "</s>"},
        },
        "safetensors": {"parameters": {"BF16": 6_738_415_616}, "total": 6_738_415_616},
        "childrenModelCount": {"finetune": index % 5, "quantized": index % 3},
        "baseModels": [],
        "model-index": None,
        "evalResults": [],
    }


class FakeHub:
    """The fake Hub. Use as a context manager; `url` is its HF_ENDPOINT."""

    def __init__(
        self,
        models: dict[str, dict[str, Any]] | None = None,
        *,
        redirects: dict[str, str] | None = None,
        configs: dict[str, dict[str, Any]] | None = None,
        faults: dict[str, Fault] | None = None,
        rejected_expand: frozenset[str] = frozenset(),
        tokens: frozenset[str] | None = None,
        gated_access: frozenset[str] = frozenset(),
        latency: float = 0.0,
    ) -> None:
        self.models = dict(models or {})
        self.redirects = dict(redirects or {})  # old id -> new id (answered with a 307)
        self.configs = dict(configs or {})  # repo id -> config.json
        self.faults = dict(faults or {})  # key -> Fault; keys: repo id, "author:ORG",
        #                                   "resolve:REPO", "agent-harnesses"
        self.rejected_expand = rejected_expand  # extra expand values answered with 400
        self.tokens = tokens  # None: any token is accepted; else the only valid ones
        self.gated_access = gated_access  # tokens granted access to every gated repo
        self.latency = latency
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> Self:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None, "use FakeHub as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- inspection -----------------------------------------------------------------------

    def requests(self, prefix: str = "") -> list[Logged]:
        with self._lock:
            return [r for r in self.log if r.path.startswith(prefix)]

    def api_requests(self) -> int:
        """Requests the Hub counts against its API limit (the agent-harnesses call aside)."""
        return sum(1 for r in self.requests("/api/") if r.path != "/api/agent-harnesses")

    def resolver_requests(self) -> int:
        return sum(1 for r in self.requests() if "/resolve/" in r.path)

    # -- behaviour ------------------------------------------------------------------------

    def take_fault(self, key: str) -> Fault | None:
        with self._lock:
            fault = self.faults.get(key)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 0:
                    return None
                fault.times -= 1
            return fault

    def record(self, entry: Logged) -> None:
        with self._lock:
            self.log.append(entry)

    def wait_stopped(self, seconds: float) -> None:
        self._stop.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"  # keep-alive, as the Hub
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        self.fake.record(
            Logged("GET", parts.path, query, {k.lower(): v for k, v in self.headers.items()})
        )
        if self.fake.latency:
            self.fake.wait_stopped(self.fake.latency)
        route, key = self._route(parts.path, query)
        fault = self.fake.take_fault(key) if key else None
        token = self._token()
        if (
            route != "harnesses"
            and token is not None
            and self.fake.tokens is not None
            and token not in self.fake.tokens
        ):
            self._send(401, INVALID_TOKEN.encode(), {"X-Error-Message": INVALID_TOKEN})
        elif fault is not None:
            self._fault(fault, route, parts.path, query)
        else:
            self._answer(route, parts.path, query)

    def _token(self) -> str | None:
        value = self.headers.get("Authorization", "")
        return value.removeprefix("Bearer ") if value.startswith("Bearer ") else None

    # -- routing --------------------------------------------------------------------------

    def _route(self, path: str, query: dict[str, list[str]]) -> tuple[str, str]:
        if path == "/api/agent-harnesses":
            return "harnesses", "agent-harnesses"
        if path == "/api/models":
            return "list", f"author:{query.get('author', [''])[0]}"
        if path.startswith("/api/models/"):
            return "model", path.removeprefix("/api/models/")
        if "/resolve/" in path:
            return "resolve", f"resolve:{path.lstrip('/').split('/resolve/')[0]}"
        return "unknown", ""

    def _answer(self, route: str, path: str, query: dict[str, list[str]]) -> None:
        if route == "harnesses":
            self._json(200, {"standardEnvVars": [], "harnesses": {}})
        elif route == "model":
            self._model(path.removeprefix("/api/models/"), query)
        elif route == "list":
            self._list(query)
        elif route == "resolve":
            self._resolve(path)
        else:
            self._json(404, {"error": "Not Found"})

    def _model(self, repo_id: str, query: dict[str, list[str]]) -> None:
        if repo_id in self.fake.redirects:
            target = self.fake.redirects[repo_id]
            self._send(307, b"", {"Location": f"/api/models/{target}"})
            return
        expand = query.get("expand", [])
        bad = [e for e in expand if e not in KNOWN_EXPAND or e in self.fake.rejected_expand]
        if bad:
            self._json(400, {"error": f'"expand" must be one of ... (got {bad[0]!r})'})
            return
        model = self.fake.models.get(repo_id)
        if model is None:
            self._not_found(401)
            return
        if expand:
            model = {k: v for k, v in model.items() if k in {"_id", "id", *expand}}
        if isinstance(model.get("config"), dict):
            model = {
                **model,
                "config": {k: v for k, v in model["config"].items() if k in API_CONFIG_KEYS},
            }
        self._json(200, model)

    def _list(self, query: dict[str, list[str]]) -> None:
        author = query.get("author", [""])[0]
        limit = int(query.get("limit", ["1000"])[0])
        repos = [m for m in self.fake.models.values() if m["id"].startswith(f"{author}/")]
        repos.sort(key=lambda m: str(m.get("createdAt", "")), reverse=True)
        expand = query.get("expand", [])
        self._json(
            200,
            [{k: v for k, v in m.items() if k in {"_id", "id", *expand}} for m in repos[:limit]],
        )

    def _resolve(self, path: str) -> None:
        repo_id, _, rest = path.lstrip("/").partition("/resolve/")
        revision, _, filename = rest.partition("/")
        model = self.fake.models.get(repo_id)
        if model is None:
            self._not_found(401)
        elif model.get("gated") and self._token() not in self.fake.gated_access:
            # Anonymous: 401; a token without access granted: 403 (both `GatedRepo`).
            status = 401 if self._token() is None else 403
            message = (
                f"Access to model {repo_id} is restricted. You must have access to it "
                "and be authenticated to access it. Please log in."
            )
            self._send(
                status, message.encode(), {"X-Error-Code": "GatedRepo", "X-Error-Message": message}
            )
        elif revision != model.get("sha"):
            self._send(404, b"Invalid rev id", {"X-Error-Code": "RevisionNotFound"})
        elif filename != "config.json" or repo_id not in self.fake.configs:
            self._send(404, b"Entry not found", {"X-Error-Code": "EntryNotFound"})
        else:
            self._json(200, self.fake.configs[repo_id])

    # -- faults ---------------------------------------------------------------------------

    def _fault(self, fault: Fault, route: str, path: str, query: dict[str, list[str]]) -> None:
        if fault.kind == "hang":
            self.fake.wait_stopped(60)
            self.close_connection = True
        elif fault.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif fault.kind in ("malformed", "truncated", "short"):
            self._bad_body(fault.kind, route, path, query)
        elif fault.kind in ("401", "404"):
            self._not_found(int(fault.kind))
        elif fault.kind == "badtoken":
            message = "Invalid credentials in Authorization header"
            self._send(401, message.encode(), {"X-Error-Message": message})
        else:
            status = int(fault.kind)
            self._send(
                status,
                json.dumps({"error": f"fake error {status}"}).encode(),
                {"Content-Type": "application/json", **fault.headers},
            )

    def _bad_body(self, kind: str, route: str, path: str, query: dict[str, list[str]]) -> None:
        if kind == "malformed":
            self._send(200, b"<html>502 Bad Gateway</html>", {"Content-Type": "application/json"})
            return
        model = self.fake.models.get(path.removeprefix("/api/models/"), {"id": "x"})
        body = json.dumps(model).encode()
        half = body[: len(body) // 2]
        if kind == "truncated":
            self._send(200, half, {"Content-Type": "application/json"})
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(half)
            self.wfile.flush()
            self.close_connection = True

    # -- writing --------------------------------------------------------------------------

    def _not_found(self, status: int) -> None:
        # The real Hub answers anonymous requests for missing/private repos with a 401.
        body = b"Invalid username or password." if status == 401 else b"Repository not found"
        self._send(status, body, {"X-Error-Code": "RepoNotFound", "X-Error-Message": body.decode()})

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def loopback_only(monkeypatch: Any) -> None:
    """Make any connection to a host other than loopback fail (no test reaches the network)."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOOPBACK:
            raise OSError(f"test tried to reach {name!r}: only loopback is allowed")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


def point_hub_at(hub: FakeHub, monkeypatch: Any, home: Path) -> dict[str, str]:
    """Aim this process's huggingface_hub at the fake (HF_ENDPOINT is read at import, so the
    module constants are patched too) and return the environment for a subprocess."""
    from huggingface_hub import constants
    from huggingface_hub.utils import _detect_agent

    loopback_only(monkeypatch)
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    monkeypatch.setattr(constants, "AGENT_HARNESSES_PATH", str(home / ".agent_harnesses.json"))
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(home / "token"))
    monkeypatch.setattr(constants, "HF_STORED_TOKENS_PATH", str(home / "stored_tokens"))
    monkeypatch.setattr(_detect_agent, "_registry", None)
    env = {"HF_ENDPOINT": hub.url, "HF_HOME": str(home)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(name, raising=False)
    return env
