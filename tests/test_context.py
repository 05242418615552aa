"""The role agents' model context: old, repeated and out-of-date tool output and replaced
task messages go to the model as one line; the saved state keeps everything."""

from __future__ import annotations

import json
from typing import Any

from autogen_agentchat.agents import AssistantAgent
from autogen_core import FunctionCall
from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    SystemMessage,
    UserMessage,
)

from agents.prompts import reviewer_task
from tests.test_prompts import SPEC
from workbench.engine.context import CompactingChatCompletionContext, compact
from workbench.models.scripted import ScriptedChatCompletionClient

FILE_TEXT = "\n".join(f"{n:>6}\tline {n} of the file" for n in range(1, 45))


def _call(call_id: str, name: str, **arguments: Any) -> AssistantMessage:
    return AssistantMessage(
        content=[FunctionCall(id=call_id, name=name, arguments=json.dumps(arguments))],
        source="developer")


def _result(call_id: str, name: str, content: str, error: bool = False
            ) -> FunctionExecutionResultMessage:
    return FunctionExecutionResultMessage(content=[FunctionExecutionResult(
        call_id=call_id, name=name, content=content, is_error=error)])


def _results(messages: list[LLMMessage]) -> list[str]:
    return [r.content for m in messages if isinstance(m, FunctionExecutionResultMessage)
            for r in m.content]


def _conversation(model_calls_after: int) -> list[LLMMessage]:
    messages: list[LLMMessage] = [
        UserMessage(content="Implement this approved specification.", source="user"),
        _call("c1", "open_file", path="agents/x.py"),
        _result("c1", "open_file", FILE_TEXT),
    ]
    for n in range(model_calls_after):
        messages += [_call(f"s{n}", "list_files", path=f"dir{n}"),
                     _result(f"s{n}", "list_files", "a.py")]
    return messages


def test_tool_output_older_than_the_last_k_model_calls_is_one_line() -> None:
    kept = compact(_conversation(5), keep_calls=6)
    assert FILE_TEXT in _results(kept)  # seen by 5 calls: still whole
    shortened = compact(_conversation(6), keep_calls=6)
    assert _results(shortened)[0] == "[open_file agents/x.py: 44 lines, shown earlier]"
    assert _results(shortened)[1:] == ["a.py"] * 6  # short output stays as it is


def test_compacting_leaves_the_stored_messages_alone() -> None:
    messages = _conversation(8)
    before = [m.model_dump() for m in messages]
    compact(messages, keep_calls=2)
    assert [m.model_dump() for m in messages] == before


def test_a_file_shown_again_later_is_sent_once() -> None:
    messages = [*_conversation(0), _call("c2", "open_file", path="agents/x.py"),
                _result("c2", "open_file", FILE_TEXT)]
    assert _results(compact(messages)) == [
        "[open_file agents/x.py: 44 lines, shown again later]", FILE_TEXT]


def test_a_read_of_a_file_changed_since_is_out_of_date() -> None:
    diff = "--- a/agents/x.py\n+++ b/agents/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    edited = [*_conversation(0), _call("p", "propose_patch", diff=diff),
              _result("p", "propose_patch", "patch applied: 1 hunk(s) in agents/x.py")]
    assert _results(compact(edited))[0] == (
        "[open_file agents/x.py: 44 lines, shown earlier; the file has changed since]")
    refused = [*_conversation(0), _call("p", "propose_patch", diff=diff),
               _result("p", "propose_patch", "patch does not apply", error=True)]
    assert _results(compact(refused))[0] == FILE_TEXT
    other = [*_conversation(0), _call("w", "replace_in_file", path="agents/y.py", old="a",
                                      new="b"),
             _result("w", "replace_in_file", "replaced 1 occurrence in agents/y.py")]
    assert _results(compact(other))[0] == FILE_TEXT


def test_open_file_ranges_are_named_in_the_summary() -> None:
    messages: list[LLMMessage] = [
        _call("c1", "open_file", path="a.py", start_line=10, end_line=53),
        _result("c1", "open_file", FILE_TEXT), _call("c2", "list_files", path=".")]
    assert _results(compact(messages, keep_calls=1)) == [
        "[open_file a.py lines 10-53: 44 lines, shown earlier]"]


def test_long_arguments_of_old_tool_calls_are_shortened_to_valid_json() -> None:
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n" + "+new line\n" * 60
    messages: list[LLMMessage] = [_call("p", "propose_patch", diff=diff, summary="s"),
                                  _result("p", "propose_patch", "patch applied"),
                                  _call("q", "list_files", path=".")]
    first = compact(messages, keep_calls=1)[0]
    assert isinstance(first, AssistantMessage) and isinstance(first.content, list)
    assert json.loads(first.content[0].arguments) == {
        "diff": "[64 lines, shown earlier]", "summary": "s"}


def test_a_newer_review_request_replaces_the_older_one() -> None:
    first = reviewer_task(SPEC, "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n", "", "")
    second = reviewer_task(SPEC, "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+c\n", "", "")
    reply = AssistantMessage(content='{"status": "NEEDS_REVISION"}', source="reviewer")
    messages: list[LLMMessage] = [UserMessage(content=first, source="user"), reply,
                                  UserMessage(content=second, source="user")]
    sent = compact(messages)
    assert isinstance(sent[0], UserMessage) and str(sent[0].content).startswith(
        "[an earlier request (")
    assert sent[1:] == messages[1:]  # its own reply and the new request stay whole


def test_follow_ups_never_replace_the_task_they_follow() -> None:
    messages: list[LLMMessage] = [
        UserMessage(content="Implement this approved specification.\n<spec>...</spec>",
                    source="user"),
        AssistantMessage(content="done", source="developer"),
        UserMessage(content="Revise your change.\n<feedback>x</feedback>", source="user"),
        UserMessage(content="Your reply is not a valid ReviewResult.", source="user"),
    ]
    assert compact(messages) == messages


async def test_state_round_trips_through_json() -> None:
    ctx = CompactingChatCompletionContext(keep_calls=2)
    for m in _conversation(4):
        await ctx.add_message(m)
    saved = json.loads(json.dumps(await ctx.save_state()))
    other = CompactingChatCompletionContext(keep_calls=2)
    await other.load_state(saved)
    assert await other.get_messages() == await ctx.get_messages()
    assert saved["messages"][2]["content"][0]["content"] == FILE_TEXT  # kept for a resume
    restored = CompactingChatCompletionContext.load_component(ctx.dump_component())
    assert isinstance(restored, CompactingChatCompletionContext) and restored.keep_calls == 2


def open_file(path: str) -> str:
    """Show a file."""
    return FILE_TEXT


def _script(reads: int) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [
        {"tool_calls": [{"name": "open_file", "arguments": {"path": f"f{n}.py"}}]}
        for n in range(reads)]
    return {"name": "ctx", "roles": {"developer": [*entries, {"content": "done"},
                                                   *entries, {"content": "done again"}]}}


def _agent(client: ScriptedChatCompletionClient) -> AssistantAgent:
    return AssistantAgent("developer", client, tools=[open_file], system_message="sys",
                          model_context=CompactingChatCompletionContext(keep_calls=2),
                          max_tool_iterations=10)


async def test_the_model_gets_old_file_contents_as_one_line_and_a_resume_sends_the_same(
) -> None:
    client = ScriptedChatCompletionClient.from_data(_script(4), "developer")
    agent = _agent(client)
    await agent.run(task="Implement this approved specification.")
    last = client.requests[-1]  # the call after four reads
    assert isinstance(last[0], SystemMessage) and last[0].content == "sys"
    assert _results(last) == ["[open_file f0.py: 44 lines, shown earlier]",
                              "[open_file f1.py: 44 lines, shown earlier]",
                              FILE_TEXT, FILE_TEXT]

    saved = json.loads(json.dumps(await agent.save_state()))
    resumed_client = ScriptedChatCompletionClient.from_data(_script(4), "developer", 5)
    resumed = _agent(resumed_client)
    await resumed.load_state(saved)
    await resumed.run(task="Revise your change.")
    await agent.run(task="Revise your change.")
    assert resumed_client.requests == client.requests[5:]
