"""Model calls against a faulty OpenAI-compatible server on 127.0.0.1: every fault is retried
(each attempt recorded) or ends with ProviderUnavailable, never a raw exception."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from autogen_core import FunctionCall
from autogen_core.models import CreateResult, UserMessage

from agents.contracts import Role
from workbench.engine.team import make_client
from workbench.models import ModelCallRecord, ProviderUnavailable
from workbench.models.resilient import RetryNotice
from workbench.models.settings import CallSettings

from ..fake_openai import FakeOpenAIServer, FakeReply

pytestmark = pytest.mark.usefixtures("no_openai_env")

FAST = CallSettings(backoff_base_s=0.01, backoff_cap_s=0.05, max_attempts=3,
                    first_token_timeout_s=5, idle_timeout_s=5, timeout_s=5)
MESSAGES = [UserMessage(content="hello", source="user")]
TOOL_CALL = {"tool_calls": [{"name": "open_file", "arguments": {"path": "app.py"}}]}


@pytest.fixture
def no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[ModelCallRecord] = []
        self.retries: list[RetryNotice] = []

    def client(self, server: FakeOpenAIServer, settings: CallSettings = FAST) -> Any:
        client, _ = make_client(
            "openai:fake-model", Role.DEVELOPER, server.base_url, 0,
            lambda _role, rec: self.calls.append(rec), settings,
            lambda _role, notice: self.retries.append(notice))
        return client


async def _stream(client: Any) -> CreateResult:
    final = None
    async for item in client.create_stream(MESSAGES):
        if isinstance(item, CreateResult):
            final = item
    assert final is not None
    return final


@pytest.mark.parametrize(
    ("fault", "kind"),
    [({"status": 500, "error": "boom"}, "server"),
     ({"status": 503, "error": "overloaded"}, "server"),
     ({"fault": "reset", "content": "partial answer that is cut"}, "connection"),
     ({"fault": "bad_sse", "content": "some answer text here"}, "stream"),
     ({"fault": "sse_error", **TOOL_CALL}, "stream"),
     ({"fault": "no_finish", **TOOL_CALL}, "reply"),
     ({"fault": "bad_body"}, "reply"),
     ({"content": ""}, "reply"),
     ({"tool_calls": [{"name": "open_file", "arguments": '{"path": "app.'}]}, "reply")],
    ids=["500", "503", "reset", "bad_sse", "sse_error", "no_finish", "bad_body", "empty",
         "broken_args"],
)
async def test_a_faulty_answer_is_retried_and_the_next_one_used(
    fault: dict[str, Any], kind: str
) -> None:
    rec = Recorder()
    with FakeOpenAIServer([fault, TOOL_CALL]) as server:
        result = await _stream(rec.client(server))
        requests = len(server.requests)

    assert requests == 2  # one failed attempt, one good: no hidden SDK retries
    assert isinstance(result.content, list)
    assert result.content[0] == FunctionCall(id=result.content[0].id, name="open_file",
                                             arguments='{"path": "app.py"}')
    assert [n.kind for n in rec.retries] == [kind]
    assert rec.retries[0].attempt == 1 and rec.retries[0].max_attempts == 3
    assert len(rec.calls) == 2 and rec.calls[1].error is None
    assert rec.calls[1].prompt_tokens > 0  # the good attempt's usage is recorded


async def test_a_stream_that_cannot_be_read_is_tried_again_without_streaming() -> None:
    rec = Recorder()
    with FakeOpenAIServer([{"fault": "sse_error", **TOOL_CALL}, TOOL_CALL]) as server:
        await _stream(rec.client(server))
        streamed = [bool(r.get("stream")) for r in server.requests]

    assert streamed == [True, False]
    assert rec.retries[0].streamed_next is False


async def test_retry_after_is_honoured() -> None:
    """The server's Retry-After wins over the backoff (up to four times its cap)."""
    rec = Recorder()
    settings = CallSettings(backoff_base_s=0.01, backoff_cap_s=0.5)
    with FakeOpenAIServer([{"status": 429, "error": "slow down", "retry_after": "1"},
                           "fine"]) as server:
        started = time.monotonic()
        result = await _stream(rec.client(server, settings))
        waited = time.monotonic() - started

    assert result.content == "fine"
    assert rec.retries[0].kind == "rate_limit" and rec.retries[0].delay_s == 1.0
    assert waited >= 1.0


async def test_a_server_that_never_answers_times_out_and_is_retried() -> None:
    rec = Recorder()
    never = threading.Event()
    settings = CallSettings(backoff_base_s=0.01, backoff_cap_s=0.05, max_attempts=3,
                            first_token_timeout_s=0.5, idle_timeout_s=0.5, timeout_s=0.5)
    with FakeOpenAIServer([FakeReply(content="late", hold=never), "on time"]) as server:
        started = time.monotonic()
        result = await _stream(rec.client(server, settings))
        elapsed = time.monotonic() - started
        never.set()

    assert result.content == "on time"
    assert rec.retries[0].kind == "timeout"
    assert "first token" in rec.retries[0].error
    assert elapsed < 5
    assert rec.calls[0].error is not None and "ModelTimeout" in rec.calls[0].error


async def test_a_provider_that_stays_down_ends_the_call_with_a_clear_reason() -> None:
    rec = Recorder()
    with FakeOpenAIServer([{"status": 500, "error": "down"}] * 3) as server:
        with pytest.raises(ProviderUnavailable) as caught:
            await _stream(rec.client(server))
        requests = len(server.requests)

    assert requests == 3
    assert str(caught.value) == "server error (HTTP 500): down after 3 attempts"
    assert len(rec.retries) == 2 and len(rec.calls) == 3


async def test_a_refused_request_is_not_retried() -> None:
    rec = Recorder()
    with FakeOpenAIServer([{"status": 400, "error": "context too long"}]) as server:
        with pytest.raises(ProviderUnavailable) as caught:
            await rec.client(server).create(MESSAGES)
        requests = len(server.requests)

    assert requests == 1 and not rec.retries
    assert caught.value.kind == "refused"
    assert "HTTP 400" in str(caught.value) and "context too long" in str(caught.value)


async def test_sampling_settings_are_sent_with_each_call() -> None:
    rec = Recorder()
    with FakeOpenAIServer(["ok"]) as server:
        await _stream(rec.client(server))
        body = server.requests[0]

    assert (body["max_tokens"], body["temperature"], body["seed"]) == (4096, 0.0, 7)
