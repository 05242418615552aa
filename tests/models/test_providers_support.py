"""What every provider test shares (an agent that adds with a tool, through the real client),
and the guarantees that hold for all providers: cheap imports, no download for tokens."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.messages import (
    ModelClientStreamingChunkEvent,
    TextMessage,
    ToolCallExecutionEvent,
)
from autogen_core.models import ChatCompletionClient, UserMessage

from tests.fake_openai import FakeReply
from workbench.models import ModelCallRecord, ModelSpec, RecordingChatCompletionClient
from workbench.models.registry import create_client
from workbench.models.settings import CallSettings

FINAL = "The sum of 2 and 3 is 5, as the tool computed."
ADD_REPLIES: list[Any] = [{"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}]}, FINAL]
SETTINGS = CallSettings(max_tokens=321, temperature=0.25, seed=11, timeout_s=30)
MESSAGES = [UserMessage(content="add 2 and 3", source="user")]


@contextlib.contextmanager
def tiktoken_forbidden() -> Iterator[None]:
    """tiktoken downloads its BPE files on first use: any use in a normal call is a bug."""

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("tiktoken was used (it would download its BPE files)")

    with mock.patch("tiktoken.get_encoding", refuse), \
            mock.patch("tiktoken.encoding_for_model", refuse):
        yield


@dataclass
class AgentRun:
    added: list[tuple[int, int]]
    events: list[Any]
    records: list[ModelCallRecord] = field(default_factory=list)

    @property
    def streamed_text(self) -> str:
        return "".join(e.content for e in self.events
                       if isinstance(e, ModelClientStreamingChunkEvent))

    @property
    def final(self) -> str:
        return [e for e in self.events if isinstance(e, TextMessage)][-1].content


async def run_add_agent(spec: ModelSpec, settings: CallSettings = SETTINGS) -> AgentRun:
    """A streaming AssistantAgent asked to add 2 and 3 with its tool, its model calls
    recorded as the engine records them."""
    run = AgentRun([], [])

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        run.added.append((a, b))
        return a + b

    with tiktoken_forbidden():
        client = RecordingChatCompletionClient(
            create_client(spec, "developer", settings=settings), spec.text, run.records.append
        )
        agent = AssistantAgent("developer", model_client=client, tools=[add],
                               model_client_stream=True, max_tool_iterations=5)
        run.events = [e async for e in agent.run_stream(task="add 2 and 3")]
    return run


def assert_added_with_the_tool(run: AgentRun) -> None:
    """The tool ran once with the model's arguments, its result went back, the final text
    was streamed, and both calls were recorded with the server's usage."""
    assert run.added == [(2, 3)]
    execution = next(e for e in run.events if isinstance(e, ToolCallExecutionEvent))
    assert execution.content[0].content == "5"
    assert run.streamed_text == FINAL
    assert run.final == FINAL
    assert [r.finish_reason for r in run.records] == ["function_calls", "stop"]
    for record in run.records:
        assert record.streamed and record.error is None and record.latency_ms > 0
        assert record.prompt_tokens > 0 and record.completion_tokens > 0


async def failed_call_requests(client: ChatCompletionClient, requests: list[Any],
                               streamed: bool) -> tuple[BaseException, int]:
    """Make one call the server fails; the error and how many requests reached it."""
    before = len(requests)
    with pytest.raises(Exception) as info:  # noqa: B017 - each SDK has its own error class
        if streamed:
            async for _ in client.create_stream(MESSAGES):
                pass
        else:
            await client.create(MESSAGES)
    return info.value, len(requests) - before


def server_errors(n: int = 2) -> list[Any]:
    return [{"status": 500, "error": "internal failure"} for _ in range(n)]


@contextlib.contextmanager
def held_reply() -> Iterator[FakeReply]:
    """A reply the server holds back until the test ends (a model that never answers)."""
    gate = threading.Event()
    try:
        yield FakeReply(content="too late", hold=gate)
    finally:
        gate.set()


async def assert_times_out_once(client: ChatCompletionClient, requests: list[Any]) -> None:
    """The SDK's request timeout is the configured one, and it does not retry."""
    started = time.perf_counter()
    _, sent = await failed_call_requests(client, requests, streamed=False)
    assert time.perf_counter() - started < 10
    assert sent == 1


def test_importing_the_registry_loads_no_provider_sdk() -> None:
    code = ("import sys, workbench.models, workbench.models.registry, workbench.cli\n"
            "heavy = ('autogen_ext', 'openai', 'anthropic', 'ollama', 'azure', 'tiktoken')\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_llamacpp_is_refused_with_what_to_do_instead() -> None:
    from workbench.models import ModelSpecError, parse_model_spec

    with pytest.raises(ModelSpecError) as info:
        parse_model_spec("llamacpp:/models/qwen.gguf")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("embedded GGUF models are not supported in this version: serve "
                              "/models/qwen.gguf with llama.cpp's server")
    assert "use openai:MODEL with --base-url http://127.0.0.1:8080/v1" in message


def test_every_provider_parses_and_openai_base_url_stays_with_openai(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workbench.models import ModelSpecError, parse_model_spec

    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert parse_model_spec("openai:m").base_url == "http://127.0.0.1:9/v1"
    for text in ("azure:dep", "anthropic:claude-sonnet-4-5", "gemini:gemini-2.5-flash"):
        spec = parse_model_spec(text)
        assert spec.base_url is None and spec.label == text
    # A run's --base-url is for openai: roles; a model's own server goes with that model.
    assert parse_model_spec("anthropic:m", "http://127.0.0.1:4000/v1").base_url is None
    spec = parse_model_spec(" Ollama:qwen2.5-coder:7b ", server="http://gpu:11434")
    assert (spec.provider, spec.name, spec.base_url) == ("ollama", "qwen2.5-coder:7b",
                                                         "http://gpu:11434")
    with pytest.raises(ModelSpecError, match="must start with http:// or https://"):
        parse_model_spec("ollama:m", server="gpu:11434")
    replay = parse_model_spec("replay:run-1")
    assert replay.is_replay and not replay.is_scripted
    assert replay.label == "replay: run-1 (REPLAY)"
