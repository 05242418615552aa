"""One agent turn through AutoGen's run_stream, translated into run events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import aclosing
from typing import Any

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import TaskResult
from autogen_agentchat.messages import (
    BaseChatMessage,
    ModelClientStreamingChunkEvent,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    ToolCallSummaryMessage,
)
from autogen_core import CancellationToken

from agents.injection import Finding
from agents.injection_sources import prompt_note, screen_prompt, screen_tool_output, unfence
from agents.output import stored_arguments
from workbench.engine.bus import EventBus
from workbench.engine.team import TOOL_ITERATIONS

TOOL_CAP_NOTE = "(the turn ended at the tool-call cap before a summary was written)"


def _arguments(bus: EventBus, raw: str) -> dict[str, Any]:
    """The arguments as the event stores them (long values cut); a cut call keeps its whole
    text as an artifact, so a replay issues the very call the model made."""
    args = stored_arguments(raw)
    if "_truncated" in args:
        args["_artifact"] = bus.store.add_artifact(bus.run_id, "tool_arguments", raw)
    return args


def record_findings(bus: EventBus, role: str, findings: Sequence[Finding],
                    seen: set[str] | None = None, tool: str | None = None,
                    call_id: str | None = None) -> None:
    """One ``injection_suspected`` event per finding (not already in ``seen``)."""
    for f in findings:
        if seen is None or f.key not in seen:
            bus.emit("injection_suspected", role, source=f.source, rule=f.label,
                     excerpt=f.excerpt, tool=tool, call_id=call_id)


def screen_turn_task(bus: EventBus, role: str, task: str, seen: set[str]) -> str:
    """Screen the fenced sections of a turn's message (the task, test output, diffs...),
    record what was not recorded before, and return the message with a note on them."""
    findings = screen_prompt(task)
    record_findings(bus, role, findings, seen)
    return task + prompt_note(findings)


async def run_turn(
    agent: AssistantAgent,
    role: str,
    task: str,
    bus: EventBus,
    check_budgets: Callable[[], None],
    turn: int,
    cancel: CancellationToken | None = None,
    after_tools: Callable[[], None] | None = None,
) -> str:
    """Run one turn of ``agent`` on ``task`` and return its final text (the caller records
    it, with the agent's state, as the turn's ``agent_message``). ``after_tools`` runs
    once the results of each tool round are recorded (the live diff)."""
    final = ""
    stream = agent.run_stream(task=task, cancellation_token=cancel or CancellationToken())
    async with aclosing(stream) as items:
        async for item in items:
            if isinstance(item, ModelClientStreamingChunkEvent):
                bus.emit("model_chunk", role, text=item.content)
            elif isinstance(item, ThoughtEvent):
                bus.emit("agent_message", role, content=item.content, turn=turn, thought=True)
            elif isinstance(item, ToolCallRequestEvent):
                for call in item.content:
                    bus.emit(
                        "tool_call",
                        role,
                        name=call.name,
                        arguments=_arguments(bus, call.arguments),
                        call_id=call.id,
                    )
            elif isinstance(item, ToolCallExecutionEvent):
                for result in item.content:
                    content = unfence(str(result.content))  # the model got it fenced
                    bus.emit(
                        "tool_result",
                        role,
                        name=result.name,
                        call_id=result.call_id,
                        content=content,
                        is_error=bool(result.is_error),
                    )
                    found = screen_tool_output(result.name, content, result.call_id)
                    record_findings(bus, role, found, tool=result.name, call_id=result.call_id)
                if after_tools is not None:
                    after_tools()
            elif isinstance(item, TaskResult):
                for message in reversed(item.messages):
                    if isinstance(message, ToolCallSummaryMessage):
                        # the turn hit the tool-call cap: a tool output is no summary
                        final = TOOL_CAP_NOTE
                        bus.emit("error", role, message=f"{role} used its {TOOL_ITERATIONS} "
                                 "tool rounds in one turn without finishing", tool="tool_cap")
                        break
                    if isinstance(message, BaseChatMessage) and message.source == agent.name:
                        final = message.to_text()
                        break
            check_budgets()
    return final
