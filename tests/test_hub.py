"""generator.hub.client against a fake Hub on 127.0.0.1: retries, waits, timeouts, error mapping,
rate limiting and payload parsing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.hub.client import (
    CORE_EXPAND,
    EXPAND,
    FALLBACK_AFTER,
    HubClient,
    HubConfig,
    HubError,
    RateLimiter,
    _DeadlineReached,
    context_length,
    model_fields,
)
from generator.hub.parse import CONTEXT_KEYS, unsent_fields
from tests.fakehub import FIXTURES, FakeHub, Fault, load_config, load_fixture, point_hub_at

OLMO = load_fixture("olmo-7b")
REPO = OLMO["id"]


class Sleeps:
    """An injectable sleep that records instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    with FakeHub({REPO: OLMO}) as hub:
        point_hub_at(hub, monkeypatch, tmp_path)
        yield hub


def client(hub: FakeHub, sleeps: Sleeps | None = None, **options: Any) -> HubClient:
    config = HubConfig(
        endpoint=hub.url,
        timeout=options.pop("timeout", 2.0),
        backoff=0.01,
        sleep=sleeps or Sleeps(),
        **options,
    )
    return HubClient(config)


def model_requests(hub: FakeHub, repo: str = REPO) -> int:
    return len(hub.requests(f"/api/models/{repo}"))


# -- success and shapes --------------------------------------------------------------------


def test_one_request_with_the_explicit_expand_list(fake: FakeHub) -> None:
    with client(fake) as c:
        data = c.model(REPO)
    assert data["downloadsAllTime"] == OLMO["downloadsAllTime"]
    (request,) = fake.requests(f"/api/models/{REPO}")
    assert request.query["expand"] == EXPAND
    assert "authorization" not in request.headers


def test_token_is_sent_as_bearer(fake: FakeHub) -> None:
    with client(fake, token="hf_testtoken") as c:
        c.model(REPO)
    (request,) = fake.requests(f"/api/models/{REPO}")
    assert request.headers["authorization"] == "Bearer hf_testtoken"


def test_renamed_repo_is_followed_and_asked_again_with_expand(fake: FakeHub) -> None:
    fake.redirects["allenai/OLMo-7B-old"] = REPO
    with client(fake) as c:
        data = c.model("allenai/OLMo-7B-old")
    assert data["id"] == REPO
    assert data["childrenModelCount"] == OLMO["childrenModelCount"]
    assert fake.requests(f"/api/models/{REPO}")[-1].query["expand"] == EXPAND


def test_rejected_expand_property_falls_back_to_the_core_list(fake: FakeHub) -> None:
    fake.rejected_expand = frozenset({"evalResults"})
    with client(fake) as c:
        data = c.model(REPO)
        assert c.refusals == 1
        assert c.expand == EXPAND  # one refusal does not switch the whole run
        for _ in range(FALLBACK_AFTER - 1):
            c.model(REPO)
        assert c.expand == CORE_EXPAND
        before = model_requests(fake)
        c.model(REPO)
        assert model_requests(fake) == before + 1  # asks for the core list directly now
    assert data["sha"] == OLMO["sha"]
    assert "downloadsAllTime" not in data
    assert {"downloads_all_time", "children", "has_eval_results"} <= set(unsent_fields(data))


def test_fixtures_have_the_api_shape() -> None:
    """The API's config carries the architecture and type, never the context length."""
    for path in sorted((FIXTURES / "models").glob("*.json")):
        config = load_fixture(path.stem).get("config", {})
        assert not set(config) & set(CONTEXT_KEYS), path.name
        assert context_length(config) is None, path.name


def test_the_fake_serves_the_api_config_without_the_context_length(fake: FakeHub) -> None:
    fake.models["x/leaky"] = {
        **OLMO,
        "id": "x/leaky",
        "config": {"model_type": "llama", "max_position_embeddings": 8},
    }
    with client(fake) as c:
        data = c.model("x/leaky")
    assert data["config"] == {"model_type": "llama"}


def test_gated_config_json_is_refused_401_anonymous_403_without_access(fake: FakeHub) -> None:
    gated = load_fixture("llama-2-7b-hf")
    fake.models[gated["id"]] = gated
    fake.configs[gated["id"]] = load_config("llama-2-7b-hf")
    fake.gated_access = frozenset({"hf_granted"})
    for token, status in ((None, 401), ("hf_not_granted", 403)):
        with client(fake, token=token) as c, pytest.raises(HubError) as caught:
            c.file_json(gated["id"], gated["sha"], "config.json")
        assert (caught.value.status, caught.value.code) == (status, "GatedRepo")
    with client(fake, token="hf_granted") as c:
        assert (
            c.file_json(gated["id"], gated["sha"], "config.json")["max_position_embeddings"] == 4096
        )


def test_an_expired_token_is_refused_everywhere_and_says_so(fake: FakeHub) -> None:
    fake.tokens = frozenset({"hf_valid"})
    fake.configs[REPO] = load_config("olmo-7b")
    with client(fake, token="hf_expired") as c:
        for call in (
            lambda: c.model(REPO),
            lambda: c.file_json(REPO, OLMO["sha"], "config.json"),
            lambda: c.recent_models("allenai", 5),
        ):
            with pytest.raises(HubError) as caught:
                call()
            assert caught.value.unauthorized
            assert "HF_TOKEN" in str(caught.value)


def test_model_fields_reads_the_recorded_shapes() -> None:
    gguf = model_fields(load_fixture("llama-2-7b-gguf"))
    assert gguf["base_models"] == ["meta-llama/Llama-2-7b-hf"]
    assert gguf["base_model_relation"] == "quantized"
    assert (gguf["license"], gguf["license_name"]) == ("other", "llama-2-community-license")
    assert gguf["license_tags"] == ["llama2"]
    assert gguf["children"] == {"total": 3}
    assert gguf["parameters"] is None
    squad = model_fields(load_fixture("roberta-base-squad2"))
    assert squad["base_model_relation"] == "finetune"
    assert squad["has_eval_results"] is True
    assert squad["datasets"] == ["rajpurkar/squad_v2", "squad_v2"]
    llama = model_fields(load_fixture("llama-2-7b-hf"))
    assert llama["gated"] == "manual"
    assert llama["context_length"] is None  # the API's config never has it
    assert llama["arxiv"] == ["2307.09288"]
    olmo = model_fields(OLMO)
    assert olmo["parameters"] == 6888095744
    assert olmo["children"]["finetune"] == 31
    assert olmo["created_at"].isoformat() == "2024-01-09T19:23:45+00:00"


def test_model_fields_tolerates_wrong_types_but_needs_an_id() -> None:
    odd = model_fields(
        {
            "id": "a/b",
            "downloads": "12",
            "gated": True,
            "tags": "x",
            "safetensors": {"parameters": {"F16": 5, "BF16": 6}},
            "childrenModelCount": {"finetune": "many", "adapter": 2},
            "createdAt": "yesterday",
            "cardData": ["not", "a", "dict"],
        }
    )
    assert odd["downloads"] is None
    assert odd["gated"] is None
    assert odd["parameters"] == 11
    assert odd["children"] == {"adapter": 2}
    assert odd["created_at"] is None
    with pytest.raises(HubError, match="not a model description"):
        model_fields({"downloads": 3})
    with pytest.raises(HubError):
        model_fields(["a", "list"])


def test_context_length_is_found_in_nested_configs() -> None:
    assert context_length({"text_config": {"max_position_embeddings": 8192}}) == 8192
    assert context_length({"n_positions": 1024, "max_position_embeddings": 2048}) == 2048
    assert context_length({"model_type": "llama"}) is None
    assert context_length("not a dict") is None


# -- faults --------------------------------------------------------------------------------


def test_429_waits_as_retry_after_says_then_retries(fake: FakeHub, sleeps: Sleeps) -> None:
    fake.faults[REPO] = Fault("429", times=1, headers={"Retry-After": "7"})
    with client(fake, sleeps) as c:
        assert c.model(REPO)["id"] == REPO
    assert model_requests(fake) == 2
    assert max(sleeps.calls, default=0) == pytest.approx(7, abs=0.5)


def test_429_waits_for_the_ratelimit_reset(fake: FakeHub, sleeps: Sleeps) -> None:
    fake.faults[REPO] = Fault(
        "429",
        times=2,
        headers={
            "RateLimit": '"api";r=0;t=42',
            "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
        },
    )
    with client(fake, sleeps) as c:
        assert c.model(REPO)["id"] == REPO
    assert model_requests(fake) == 3
    assert sum(1 for s in sleeps.calls if s > 40) == 2


def test_waits_are_capped_by_max_wait(fake: FakeHub, sleeps: Sleeps) -> None:
    fake.faults[REPO] = Fault("429", times=1, headers={"Retry-After": "86400"})
    with client(fake, sleeps, max_wait=5.0) as c:
        c.model(REPO)
    assert max(sleeps.calls) == pytest.approx(5, abs=0.5)


def test_a_pause_holds_back_every_caller() -> None:
    recorder = Sleeps()
    limiter = RateLimiter(None, 1, clock=lambda: 100.0, sleep=recorder)
    limiter.pause_for(30)
    limiter.acquire()
    limiter.acquire()
    assert recorder.calls == [30.0, 30.0]


def test_5xx_is_retried_with_exponential_backoff(fake: FakeHub, sleeps: Sleeps) -> None:
    fake.faults[REPO] = Fault("503", times=2)
    with client(fake, sleeps) as c:
        assert c.model(REPO)["id"] == REPO
    assert sleeps.calls == [0.01, 0.02]


def test_persistent_5xx_gives_up_after_the_retries(fake: FakeHub, sleeps: Sleeps) -> None:
    fake.faults[REPO] = Fault("502")
    with client(fake, sleeps, retries=2) as c, pytest.raises(HubError) as caught:
        c.model(REPO)
    assert caught.value.kind == "http"
    assert str(caught.value) == "HTTP 502 from the Hub (after 3 attempts)"
    assert model_requests(fake) == 3


@pytest.mark.parametrize("status", ["404", "401"])
def test_missing_repo_is_not_found_without_retrying(fake: FakeHub, status: str) -> None:
    fake.faults[REPO] = Fault(status)
    with client(fake) as c, pytest.raises(HubError) as caught:
        c.model(REPO)
    assert caught.value.kind == "not_found"
    assert model_requests(fake) == 1


def test_bad_token_is_not_mistaken_for_a_missing_repo(fake: FakeHub) -> None:
    fake.faults[REPO] = Fault("badtoken")
    with client(fake, token="hf_expired") as c, pytest.raises(HubError) as caught:
        c.model(REPO)
    assert caught.value.kind == "http"
    assert "HF_TOKEN" in str(caught.value)
    assert "hf_expired" not in str(caught.value)


def test_server_that_never_answers_times_out_in_bounded_time(fake: FakeHub) -> None:
    fake.faults[REPO] = Fault("hang")
    started = time.monotonic()
    with client(fake, timeout=0.3, retries=1) as c, pytest.raises(HubError) as caught:
        c.model(REPO)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 3
    assert model_requests(fake) == 2


def test_listing_gets_a_timeout_too(fake: FakeHub) -> None:
    fake.faults["author:allenai"] = Fault("hang")
    with client(fake, timeout=0.3, retries=0) as c, pytest.raises(HubError) as caught:
        c.recent_models("allenai", 10)
    assert caught.value.kind == "timeout"


@pytest.mark.parametrize("kind", ["reset", "short"])
def test_broken_connections_are_retried(fake: FakeHub, kind: str) -> None:
    fake.faults[REPO] = Fault(kind, times=1)
    with client(fake) as c:
        assert c.model(REPO)["id"] == REPO
    assert model_requests(fake) == 2


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
def test_bad_json_is_an_invalid_response(fake: FakeHub, kind: str) -> None:
    fake.faults[REPO] = Fault(kind)
    with client(fake) as c, pytest.raises(HubError) as caught:
        c.model(REPO)
    assert caught.value.kind == "invalid_response"
    assert "malformed or truncated JSON" in str(caught.value)


def test_no_request_starts_after_the_deadline(fake: FakeHub) -> None:
    with client(fake, deadline=time.monotonic() - 1) as c, pytest.raises(HubError) as caught:
        c.model(REPO)
    assert caught.value.kind == "deadline"
    assert model_requests(fake) == 0


def test_config_json_absent_is_none_refused_is_an_error(fake: FakeHub) -> None:
    gated = load_fixture("llama-2-7b-hf")
    fake.models[gated["id"]] = gated
    with client(fake) as c:
        assert c.file_json(REPO, OLMO["sha"], "config.json") is None  # 404 EntryNotFound
        with pytest.raises(HubError) as caught:  # refused: the caller keeps what it knew
            c.file_json(gated["id"], gated["sha"], "config.json")
    assert caught.value.code == "GatedRepo"
    assert fake.resolver_requests() == 2


def test_a_429_on_a_download_pauses_downloads_not_api_requests(
    fake: FakeHub, sleeps: Sleeps
) -> None:
    fake.configs[REPO] = load_config("olmo-7b")
    fake.faults[f"resolve:{REPO}"] = Fault(
        "429", times=1, headers={"RateLimit": '"resolvers";r=0;t=30'}
    )
    with client(fake, sleeps) as c:
        assert c.file_json(REPO, OLMO["sha"], "config.json") is not None
        assert c.resolver_limiter._paused_until > c.api_limiter._paused_until
        before = list(sleeps.calls)
        c.model(REPO)  # an API request does not wait for the download window
        assert sleeps.calls == before
        c.file_json(REPO, OLMO["sha"], "config.json")  # the next download does
    assert max(sleeps.calls) == pytest.approx(30, abs=1)
    assert len(fake.requests(f"/{REPO}/resolve/")) == 3


def test_request_counts_by_rate_limit_class(fake: FakeHub) -> None:
    fake.configs[REPO] = {"max_sequence_length": 2048}
    with client(fake) as c:
        c.model(REPO)
        assert c.file_json(REPO, OLMO["sha"], "config.json") == {"max_sequence_length": 2048}
        # the library's own daily agent-harnesses call goes through its session, not ours
        assert (c.stats.api, c.stats.resolver) == (1, 1)


# -- rate limiter --------------------------------------------------------------------------


def test_rate_limiter_allows_a_burst_then_paces() -> None:
    recorder = Sleeps()
    limiter = RateLimiter(10.0, burst=3, clock=lambda: 0.0, sleep=recorder)
    for _ in range(6):
        limiter.acquire()
    assert recorder.calls == pytest.approx([0.1, 0.2, 0.3])


def test_rate_limiter_refuses_to_wait_past_the_deadline() -> None:
    limiter = RateLimiter(1.0, burst=1, clock=lambda: 0.0, sleep=Sleeps())
    limiter.acquire(deadline=0.5)
    with pytest.raises(_DeadlineReached):
        limiter.acquire(deadline=0.5)
