"""anthropic:MODEL through autogen-ext's Anthropic client against a local Messages API fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_anthropic import FakeAnthropicServer
from tests.models.test_providers_support import (
    ADD_REPLIES,
    MESSAGES,
    SETTINGS,
    assert_added_with_the_tool,
    assert_times_out_once,
    failed_call_requests,
    held_reply,
    run_add_agent,
    server_errors,
)
from workbench.models import ModelSpecError, create_client, parse_model_spec
from workbench.models.settings import CallSettings


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)


@pytest.fixture
def server() -> Iterator[FakeAnthropicServer]:
    with FakeAnthropicServer(ADD_REPLIES) as srv:
        yield srv


async def test_streamed_tool_call_and_usage(server: FakeAnthropicServer) -> None:
    spec = parse_model_spec("anthropic:claude-sonnet-4-5", server=server.endpoint)
    assert spec.label == f"anthropic:claude-sonnet-4-5 @ {server.endpoint}"
    run = await run_add_agent(spec)
    assert_added_with_the_tool(run)

    first, second = server.requests
    assert server.paths == ["/v1/messages", "/v1/messages"]
    assert first["stream"] is True and first["model"] == "claude-sonnet-4-5"
    assert first["max_tokens"] == 321 and first["temperature"] == 0.25
    assert "seed" not in first  # the Messages API has none
    assert [t["name"] for t in first["tools"]] == ["add"]
    assert server.headers[0]["x-api-key"] == "sk-ant-test"
    assert "anthropic-version" in server.headers[0]
    tool_use = second["messages"][1]["content"][0]
    assert tool_use["type"] == "tool_use" and tool_use["input"] == {"a": 2, "b": 3}
    result = second["messages"][2]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"] == tool_use["id"]
    assert result["content"] == "5"


async def test_base_url_from_the_environment(
    server: FakeAnthropicServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.endpoint)
    client = create_client(parse_model_spec("anthropic:claude-haiku-4-5"), "developer")
    result = await client.create(MESSAGES)
    assert result.finish_reason == "function_calls"
    assert isinstance(result.content, list) and result.content[0].name == "add"
    assert len(server.requests) == 1 and server.requests[0]["model"] == "claude-haiku-4-5"


async def test_non_streamed_text_and_usage() -> None:
    with FakeAnthropicServer(["Hello there."]) as srv:
        spec = parse_model_spec("anthropic:my-proxy-model", server=srv.endpoint)
        client = create_client(spec, "developer", settings=SETTINGS)
        result = await client.create(MESSAGES)
    assert result.content == "Hello there." and result.finish_reason == "stop"
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert srv.requests[0].get("stream") is None
    assert client.count_tokens(MESSAGES) > 0  # local count, no tiktoken download


@pytest.mark.parametrize("streamed", [False, True])
async def test_a_server_error_is_one_request_no_sdk_retry(streamed: bool) -> None:
    with FakeAnthropicServer(server_errors()) as srv:
        spec = parse_model_spec("anthropic:claude-sonnet-4-5", server=srv.endpoint)
        error, sent = await failed_call_requests(create_client(spec, "developer"), srv.requests,
                                                 streamed)
    assert sent == 1
    assert getattr(error, "status_code", None) == 500


async def test_the_request_timeout_is_the_configured_one() -> None:
    with held_reply() as slow, FakeAnthropicServer([slow]) as srv:
        spec = parse_model_spec("anthropic:claude-sonnet-4-5", server=srv.endpoint)
        client = create_client(spec, "developer", settings=CallSettings(timeout_s=0.3))
        await assert_times_out_once(client, srv.requests)


def test_missing_key_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(ModelSpecError) as info:
        create_client(parse_model_spec("anthropic:claude-sonnet-4-5"), "developer")
    expected = "ANTHROPIC_API_KEY is not set (needed for anthropic:claude-sonnet-4-5)"
    assert str(info.value) == expected
