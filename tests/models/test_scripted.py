from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.messages import (
    ModelClientStreamingChunkEvent,
    StructuredMessage,
    TextMessage,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
)
from autogen_core import FunctionCall
from autogen_core.models import CreateResult, LLMMessage, SystemMessage, UserMessage
from pydantic import BaseModel

from workbench.models import (
    ScriptedChatCompletionClient,
    ScriptError,
    ScriptExhausted,
    load_script,
)

DATA: dict[str, Any] = {
    "name": "unit",
    "roles": {
        "requirements": [{"content": {"feature_id": "FEAT-1", "in_scope": ["a", "b"]}}],
        "developer": [
            {
                "tool_calls": [
                    {"name": "list_files", "arguments": {"path": "."}},
                    {"name": "open_file", "arguments": {"path": "app/x.py"}},
                ],
                "thought": "Look first.",
            },
            {"content": "Implemented the change in app/x.py as the spec asks."},
        ],
    },
}
MESSAGES: list[LLMMessage] = [
    SystemMessage(content="x" * 40),
    UserMessage(content="y" * 21, source="user"),
]


async def test_entries_are_returned_in_order_with_tool_calls_then_text() -> None:
    client = ScriptedChatCompletionClient.from_data(DATA, "developer")
    first = await client.create(MESSAGES)
    assert first.finish_reason == "function_calls"
    assert first.thought == "Look first."
    assert isinstance(first.content, list)
    calls: list[FunctionCall] = first.content
    assert [c.name for c in calls] == ["list_files", "open_file"]
    assert json.loads(calls[1].arguments) == {"path": "app/x.py"}
    assert len({c.id for c in calls}) == 2
    second = await client.create(MESSAGES)
    assert second.finish_reason == "stop"
    assert second.content == "Implemented the change in app/x.py as the spec asks."
    with pytest.raises(
        ScriptExhausted, match="scripted model for role developer has no response #3 left"
    ):
        await client.create(MESSAGES)


async def test_dict_content_is_json_and_start_index_resumes() -> None:
    spec = await ScriptedChatCompletionClient.from_data(DATA, "requirements").create(MESSAGES)
    assert isinstance(spec.content, str)
    assert json.loads(spec.content) == {"feature_id": "FEAT-1", "in_scope": ["a", "b"]}
    resumed = ScriptedChatCompletionClient.from_data(DATA, "developer", start_index=1)
    assert (await resumed.create(MESSAGES)).finish_reason == "stop"


async def test_role_without_entries_is_exhausted_on_first_call() -> None:
    client = ScriptedChatCompletionClient.from_data(DATA, "tester")
    with pytest.raises(ScriptExhausted, match="role tester has no response #1 left"):
        await client.create(MESSAGES)


async def test_usage_is_a_deterministic_estimate() -> None:
    client = ScriptedChatCompletionClient.from_data(DATA, "developer", start_index=1)
    result = await client.create(MESSAGES)
    assert result.usage.prompt_tokens == (40 + 21) // 4
    assert result.usage.completion_tokens == len(str(result.content)) // 4
    assert client.total_usage() == result.usage
    tiny = ScriptedChatCompletionClient.from_data(
        {"roles": {"tester": [{"content": "ok"}]}}, "tester"
    )
    assert (await tiny.create([])).usage.prompt_tokens == 1


async def test_stream_yields_text_pieces_then_the_result() -> None:
    long_text = "word " * 40
    data = {"roles": {"developer": [{"content": long_text}, {"tool_calls": [{"name": "t"}]}]}}
    client = ScriptedChatCompletionClient.from_data(data, "developer")
    items = [item async for item in client.create_stream(MESSAGES)]
    pieces, final = items[:-1], items[-1]
    assert 3 <= len(pieces) <= 6 and all(isinstance(p, str) for p in pieces)
    assert "".join(str(p) for p in pieces) == long_text
    assert isinstance(final, CreateResult) and final.content == long_text
    tool_items = [item async for item in client.create_stream(MESSAGES)]
    assert len(tool_items) == 1 and isinstance(tool_items[0], CreateResult)


def test_load_yaml_and_json_files(tmp_path: Path) -> None:
    yml = tmp_path / "s.yml"
    yml.write_text("roles:\n  reviewer:\n    - content: LGTM\n")
    script = load_script(yml)
    assert script.name == "s" and script.roles["reviewer"][0].text == "LGTM"
    js = tmp_path / "s.json"
    js.write_text(json.dumps(DATA))
    assert load_script(js).name == "unit"


@pytest.mark.parametrize(
    ("filename", "text", "message"),
    [
        ("a.yaml", "roles: [unclosed\n", "invalid YAML at line 2"),
        ("a.json", "{", "invalid JSON at line 1"),
        ("a.yaml", "- 1\n", "expected a mapping with 'roles'"),
        ("a.yaml", "name: x\n", "roles: Field required"),
        ("a.txt", "roles: {}\n", "unsupported extension '.txt'"),
        (
            "a.yaml",
            "roles:\n  developer:\n    - content: a\n    - {content: b, tool_calls: [{name: t}]}\n",
            "roles.developer[1]: an entry needs exactly one of 'content' or 'tool_calls'",
        ),
        (
            "a.yaml",
            "roles:\n  developer:\n    - tool_calls: [{arguments: {}}]\n",
            "roles.developer[0].tool_calls[0].name: Field required",
        ),
        ("a.yaml", "roles:\n  develper: []\n", "unknown role 'develper'"),
        (
            "a.yaml",
            "roles:\n  tester:\n    - contents: x\n",
            "roles.tester[0].contents: Extra inputs",
        ),
    ],
)
def test_broken_files_give_a_one_line_error_naming_the_place(
    tmp_path: Path, filename: str, text: str, message: str
) -> None:
    path = tmp_path / filename
    path.write_text(text)
    with pytest.raises(ScriptError) as info:
        load_script(path)
    assert str(info.value).startswith(f"scripted file {path}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file() -> None:
    with pytest.raises(ScriptError, match="scripted file not found: nope.yaml"):
        load_script("nope.yaml")


async def test_drives_a_real_assistant_agent_through_tools_and_streaming() -> None:
    opened: list[str] = []

    def open_file(path: str) -> str:
        """Open a file."""
        opened.append(path)
        return f"contents of {path}"

    def list_files(path: str) -> str:
        """List files."""
        return "app/x.py"

    client = ScriptedChatCompletionClient.from_data(DATA, "developer")
    agent = AssistantAgent(
        "developer",
        model_client=client,
        tools=[list_files, open_file],
        model_client_stream=True,
        max_tool_iterations=5,
    )
    events = [event async for event in agent.run_stream(task="change app/x.py")]
    kinds = [type(e) for e in events]
    assert ThoughtEvent in kinds
    request = next(e for e in events if isinstance(e, ToolCallRequestEvent))
    assert [c.name for c in request.content] == ["list_files", "open_file"]
    execution = next(e for e in events if isinstance(e, ToolCallExecutionEvent))
    assert [r.content for r in execution.content] == ["app/x.py", "contents of app/x.py"]
    assert opened == ["app/x.py"]
    chunks = [e.content for e in events if isinstance(e, ModelClientStreamingChunkEvent)]
    assert len(chunks) >= 2
    final = [e for e in events if isinstance(e, TextMessage)][-1]
    assert final.content == "".join(chunks) == DATA["roles"]["developer"][1]["content"]
    # The second model call saw the tool results.
    assert "contents of app/x.py" in str(client.requests[1][-1])


class Spec(BaseModel):
    feature_id: str
    in_scope: list[str]


async def test_dict_content_feeds_structured_output() -> None:
    client = ScriptedChatCompletionClient.from_data(DATA, "requirements")
    agent = AssistantAgent("requirements", model_client=client, output_content_type=Spec)
    result = await agent.run(task="spec it")
    message = result.messages[-1]
    assert isinstance(message, StructuredMessage)
    assert message.content == Spec(feature_id="FEAT-1", in_scope=["a", "b"])
