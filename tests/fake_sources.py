"""Fakes on 127.0.0.1 for issue 15's sources, answering in the real shapes:

- GitHub, as `generator.hub.opinions.GitHubReader` reads it:
  `GET /repos/{owner}/{repo}/commits/{branch}` -> `{"sha", "commit": {"committer": {"date"}}}`;
  `GET /repos/{owner}/{repo}/git/trees/{sha}?recursive=1` -> `{"sha", "tree": [{"path",
  "type": "blob"|"tree"}], "truncated": false}`; raw files under
  `/raw/{owner}/{repo}/{sha}/{path}`. The files are real ones recorded from the two
  repositories (tests/fixtures/beside/github/: osai = Language-Technology-Assessment/
  main-database at 5a388e8, CC BY 4.0; mot = lfai/model_openness_tool at 8b5d30e, MIT).
- the Hub's `GET /api/models/{id}?expand[]=inferenceProviderMapping` -> `{"_id", "id",
  "inferenceProviderMapping": {provider: {"providerId", "status", "task"}}}` (the dict form
  `model_info` gets; one model answers the list form listings get);
- the router's `GET /v1/models` -> `{"object": "list", "data": [{"id", "object": "model",
  "created", "owned_by", "providers": [{"provider", "status", "context_length",
  "pricing": {"input", "output"}, "supports_tools", "supports_structured_output"}]}]}`.
  Prices here are made up for the tests; they never reach a committed file.

Faults per path prefix: an HTTP status, "malformed" JSON, or "hang" (no answer).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import unquote, urlsplit

GITHUB = Path(__file__).parent / "fixtures" / "beside" / "github"
REPOS = {
    "osai": ("Language-Technology-Assessment", "main-database"),
    "mot": ("lfai", "model_openness_tool"),
}
SHA = {
    "osai": "5a388e871b88735e7ab7e6fb230b76c9d460d99a",
    "mot": "8b5d30e90a7c62d7d6ece48b91e69ff495920a4d",
}

MAPPINGS: dict[str, Any] = {
    "allenai/OLMo-7B-Instruct": {
        "featherless-ai": {
            "providerId": "allenai/OLMo-7B-Instruct",
            "status": "live",
            "task": "conversational",
        }
    },
    "meta-llama/Llama-3.1-8B-Instruct": {
        "novita": {
            "providerId": "meta-llama/llama-3.1-8b-instruct",
            "status": "live",
            "task": "conversational",
        },
        "cerebras": {"providerId": "llama3.1-8b", "status": "live", "task": "conversational"},
        "sambanova": {
            "providerId": "Meta-Llama-3.1-8B-Instruct",
            "status": "staging",
            "task": "conversational",
        },
    },
    # the list form (as listings answer it)
    "Qwen/Qwen2.5-1.5B-Instruct": [
        {
            "provider": "together",
            "providerId": "Qwen/Qwen2.5-1.5B-Instruct-Turbo",
            "status": "live",
            "task": "conversational",
        }
    ],
}
ROUTER: dict[str, Any] = {
    "object": "list",
    "data": [
        {
            "id": "meta-llama/Llama-3.1-8B-Instruct",
            "object": "model",
            "created": 1721692800,
            "owned_by": "meta-llama",
            "providers": [
                {
                    "provider": "novita",
                    "status": "live",
                    "context_length": 16384,
                    "pricing": {"input": 0.02, "output": 0.05},
                    "supports_tools": False,
                    "supports_structured_output": False,
                },
                {
                    "provider": "cerebras",
                    "status": "live",
                    "context_length": 32768,
                    "pricing": {"input": 0.1, "output": 0.1},
                    "supports_tools": True,
                    "supports_structured_output": True,
                },
            ],
        },
        {
            "id": "Qwen/Qwen2.5-1.5B-Instruct",
            "object": "model",
            "created": 1726531200,
            "owned_by": "Qwen",
            "providers": [
                {
                    "provider": "together",
                    "status": "live",
                    "context_length": 32768,
                    "pricing": {"input": 0.3, "output": 0.3},
                }
            ],
        },
    ],
}


class FakeSources:
    def __init__(self) -> None:
        self.faults: dict[str, str] = {}  # path prefix -> "500" | "malformed" | "hang"
        self.log: list[str] = []
        self.mappings = dict(MAPPINGS)
        self.router = ROUTER
        self.home = tempfile.TemporaryDirectory(prefix="fake-sources-hf-home-")
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.log.append(self.path)
                fake.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {
            "OPINIONS_GITHUB_API": self.url,
            "OPINIONS_GITHUB_RAW": self.url + "/raw",
            "HF_ENDPOINT": self.url,
            "HF_ROUTER_URL": self.url,
            "HF_HUB_OFFLINE": "0",
            "HF_TOKEN": "",
            "HF_HOME": self.home.name,
        }

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.home.cleanup()

    # -- answers --------------------------------------------------------------------------

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        for prefix, kind in self.faults.items():
            if path.startswith(prefix):
                if kind == "hang":
                    time.sleep(5)
                    return
                if kind == "malformed":
                    self._send(h, 200, b'{"data": [', "application/json")
                    return
                self._json(h, int(kind), {"message": "fault"})
                return
        source = next(
            (
                s
                for s, (o, r) in REPOS.items()
                if path.startswith((f"/repos/{o}/{r}/", f"/raw/{o}/{r}/"))
            ),
            None,
        )
        if source is not None:
            self._github(h, source, path)
        elif path.startswith("/api/models/"):
            model = path[len("/api/models/") :]
            if model not in self.mappings:
                self._json(h, 404, {"error": "Repository not found"})
                return
            self._json(
                h,
                200,
                {"_id": "0" * 24, "id": model, "inferenceProviderMapping": self.mappings[model]},
            )
        elif path == "/api/agent-harnesses":
            self._json(h, 200, {"standardEnvVars": [], "harnesses": {}})
        elif path == "/v1/models":
            self._json(h, 200, self.router)
        else:
            self._json(h, 404, {"message": "Not Found"})

    def _github(self, h: BaseHTTPRequestHandler, source: str, path: str) -> None:
        owner, repo = REPOS[source]
        sha = SHA[source]
        root = GITHUB / source
        files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        if path == f"/repos/{owner}/{repo}/commits/main":
            self._json(
                h,
                200,
                {
                    "sha": sha,
                    "commit": {"committer": {"name": "GitHub", "date": "2026-06-12T19:44:53Z"}},
                },
            )
        elif path == f"/repos/{owner}/{repo}/git/trees/{sha}":
            tree = [{"path": f, "mode": "100644", "type": "blob", "sha": "0" * 40} for f in files]
            if source == "mot":
                tree.insert(
                    0, {"path": "models", "mode": "040000", "type": "tree", "sha": "0" * 40}
                )
            self._json(h, 200, {"sha": sha, "url": "", "tree": tree, "truncated": False})
        elif path.startswith(f"/raw/{owner}/{repo}/{sha}/"):
            rel = path[len(f"/raw/{owner}/{repo}/{sha}/") :]
            target = root / rel
            if rel in files:
                self._send(h, 200, target.read_bytes(), "text/plain; charset=utf-8")
            else:
                self._send(h, 404, b"404: Not Found", "text/plain")
        else:
            self._json(h, 404, {"message": "Not Found"})

    def _json(self, h: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        self._send(h, status, json.dumps(body).encode(), "application/json")

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
