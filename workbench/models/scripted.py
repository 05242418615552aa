"""A deterministic scripted model client for tests and the demo.

It drives the real AutoGen paths (streaming, tool calls, structured output) with responses read
from a script file, one list per agent role. The UI always labels it as scripted.

Script file format (``.yaml``/``.yml`` parsed as YAML, ``.json`` as JSON)::

    name: demo                 # model name shown as "scripted:demo" (default: the file stem)
    chunk_delay_ms: 0          # optional pause between streamed chunks, for a watchable demo
    roles:                     # requirements | developer | reviewer | tester | selector
      requirements:
        - content: {feature_id: FEAT-1, summary: ...}   # dict/list content is JSON-dumped
      developer:
        - tool_calls:                                   # one model turn asking for tools
            - {name: list_files, arguments: {path: "."}}
            - {name: open_file, arguments: {path: "app/x.py"}, id: call_x}  # id optional
          thought: "Look around first."                 # optional, on any entry
        - content: "Implemented ..."                    # strings are used as-is
          chunk_delay_ms: 200                           # optional: this reply streams slower

Every ``create``/``create_stream`` call of a client built for role R returns the next entry of
``roles[R]``, starting at ``start_index`` so a resumed run continues where the recorded run
stopped. A ``tool_calls`` entry gives FunctionCalls (finish_reason "function_calls"), a
``content`` entry gives text (finish_reason "stop"). Past the end, :class:`ScriptExhausted`.

Usage is a deterministic estimate: prompt_tokens = characters of all messages // 4 and
completion_tokens = characters of the output // 4, each at least 1.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from autogen_core import CancellationToken, FunctionCall, Image
from autogen_core.models import (
    AssistantMessage,
    ChatCompletionClient,
    CreateResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    ModelCapabilities,
    ModelFamily,
    ModelInfo,
    RequestUsage,
    SystemMessage,
    UserMessage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agents.contracts import AGENT_ROLES

from .errors import ScriptError, ScriptExhausted

SCRIPT_ROLES: tuple[str, ...] = (*(str(r) for r in AGENT_ROLES), "selector")
CONTEXT_WINDOW = 128_000
_CHUNK_CHARS = 24
_MAX_CHUNKS = 6

SCRIPTED_MODEL_INFO: ModelInfo = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "structured_output": True,
    "family": ModelFamily.UNKNOWN,
}


class ScriptedToolCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None


class ScriptEntry(BaseModel):
    """One model response: either text content or a batch of tool calls."""

    model_config = ConfigDict(extra="forbid")

    content: Any = None
    tool_calls: list[ScriptedToolCall] | None = None
    thought: str | None = None
    chunk_delay_ms: int | None = Field(default=None, ge=0, le=10_000)
    """This reply's pause between streamed chunks (else the script's)."""

    @model_validator(mode="after")
    def _one_kind(self) -> ScriptEntry:
        if (self.content is None) == (self.tool_calls is None):
            raise ValueError("an entry needs exactly one of 'content' or 'tool_calls'")
        if self.content is not None and not isinstance(self.content, str | dict | list):
            raise ValueError("'content' must be a string, a mapping or a list")
        if self.tool_calls is not None and not self.tool_calls:
            raise ValueError("'tool_calls' must not be empty")
        return self

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return json.dumps(self.content, indent=2, ensure_ascii=False)


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="script", min_length=1)
    chunk_delay_ms: int = Field(default=0, ge=0, le=10_000)
    roles: dict[str, list[ScriptEntry]]

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, roles: dict[str, list[ScriptEntry]]) -> dict[str, list[ScriptEntry]]:
        for role in roles:
            if role not in SCRIPT_ROLES:
                raise ValueError(
                    f"unknown role {role!r} (expected one of: {', '.join(SCRIPT_ROLES)})"
                )
        return roles


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    msg = str(err["msg"]).removeprefix("Value error, ")
    where = _where(tuple(err["loc"]))
    return f"{where}: {msg}" if where else msg


def parse_script(data: object, source: str = "<data>", default_name: str = "script") -> Script:
    """Validate already-parsed script data; errors name the offending entry in one line."""
    if not isinstance(data, dict):
        raise ScriptError(
            f"scripted file {source}: expected a mapping with 'roles' at the top level"
        )
    payload = dict(data)
    payload.setdefault("name", default_name)
    try:
        return Script.model_validate(payload)
    except ValidationError as exc:
        raise ScriptError(f"scripted file {source}: {_first_error(exc)}") from None


def load_script(path: str | Path) -> Script:
    """Read and validate a script file (YAML or JSON by extension)."""
    p = Path(path)
    if not p.is_file():
        raise ScriptError(f"scripted file not found: {p}")
    suffix = p.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise ScriptError(
            f"scripted file {p}: unsupported extension {suffix!r} (use .yaml or .json)"
        )
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"scripted file {p}: cannot read: {exc}") from None
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(
            f"scripted file {p}: invalid JSON at line {exc.lineno}: {exc.msg}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "parse error"
        raise ScriptError(f"scripted file {p}: invalid YAML{line}: {problem}") from None
    return parse_script(data, source=str(p), default_name=p.stem)


def _message_chars(message: LLMMessage) -> int:
    if isinstance(message, SystemMessage):
        return len(message.content)
    if isinstance(message, UserMessage):
        if isinstance(message.content, str):
            return len(message.content)
        return sum(len(part) for part in message.content if not isinstance(part, Image))
    if isinstance(message, AssistantMessage):
        thought = len(message.thought or "")
        if isinstance(message.content, str):
            return thought + len(message.content)
        return thought + sum(len(c.name) + len(c.arguments) for c in message.content)
    if isinstance(message, FunctionExecutionResultMessage):
        return sum(len(r.content) for r in message.content)
    return 0


def _tokens(chars: int) -> int:
    return max(1, chars // 4)


def _chunks(text: str) -> list[str]:
    size = max(_CHUNK_CHARS, -(-len(text) // _MAX_CHUNKS))
    return [text[i : i + size] for i in range(0, len(text), size)]


class ScriptedChatCompletionClient(ChatCompletionClient):
    """Returns the next scripted response for its role on every call."""

    def __init__(self, script: Script, role: str, start_index: int = 0) -> None:
        if start_index < 0:
            raise ValueError("start_index must be >= 0")
        self._script = script
        self._role = role
        self._entries = script.roles.get(role, [])
        self._index = start_index
        self._total = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self._last = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self.requests: list[list[LLMMessage]] = []
        """The messages of every call, in order (handy for tests)."""

    @classmethod
    def from_file(
        cls, path: str | Path, role: str, start_index: int = 0
    ) -> ScriptedChatCompletionClient:
        return cls(load_script(path), role, start_index)

    @classmethod
    def from_data(
        cls, data: Mapping[str, Any], role: str, start_index: int = 0
    ) -> ScriptedChatCompletionClient:
        return cls(parse_script(dict(data)), role, start_index)

    @property
    def model_name(self) -> str:
        return f"scripted:{self._script.name}"

    @property
    def role(self) -> str:
        return self._role

    @property
    def next_index(self) -> int:
        """Index of the entry the next call returns (what a resumed run passes as start_index)."""
        return self._index

    @property
    def remaining(self) -> int:
        return max(0, len(self._entries) - self._index)

    def _next(
        self, messages: Sequence[LLMMessage], cancellation_token: CancellationToken | None
    ) -> tuple[ScriptEntry, CreateResult]:
        if cancellation_token is not None and cancellation_token.is_cancelled():
            raise asyncio.CancelledError()
        if self._index >= len(self._entries):
            raise ScriptExhausted(self._role, self._index + 1)
        index = self._index
        entry = self._entries[index]
        self._index += 1
        self.requests.append(list(messages))
        content: str | list[FunctionCall]
        finish: Literal["stop", "function_calls"]
        if entry.tool_calls is not None:
            content = [
                FunctionCall(
                    id=call.id or f"call_{self._role}_{index}_{n}",
                    name=call.name,
                    arguments=json.dumps(call.arguments, ensure_ascii=False),
                )
                for n, call in enumerate(entry.tool_calls)
            ]
            out_chars = sum(len(c.name) + len(c.arguments) for c in content)
            finish = "function_calls"
        else:
            content = entry.text
            out_chars = len(content)
            finish = "stop"
        usage = RequestUsage(
            prompt_tokens=_tokens(sum(_message_chars(m) for m in messages)),
            completion_tokens=_tokens(out_chars),
        )
        self._last = usage
        self._total = RequestUsage(
            prompt_tokens=self._total.prompt_tokens + usage.prompt_tokens,
            completion_tokens=self._total.completion_tokens + usage.completion_tokens,
        )
        result = CreateResult(
            finish_reason=finish, content=content, usage=usage, cached=False, thought=entry.thought
        )
        return entry, result

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
        return self._next(messages, cancellation_token)[1]

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
        entry, result = self._next(messages, cancellation_token)
        if isinstance(result.content, str):
            pause = entry.chunk_delay_ms
            delay = (self._script.chunk_delay_ms if pause is None else pause) / 1000
            for piece in _chunks(result.content):
                # Yield to the loop between chunks so a UI can paint them as they come.
                await asyncio.sleep(delay)
                yield piece
        yield result

    async def close(self) -> None:
        return None

    def actual_usage(self) -> RequestUsage:
        return self._last

    def total_usage(self) -> RequestUsage:
        return self._total

    def count_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        chars = sum(_message_chars(m) for m in messages)
        for tool in tools:
            schema = tool.schema if isinstance(tool, Tool) else tool
            chars += len(json.dumps(schema, default=str))
        return _tokens(chars)

    def remaining_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        return max(0, CONTEXT_WINDOW - self.count_tokens(messages, tools=tools))

    @property
    def capabilities(self) -> ModelCapabilities:
        return {
            "vision": False,
            "function_calling": True,
            "json_output": True,
        }

    @property
    def model_info(self) -> ModelInfo:
        return SCRIPTED_MODEL_INFO.copy()
