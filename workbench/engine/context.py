"""The model context of a role agent: the whole conversation is kept (and saved), but what is
sent to the model leaves out tool output the model has already seen often enough.

A tool result older than the last ``keep_calls`` model calls, repeated by a later identical
call, or showing a file a later edit changed (its text and line numbers are out of date), is
sent as one line (``[open_file agents/x.py: 44 lines, shown earlier]``); so are long
arguments of old tool calls (a proposed diff, a written file). A task message that a later,
self-contained task of the same role replaces (a new review request carries the whole
current diff) is sent as one line too. The agent can call a tool again when it needs the
text. System messages, the other task messages and the replies are sent whole.

The stored messages are never changed, so ``save_state`` and ``load_state`` round-trip the
full conversation and a resumed run sends exactly what the uninterrupted one would have.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Self

from autogen_core import Component, FunctionCall
from autogen_core.model_context import ChatCompletionContext
from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    UserMessage,
)
from pydantic import BaseModel

from agents.diff import DiffParseError, parse_unified_diff
from agents.prompts import is_full_task

KEEP_CALLS = 6
MIN_SUMMARISED = 200
"""Shorter tool output is cheaper to send than to summarise (and errors stay readable)."""
MIN_ARGUMENT = 300
_MAIN_ARGUMENTS = ("path", "query", "command", "pattern")
_READS = frozenset({"open_file"})


class CompactingContextConfig(BaseModel):
    keep_calls: int = KEEP_CALLS
    initial_messages: list[LLMMessage] | None = None


def _arguments(call: FunctionCall) -> dict[str, Any]:
    try:
        value = json.loads(call.arguments) if call.arguments else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _lines(text: str) -> str:
    n = text.count("\n") + 1
    return f"{n} line{'' if n == 1 else 's'}"


def summary_line(name: str, arguments: dict[str, Any], content: str, where: str) -> str:
    """``[open_file inventory/stock.py lines 10-20: 11 lines, shown earlier]``."""
    subject = next((str(arguments[k]) for k in _MAIN_ARGUMENTS if arguments.get(k)), "")
    start, end = arguments.get("start_line"), arguments.get("end_line")
    if name == "open_file" and (start or end):
        subject += f" lines {start or 1}-{end or 'end'}"
    label = f"{name} {subject[:80]}".strip()
    return f"[{label}: {_lines(content)}, shown {where}]"


def _later_calls(messages: Sequence[LLMMessage]) -> list[int]:
    """For each message, how many model calls (assistant messages) came after it."""
    counts, seen = [0] * len(messages), 0
    for i in range(len(messages) - 1, -1, -1):
        counts[i] = seen
        if isinstance(messages[i], AssistantMessage):
            seen += 1
    return counts


def _shorten_call(call: FunctionCall) -> FunctionCall:
    args = _arguments(call)
    if len(call.arguments) < MIN_ARGUMENT or not args:
        return call
    short = {k: f"[{_lines(v)}, shown earlier]" if isinstance(v, str) and len(v) > 120 else v
             for k, v in args.items()}
    return replace(call, arguments=json.dumps(short, ensure_ascii=False))


def _edited_paths(call: FunctionCall) -> set[str]:
    """The files a successful edit call changed."""
    args = _arguments(call)
    if call.name in ("replace_in_file", "write_file") and isinstance(args.get("path"), str):
        return {args["path"].removeprefix("./")}
    if call.name == "propose_patch" and isinstance(args.get("diff"), str):
        try:
            files = parse_unified_diff(args["diff"])
        except DiffParseError:
            return set()
        return {p for f in files for p in (f.old_path, f.new_path) if p}
    return set()


def _last_edits(messages: Sequence[LLMMessage], calls: dict[str, FunctionCall]
                ) -> dict[str, int]:
    """Per file, the index of the last message holding a successful edit of it."""
    edits: dict[str, int] = {}
    for i, m in enumerate(messages):
        if isinstance(m, FunctionExecutionResultMessage):
            for r in m.content:
                call = calls.get(r.call_id)
                if call is not None and not r.is_error and not r.content.startswith("error"):
                    edits.update((path, i) for path in _edited_paths(call))
    return edits


def _summarised(r: FunctionExecutionResult, call: FunctionCall | None, where: str
                ) -> FunctionExecutionResult:
    args = _arguments(call) if call else {}
    return r.model_copy(update={"content": summary_line(r.name, args, r.content, where)})


def compact(messages: Sequence[LLMMessage], keep_calls: int = KEEP_CALLS) -> list[LLMMessage]:
    """The messages to send: old, repeated or out-of-date tool output and replaced task
    messages as one line each (a new list; the given messages are left as they are)."""
    calls: dict[str, FunctionCall] = {}
    for m in messages:
        if isinstance(m, AssistantMessage) and isinstance(m.content, list):
            calls.update((c.id, c) for c in m.content)
    later = _later_calls(messages)
    edits = _last_edits(messages, calls)
    last_seen: dict[tuple[str, str], int] = {}  # a call's name and arguments: last result
    last_task = -1
    for i, m in enumerate(messages):
        if isinstance(m, FunctionExecutionResultMessage):
            for r in m.content:
                call = calls.get(r.call_id)
                last_seen[(r.name, call.arguments if call else r.call_id)] = i
        elif isinstance(m, UserMessage) and isinstance(m.content, str) and is_full_task(
                m.content):
            last_task = i
    out: list[LLMMessage] = []
    for i, m in enumerate(messages):
        old = later[i] >= keep_calls
        if isinstance(m, FunctionExecutionResultMessage):
            results: list[FunctionExecutionResult] = []
            for r in m.content:
                call = calls.get(r.call_id)
                key = (r.name, call.arguments if call else r.call_id)
                path = str(_arguments(call).get("path", "")) if call else ""
                if len(r.content) < MIN_SUMMARISED:
                    pass
                elif old:
                    r = _summarised(r, call, "earlier")
                elif last_seen.get(key, i) > i:
                    r = _summarised(r, call, "again later")
                elif r.name in _READS and edits.get(path.removeprefix("./"), -1) > i:
                    r = _summarised(r, call, "earlier; the file has changed since")
                results.append(r)
            m = m.model_copy(update={"content": results})
        elif old and isinstance(m, AssistantMessage) and isinstance(m.content, list):
            m = m.model_copy(update={"content": [_shorten_call(c) for c in m.content]})
        elif (isinstance(m, UserMessage) and isinstance(m.content, str) and i < last_task
              and is_full_task(m.content)):
            m = m.model_copy(update={
                "content": f"[an earlier request ({_lines(m.content)}), replaced by the "
                           "newer one below]"})
        out.append(m)
    return out


class CompactingChatCompletionContext(
    ChatCompletionContext, Component[CompactingContextConfig]
):
    """Keeps every message; sends recent turns whole and old tool output as one line."""

    component_config_schema = CompactingContextConfig
    component_provider_override = "workbench.engine.context.CompactingChatCompletionContext"

    def __init__(
        self, keep_calls: int = KEEP_CALLS, initial_messages: list[LLMMessage] | None = None
    ) -> None:
        super().__init__(initial_messages)
        if keep_calls < 1:
            raise ValueError("keep_calls must be at least 1")
        self._keep_calls = keep_calls

    @property
    def keep_calls(self) -> int:
        return self._keep_calls

    async def get_messages(self) -> list[LLMMessage]:
        return compact(self._messages, self._keep_calls)

    def _to_config(self) -> CompactingContextConfig:
        return CompactingContextConfig(
            keep_calls=self._keep_calls, initial_messages=self._initial_messages)

    @classmethod
    def _from_config(cls, config: CompactingContextConfig) -> Self:
        return cls(keep_calls=config.keep_calls, initial_messages=config.initial_messages)
