"""``replay:RUN_ID``: re-drive a past run with the model outputs its events recorded.

A role's model call is a ``model_call`` event (emitted when the result arrived), followed by
that response's ``tool_call`` events when it asked for tools, or else by the role's final
``agent_message`` (``thought=False``) text; a thought (``agent_message`` with
``thought=True``) may come first. Each successful call (``error`` is None) becomes one
:class:`CreateResult`, per role, in order; a failed attempt, or a call whose output was never
recorded (the engine was killed mid-turn), is left out, as the resumed run redid it.

The tools run for real against the new run's worktree; only the model is replayed, at no cost.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelFamily,
    ModelInfo,
    RequestUsage,
)
from autogen_core.tools import Tool, ToolSchema
from autogen_ext.models.replay import ReplayChatCompletionClient
from pydantic import BaseModel

from agents.events import AgentMessage, EventBase, ModelCall, ToolCall

from .errors import ModelSpecError, ScriptExhausted
from .providers import LocalTokenCount
from .registry import ModelSpec

REPLAY_MODEL_INFO: ModelInfo = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "structured_output": True,
    "family": ModelFamily.UNKNOWN,
}
_CHUNK_CHARS = 24


class ReplayExhausted(ScriptExhausted):
    """The replayed run has no recorded output left for a role (the new run went further)."""

    def __init__(self, run_id: str, role: str, number: int) -> None:
        super().__init__(role, number)
        self.args = (f"replay of run {run_id} has no recorded model output #{number} "
                     f"left for role {role}",)


@dataclass
class _Call:
    usage: RequestUsage
    calls: list[FunctionCall] = field(default_factory=list)
    text: str | None = None
    thought: str | None = None

    def result(self) -> CreateResult | None:
        if self.calls:
            return CreateResult(finish_reason="function_calls", content=self.calls,
                                usage=self.usage, cached=False, thought=self.thought)
        if self.text is None:
            return None
        return CreateResult(finish_reason="stop", content=self.text, usage=self.usage,
                            cached=False, thought=self.thought)


def _arguments(arguments: dict[str, Any], load: Callable[[int], str] | None) -> str:
    """Undo the engine's parsing of a call's arguments (raw text it could not parse, or the
    whole text of a call whose long values the event cut)."""
    artifact = arguments.get("_artifact")
    if isinstance(artifact, int) and load is not None:
        return load(artifact)
    if set(arguments) == {"_raw"}:
        return str(arguments["_raw"])
    if set(arguments) == {"_value"}:
        return json.dumps(arguments["_value"])
    return json.dumps(arguments)


def outputs_from_events(events: Iterable[EventBase], load: Callable[[int], str] | None = None
                        ) -> dict[str, list[CreateResult]]:
    """Every role's model outputs, in call order, from a run's events (``load`` reads an
    artifact's text: the whole arguments of a call the events cut)."""
    out: dict[str, list[CreateResult]] = {}
    open_calls: dict[str, _Call | None] = {}

    def close(role: str) -> None:
        call = open_calls.pop(role, None)
        result = call.result() if call is not None else None
        if result is not None:
            out.setdefault(role, []).append(result)

    for event in events:
        role = event.role
        if isinstance(event, ModelCall):
            close(role)
            open_calls[role] = None if event.error else _Call(
                RequestUsage(prompt_tokens=event.prompt_tokens,
                             completion_tokens=event.completion_tokens))
            continue
        call = open_calls.get(role)
        if call is None:
            continue
        if isinstance(event, ToolCall):
            call.calls.append(FunctionCall(id=event.call_id or f"call_{len(call.calls)}",
                                           name=event.name,
                                           arguments=_arguments(event.arguments, load)))
        elif isinstance(event, AgentMessage) and event.thought and not call.calls:
            call.thought = event.content
        elif isinstance(event, AgentMessage) and not event.thought:
            if not call.calls and call.text is None:
                call.text = event.content
            close(role)  # the turn is over: later events belong to the next call
    for role in list(open_calls):
        close(role)
    return out


def _store_path(spec: ModelSpec) -> Path:
    from workbench.paths import db_path

    return Path(spec.db).expanduser() if spec.db else db_path()


def load_outputs(spec: ModelSpec) -> tuple[str, dict[str, list[CreateResult]]]:
    """The run's full id and its recorded outputs; one-line errors for what is missing."""
    from workbench.store import RunStore, StoreError, UnknownRunError

    path = _store_path(spec)
    if not path.is_file():
        raise ModelSpecError(f"no run store at {path} for {spec.text} "
                             "(set WORKBENCH_DB to the store that recorded the run)")
    try:
        store = RunStore(path)
    except StoreError as exc:
        raise ModelSpecError(f"cannot read the run store for {spec.text}: {exc}") from None
    try:
        run_id = store.find_run(spec.name).run_id
        outputs = outputs_from_events(store.iter_events(run_id),
                                      lambda aid: store.artifact(aid).content)
    except UnknownRunError:  # no such run, or a prefix of several
        raise ModelSpecError(f"unknown run {spec.name!r} in {path} (for {spec.text})") from None
    finally:
        store.close()
    if not outputs:
        raise ModelSpecError(f"run {run_id} has no recorded model outputs to replay")
    return run_id, outputs


class ReplayClient(LocalTokenCount, ReplayChatCompletionClient):
    """Returns a role's recorded results in order, starting at ``start_index``, each with its
    recorded usage; text is streamed in chunks like a live model."""

    def __init__(self, run_id: str, role: str, results: Sequence[CreateResult],
                 start_index: int = 0) -> None:
        super().__init__(list(results), model_info=dict(REPLAY_MODEL_INFO))  # type: ignore[arg-type]
        self._current_index = start_index
        self.run_id = run_id
        self.role = role

    @property
    def remaining(self) -> int:
        return max(0, len(self.chat_completions) - self._current_index)

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        # Not the parent's create: it re-counts usage by words and logs a warning for
        # every message that is not plain text.
        if self._current_index >= len(self.chat_completions):
            raise ReplayExhausted(self.run_id, self.role, self._current_index + 1)
        result = self.chat_completions[self._current_index]
        if isinstance(result, str):
            result = CreateResult(finish_reason="stop", content=result, cached=False,
                                  usage=RequestUsage(prompt_tokens=0, completion_tokens=0))
        self._current_index += 1
        self._cur_usage = result.usage
        self._update_total_usage()
        return result

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        result = await self.create(messages, tools=tools, json_output=json_output,
                                   extra_create_args=extra_create_args,
                                   cancellation_token=cancellation_token)
        if isinstance(result.content, str):
            text = result.content
            for start in range(0, len(text), _CHUNK_CHARS):
                yield text[start:start + _CHUNK_CHARS]
        yield result


def replay_client(spec: ModelSpec, role: str, start_index: int = 0) -> ChatCompletionClient:
    run_id, outputs = load_outputs(spec)
    return ReplayClient(run_id, role, outputs.get(role, []), start_index)
