"""Keeping a small model's tool use on track.

* :class:`ToolCallGuard` answers an identical tool call repeated while nothing changed with
  the earlier result instead of running it again, and after a few such repeats tells the
  model to stop and finish.
* :func:`text_tool_call` spots a tool call the model wrote into its final reply as text (JSON,
  ``<tool_call>`` tags, ``name(...)``), which is never run, and says how to call tools.
* :func:`tools_listing` is the one-line-per-tool listing both of them show.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from autogen_core import CancellationToken
from autogen_core.tools import FunctionTool, Tool, ToolSchema
from pydantic import ValidationError

WRITE_TOOLS = frozenset({"replace_in_file", "write_file", "propose_patch"})
MAX_REPEATS = 3
EXCERPT_CHARS = 300
_NAME_KEYS = frozenset({"name", "tool", "tool_name", "function", "function_name"})
_ARG_KEYS = frozenset({"arguments", "parameters", "args", "input", "tool_input"})
_CALL_KEYS = _NAME_KEYS | _ARG_KEYS | {"id", "type", "call_id"}
_TAG_RE = re.compile(r"<tool_call>(.*?)(?:</tool_call>|$)|<function=([\w.-]+)>|\[TOOL_CALLS\]",
                     re.S)
_FENCE_RE = re.compile(r"```[\w-]*[ \t]*\n(.*?)```", re.S)
_PY_CALL_RE = re.compile(r"^\s*(?:functions\.)?([A-Za-z_]\w*)\((.*)\)\s*;?\s*$", re.S)
# A call object that is not valid JSON (Python triple quotes in a value are common):
# {"name": "write_file", "arguments": {...  at the start of the reply or of a fence.
_LOOSE_CALL_RE = re.compile(
    r'(?:^|```[\w-]*\s*\n)\s*\{\s*"(?:name|tool|function)"\s*:\s*"([A-Za-z_][\w.]*)"\s*,\s*'
    r'"(?:arguments|parameters|args|input)"\s*:', re.S)


def _schema(tool: Tool | ToolSchema) -> ToolSchema:
    return tool.schema if isinstance(tool, Tool) else tool


def _params(tool: Tool | ToolSchema) -> Mapping[str, Any]:
    return dict(_schema(tool).get("parameters") or {})


def _type_text(prop: Mapping[str, Any]) -> str:
    if "anyOf" in prop:
        return " | ".join(_type_text(p) for p in prop["anyOf"])
    kind = str(prop.get("type", "any"))
    if kind == "array":
        return f"list[{_type_text(prop.get('items', {}))}]"
    return kind


def tool_signature(tool: Tool | ToolSchema) -> str:
    """``name(arg: type, arg: type = default)`` from a tool's JSON schema."""
    schema = _schema(tool)
    params = _params(tool)
    required = set(params.get("required", []))
    args = []
    for name, prop in (params.get("properties") or {}).items():
        text = f"{name}: {_type_text(prop)}"
        if name not in required and "default" in prop:
            text += f" = {json.dumps(prop['default'])}"
        args.append(text)
    return f"{schema['name']}({', '.join(args)})"


def tools_listing(tools: Sequence[Tool | ToolSchema]) -> str:
    """One line per tool: its signature and the first sentence of its description."""
    lines = []
    for tool in tools:
        description = " ".join(str(_schema(tool).get("description", "")).split())
        first = description.split(". ")[0].rstrip(".")[:120]
        lines.append(f"- {tool_signature(tool)}" + (f": {first}" if first else ""))
    return "\n".join(lines)


def unknown_tool_message(name: str, tools: Sequence[Tool | ToolSchema]) -> str:
    """What a model is told when it calls a tool that does not exist."""
    names = [_schema(t)["name"] for t in tools]
    close = difflib.get_close_matches(name.split(".")[-1], names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (f"Error: there is no tool named {name!r}{hint}. The tools you can call are:\n"
            + tools_listing(tools))


def _call_name(value: Any, names: Collection[str], skip: frozenset[str]) -> str | None:
    """The tool name when ``value`` is shaped like a tool call, else None."""
    if isinstance(value, list):
        return next((n for v in value if (n := _call_name(v, names, skip)) is not None), None)
    if not isinstance(value, dict) or not value or set(value) <= skip:
        return None
    if set(value) == {"tool_calls"}:
        return _call_name(value["tool_calls"], names, skip)
    if not set(value) <= _CALL_KEYS:
        return None
    if isinstance(value.get("function"), dict):  # {"type": "function", "function": {...}}
        return _call_name(value["function"], names, skip)
    name: str | None = next((str(value[k]) for k in _NAME_KEYS if isinstance(value.get(k), str)),
                            None)
    if name is None or not re.fullmatch(r"[\w.-]{1,64}", name):
        return None
    if any(k in value for k in _ARG_KEYS) or name in names:
        return name
    return None


def _json_values(text: str) -> list[Any]:
    """JSON values in ``text``: the whole text, each fenced block, and each object or list
    that starts a line (a model that writes a call often puts prose before it)."""
    chunks = [text, *_FENCE_RE.findall(text)]
    decoder = json.JSONDecoder()
    values: list[Any] = []
    for chunk in chunks:
        try:
            values.append(json.loads(chunk))
            continue
        except (ValueError, RecursionError):  # 100,000 nested brackets
            pass
        for m in list(re.finditer(r"^[ \t]*([{\[])", chunk, re.M))[:50]:
            try:
                values.append(decoder.raw_decode(chunk, m.start(1))[0])
            except (ValueError, RecursionError):
                continue
    return values


def find_text_call(text: str, names: Collection[str], skip: frozenset[str]) -> str | None:
    """The name of a tool call written in ``text`` ("" when it has none), or None."""
    tag = _TAG_RE.search(text)
    if tag is not None:
        inner = tag.group(1) or ""
        found = next((n for v in _json_values(inner.strip()) if (n := _call_name(v, names, skip))),
                     None)
        return found or tag.group(2) or ""
    for value in _json_values(text):
        found = _call_name(value, names, skip)
        if found is not None:
            return found
    for chunk in [text, *_FENCE_RE.findall(text)]:
        m = _PY_CALL_RE.match(chunk)
        if m and m.group(1) in names and "\n\n" not in m.group(2):
            return m.group(1)
    if {"name", "tool", "function"} & skip:
        return None
    loose = _LOOSE_CALL_RE.search(text)
    return loose.group(1) if loose and not _json_values(text[loose.start():]) else None


def text_tool_call(
    text: str, tools: Sequence[Tool | ToolSchema], contract_keys: Collection[str] = ()
) -> str | None:
    """The message to send back when ``text`` (a model's final reply) holds a tool call
    written as text instead of made through the tool-calling interface; None otherwise.

    Only objects whose keys are all call keys (name/tool/function with arguments/parameters)
    count, so contracts and prose that mention a tool are left alone; ``contract_keys`` (the
    top-level keys of the contract the reply should hold) are never read as a call."""
    names = [_schema(t)["name"] for t in tools]
    found = find_text_call(text, names, frozenset(contract_keys))
    if found is None:
        return None
    what = f"a call to {found!r}" if found else "a tool call"
    missing = f" There is no tool named {found!r}." if found and found not in names else ""
    return (f"Your reply contains {what} written as text, so it was not run.{missing} Call "
            f"tools through the tool-calling interface (a function call), never in your "
            f"message. The tools you can call are:\n{tools_listing(tools)}\n"
            f"When you are done, reply with your final answer only.")


def _excerpt(result: str) -> str:
    flat = " ".join(result.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[:EXCERPT_CHARS] + f" … [{len(flat) - EXCERPT_CHARS} more characters]"


class ToolCallGuard:
    """Remembers this turn's tool results until the worktree changes.

    A turn is recognised by its cancellation token (every turn runs with a fresh one), so
    nothing outside has to announce turns; :meth:`new_turn` does it explicitly.
    """

    def __init__(self, writes: Collection[str] = WRITE_TOOLS, max_repeats: int = MAX_REPEATS,
                 on_write: Callable[[], None] | None = None) -> None:
        self.writes = frozenset(writes)
        self.max_repeats = max_repeats
        self.on_write = on_write
        self._results: dict[str, str] = {}
        self._repeats = 0
        self._token: CancellationToken | None = None
        self.generation = 0
        """Counts worktree changes: a result read across a change is not remembered."""
        self.write_lock = asyncio.Lock()
        """One edit at a time: AutoGen runs the calls of one model reply concurrently."""

    def new_turn(self) -> None:
        self._results.clear()
        self._repeats = 0

    def changed(self) -> None:
        """The worktree changed: every remembered result may be stale."""
        self._results.clear()
        self.generation += 1

    def enter(self, token: CancellationToken) -> None:
        """Note the turn a call belongs to."""
        if token is not self._token:  # the reference also keeps the id from being reused
            self._token = token
            self.new_turn()

    def repeated(self, name: str, key: str) -> str | None:
        """The answer to a repeated call, or None when the call should run."""
        if key not in self._results:
            return None
        self._repeats += 1
        earlier = _excerpt(self._results[key])
        if self._repeats >= self.max_repeats:
            return (f"You have repeated identical tool calls {self._repeats} times in this turn "
                    f"and nothing changed. Stop calling tools now and give your final answer. "
                    f"(The result of {name} was: {earlier})")
        return (f"You already called {name} with these arguments; nothing changed since. The "
                f"result was: {earlier}. Use it, or do something else.")

    def done(self, name: str, key: str, result: str, ok: bool, generation: int) -> None:
        """Record how a call ended; ``generation`` is :attr:`generation` when it began."""
        if ok and name in self.writes:
            self.changed()
            if self.on_write is not None:
                self.on_write()
        elif generation == self.generation:
            self._results[key] = result

    def tool(self, func: Callable[..., Any], name: str | None = None,
             description: str | None = None) -> FunctionTool:
        """``func`` as a FunctionTool whose calls go through this guard."""
        text = description if description is not None else func.__doc__ or ""
        return GuardedTool(self, func, " ".join(text.split()), name)


class GuardedTool(FunctionTool):
    """A FunctionTool that asks its guard before running, and explains bad arguments."""

    def __init__(self, guard: ToolCallGuard, func: Callable[..., Any], description: str,
                 name: str | None = None) -> None:
        super().__init__(func, description=description, name=name)
        self.guard = guard

    async def run_json(self, args: Mapping[str, Any], cancellation_token: CancellationToken,
                       call_id: str | None = None) -> Any:
        guard = self.guard
        guard.enter(cancellation_token)
        try:
            checked = self.args_type().model_validate(args)
        except ValidationError as exc:
            raise ValueError(bad_arguments(self, args, exc)) from None
        key = json.dumps([self.name, checked.model_dump(mode="json")], sort_keys=True,
                         default=str)
        answer = guard.repeated(self.name, key)
        if answer is not None:
            return answer
        generation = guard.generation
        serial = guard.write_lock if self.name in guard.writes else contextlib.nullcontext()
        async with serial:
            try:
                result = await super().run_json(args, cancellation_token, call_id)
            except Exception as exc:
                guard.done(self.name, key, f"error: {exc}", ok=False, generation=generation)
                raise
        guard.done(self.name, key, self.return_value_as_string(result), ok=True,
                   generation=generation)
        return result


def bad_arguments(tool: Tool, args: Mapping[str, Any], exc: ValidationError) -> str:
    """One line per wrong argument, then the tool's signature."""
    known = set(_params(tool).get("properties") or {})
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        problems.append(f"{where}: {err['msg']}")
    unknown = sorted(set(args) - known)
    if unknown:
        problems.append(f"unknown argument(s): {', '.join(unknown)}")
    return (f"wrong arguments for {tool.name}: {'; '.join(problems)}. "
            f"Call it as {tool_signature(tool)}")
