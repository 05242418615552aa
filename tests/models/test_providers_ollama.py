"""ollama:MODEL through autogen-ext's Ollama client against a local /api/chat fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from autogen_core import FunctionCall

from tests.fake_ollama import FakeOllamaServer
from tests.models.test_providers_support import (
    ADD_REPLIES,
    MESSAGES,
    assert_added_with_the_tool,
    assert_times_out_once,
    failed_call_requests,
    held_reply,
    run_add_agent,
    server_errors,
)
from workbench.models import create_client, parse_model_spec
from workbench.models.providers import OLLAMA_HOST, ollama_host
from workbench.models.settings import CallSettings


@pytest.fixture(autouse=True)
def _no_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)


@pytest.fixture
def server() -> Iterator[FakeOllamaServer]:
    with FakeOllamaServer(ADD_REPLIES) as srv:
        yield srv


async def test_streamed_tool_call_usage_and_options(
    server: FakeOllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", server.endpoint)
    run = await run_add_agent(parse_model_spec("ollama:qwen2.5-coder:7b"))
    assert_added_with_the_tool(run)

    first, second = server.requests
    assert first["model"] == "qwen2.5-coder:7b" and first["stream"] is True
    assert first["options"] == {"num_predict": 321, "temperature": 0.25, "seed": 11}
    assert [t["function"]["name"] for t in first["tools"]] == ["add"]
    assert second["messages"][-1] == {"role": "tool", "content": "5"}


async def test_every_tool_call_gets_its_own_id() -> None:
    two = {"tool_calls": [{"name": "add", "arguments": {"a": 1, "b": 2}},
                          {"name": "add", "arguments": {"a": 3, "b": 4}}]}
    with FakeOllamaServer([two, two]) as srv:
        client = create_client(parse_model_spec("ollama:llama3.1", server=srv.endpoint),
                               "developer")
        streamed = [x async for x in client.create_stream(MESSAGES)][-1]
        plain = await client.create(MESSAGES)
    ids = []
    for result in (streamed, plain):
        assert not isinstance(result, str) and result.finish_reason == "function_calls"
        assert isinstance(result.content, list)
        calls = [c for c in result.content if isinstance(c, FunctionCall)]
        assert [c.arguments for c in calls] == ['{"a": 1, "b": 2}', '{"a": 3, "b": 4}']
        ids += [c.id for c in calls]
    assert len(set(ids)) == 4
    assert srv.requests[1]["stream"] is False


async def test_non_streamed_text_and_usage() -> None:
    with FakeOllamaServer(["Hello from a local model."]) as srv:
        client = create_client(parse_model_spec("ollama:my-finetune", server=srv.endpoint),
                               "developer", settings=CallSettings(max_tokens=None, seed=None))
        result = await client.create(MESSAGES)
    assert result.content == "Hello from a local model." and result.finish_reason == "stop"
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert srv.requests[0]["options"] == {"temperature": 0.0}
    assert client.count_tokens(MESSAGES) > 0  # local count, no tiktoken download


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_server_error_is_one_request_no_sdk_retry(streamed: bool) -> None:
    with FakeOllamaServer(server_errors()) as srv:
        client = create_client(parse_model_spec("ollama:llama3.1", server=srv.endpoint),
                               "developer")
        error, sent = await failed_call_requests(client, srv.requests, streamed)
    assert sent == 1
    assert getattr(error, "status_code", None) == 500


async def test_the_request_timeout_is_the_configured_one() -> None:
    with held_reply() as slow, FakeOllamaServer([slow]) as srv:
        spec = parse_model_spec("ollama:llama3.1", server=srv.endpoint)
        client = create_client(spec, "developer", settings=CallSettings(timeout_s=0.3))
        await assert_times_out_once(client, srv.requests)


def test_host_defaults_to_the_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ollama_host(parse_model_spec("ollama:m")) == OLLAMA_HOST == "http://127.0.0.1:11434"
    monkeypatch.setenv("OLLAMA_HOST", "gpu-box:11434")
    assert ollama_host(parse_model_spec("ollama:m")) == "http://gpu-box:11434"
