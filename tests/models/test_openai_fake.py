"""The openai provider against a local fake OpenAI-compatible server: no real network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.messages import (
    ModelClientStreamingChunkEvent,
    TextMessage,
    ToolCallExecutionEvent,
)
from autogen_core.models import UserMessage

from tests.fake_openai import FakeOpenAIServer, Reply
from workbench.models import (
    ModelCallRecord,
    RecordingChatCompletionClient,
    create_client,
    parse_model_spec,
)

FINAL = "The sum of 2 and 3 is 5, as the tool computed."


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    replies: list[Reply] = [{"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}, FINAL]
    with FakeOpenAIServer(replies) as srv:
        yield srv


def _recorded(srv: FakeOpenAIServer) -> tuple[RecordingChatCompletionClient, list[ModelCallRecord]]:
    spec = parse_model_spec("openai:fake-model", base_url=srv.base_url)
    records: list[ModelCallRecord] = []
    client = RecordingChatCompletionClient(
        create_client(spec, "developer"), spec.text, records.append
    )
    return client, records


async def test_streamed_tool_call_run_against_fake_server(server: FakeOpenAIServer) -> None:
    added: list[tuple[int, int]] = []

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        added.append((a, b))
        return a + b

    client, records = _recorded(server)
    agent = AssistantAgent(
        "developer",
        model_client=client,
        tools=[add],
        model_client_stream=True,
        max_tool_iterations=5,
    )
    events = [e async for e in agent.run_stream(task="add 2 and 3")]

    assert added == [(2, 3)]
    execution = next(e for e in events if isinstance(e, ToolCallExecutionEvent))
    assert execution.content[0].content == "5"
    chunks = [e.content for e in events if isinstance(e, ModelClientStreamingChunkEvent)]
    assert "".join(chunks) == FINAL
    assert [e for e in events if isinstance(e, TextMessage)][-1].content == FINAL

    first, second = server.requests
    assert first["stream"] is True and first["stream_options"] == {"include_usage": True}
    assert [t["function"]["name"] for t in first["tools"]] == ["add"]
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["content"] == "5"
    assert tool_message["tool_call_id"] == second["messages"][-2]["tool_calls"][0]["id"]
    assert server.headers[0]["authorization"] == "Bearer not-needed"

    assert [r.finish_reason for r in records] == ["function_calls", "stop"]
    for record in records:
        assert record.streamed and record.error is None and record.latency_ms > 0
        assert record.prompt_tokens > 0 and record.completion_tokens > 0
    # Usage comes from the server's final usage chunk, not from a local guess.
    assert records[1].prompt_tokens > records[0].prompt_tokens
    assert records[1].completion_tokens == len(FINAL) // 4


async def test_plain_create_sends_no_stream_options(server: FakeOpenAIServer) -> None:
    client, records = _recorded(server)
    first = await client.create([UserMessage(content="add", source="user")])
    assert first.finish_reason == "function_calls"
    assert "stream_options" not in server.requests[0]
    assert records[0].prompt_tokens > 0 and not records[0].streamed


async def test_server_error_is_recorded_and_raised() -> None:
    with FakeOpenAIServer([{"status": 400, "error": "model overloaded"}]) as srv:
        client, records = _recorded(srv)
        with pytest.raises(Exception, match="model overloaded"):
            [item async for item in client.create_stream([UserMessage(content="x", source="u")])]
    [record] = records
    assert record.error is not None and "model overloaded" in record.error
    assert record.streamed and record.prompt_tokens == 0
