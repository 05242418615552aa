"""MCP servers' tools as AutoGen tools on an agent, each call passing the policy first.

The tools come from autogen-ext's MCP adapters (one server session per call, so nothing is left
running between turns or across a resume). A call to a tool the server's ``allow`` list does
not name, or to a ``risky`` one, does not reach the server: it gets a ``policy`` event and goes
to the engine's ``hold`` (the command gate: a human runs it once with :func:`call_held`, allows
the tool, sends the role back or stops the run); the calls that run are recorded like any tool
call by the engine's turn loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autogen_core import CancellationToken
from autogen_core.tools import BaseTool, ToolSchema
from autogen_ext.tools.mcp import (
    McpServerParams,
    StdioServerParams,
    StreamableHttpServerParams,
    mcp_server_tools,
)
from pydantic import BaseModel, ValidationError

from agents.redact import mask_secrets
from workbench.mcp_settings import McpServer

Record = Callable[[str, str, str], None]
"""``record(kind, message, tool)``: the engine's event for a refusal (``policy``) or a server
that could not be reached (``error``)."""
Hold = Callable[[McpServer, str, str, str], "str | None"]
"""``hold(server, tool, args_json, reason)``: the text the model gets for a held call, or None
when a human already allowed the tool for this repository (the call then runs)."""


class McpCallFailed(RuntimeError):
    """A held call the human approved could not be made (server gone, tool gone, bad args)."""


class McpCallResult(BaseModel):
    text: str


def server_params(server: McpServer) -> McpServerParams:
    if server.command is not None:
        return StdioServerParams(command=server.command, args=list(server.args),
                                 read_timeout_seconds=server.timeout_s)
    assert server.url is not None  # the settings hold one of the two
    return StreamableHttpServerParams(url=server.url, timeout=server.timeout_s,
                                      sse_read_timeout=server.timeout_s)


def refusal(server: McpServer, tool: str) -> str | None:
    """Why a call of ``tool`` is refused, or None when it may run."""
    if tool in server.risky:
        return (f"BLOCKED_BY_POLICY: MCP tool {tool} of server {server.name} is marked risky: "
                "a human must approve it; it was not run")
    if tool not in server.allow:
        return (f"BLOCKED_BY_POLICY: MCP tool {tool} of server {server.name} is not in the "
                "server's allow list; it was not run")
    return None


def _text(content: Any) -> str:
    """The call's result as text: text parts as they are, anything else as JSON."""
    parts = content if isinstance(content, list) else [content]
    out: list[str] = []
    for part in parts:
        text = getattr(part, "text", None)
        if isinstance(text, str):
            out.append(text)
        elif isinstance(part, BaseModel):
            out.append(json.dumps(part.model_dump(mode="json"), default=str))
        else:
            out.append(str(part))
    return "\n".join(out)


class GuardedMcpTool(BaseTool[BaseModel, McpCallResult]):
    """One server tool behind the policy; its schema is the server's own."""

    def __init__(self, inner: BaseTool[Any, Any], server: McpServer, record: Record,
                 hold: Hold | None = None) -> None:
        note = refusal(server, inner.name)
        description = inner.description
        if note is not None:  # shown, so the model knows a human decides each call
            description = f"[{note.split(': ', 1)[1].split(';')[0]}] {description}"
        super().__init__(inner.args_type(), McpCallResult, inner.name, description)
        self._inner, self._server, self._record, self._hold = inner, server, record, hold

    @property
    def schema(self) -> ToolSchema:
        schema: ToolSchema = {**self._inner.schema, "description": self.description}
        return schema

    async def run_json(self, args: Mapping[str, Any], cancellation_token: CancellationToken,
                       call_id: str | None = None) -> McpCallResult:
        note = refusal(self._server, self.name)
        if note is not None:
            reason = note.removeprefix("BLOCKED_BY_POLICY: ")
            answer: str | None = note
            if self._hold is not None:
                answer = self._hold(self._server, self.name, args_json(args), reason)
            if answer is not None:
                self._record("policy", reason, self.name)
                return McpCallResult(text=answer)
        result = await super().run_json(args, cancellation_token, call_id)
        assert isinstance(result, McpCallResult)
        return result

    async def run(self, args: BaseModel, cancellation_token: CancellationToken) -> McpCallResult:
        content = await self._inner.run(args, cancellation_token)
        return McpCallResult(text=mask_secrets(_text(content)))

    def return_value_as_string(self, value: Any) -> str:
        return value.text if isinstance(value, McpCallResult) else mask_secrets(str(value))


def args_json(args: Mapping[str, Any]) -> str:
    return json.dumps(dict(args), sort_keys=True, default=str)


async def call_held(servers: Sequence[Mapping[str, Any] | McpServer], server_name: str,
                    tool: str, args: str) -> str:
    """Make a held call the human approved, past the policy (its result masked)."""
    server = find_server(servers, server_name)
    if server is None:
        raise McpCallFailed(f"MCP server {server_name} is no longer in the run's config")
    try:
        async with asyncio.timeout(server.timeout_s):
            adapters = await mcp_server_tools(server_params(server))
            inner = next((t for t in adapters if t.name == tool), None)
            if inner is None:
                raise McpCallFailed(f"MCP server {server_name} no longer offers {tool}")
            content = await inner.run_json(json.loads(args), CancellationToken())
    except McpCallFailed:
        raise
    except (Exception, ExceptionGroup) as exc:
        raise McpCallFailed(f"MCP call {tool} of {server_name} failed: {_first_line(exc)}"
                            ) from None
    return mask_secrets(_text(content))


def find_server(servers: Sequence[Mapping[str, Any] | McpServer], name: str
                ) -> McpServer | None:
    """The configured server called ``name`` (entries that do not validate are skipped)."""
    for entry in servers:
        try:
            server = entry if isinstance(entry, McpServer) else McpServer.model_validate(entry)
        except ValidationError:
            continue
        if server.name == name:
            return server
    return None


async def server_tools(server: McpServer, record: Record,
                       hold: Hold | None = None) -> list[BaseTool[Any, Any]]:
    """The server's tools, guarded; a server that cannot be reached gives none and an
    ``error`` event with the one-line reason."""
    try:
        async with asyncio.timeout(server.timeout_s):
            adapters = await mcp_server_tools(server_params(server))
    except (Exception, ExceptionGroup) as exc:  # a dead server must not stop the run
        reason = _first_line(exc)
        record("error", f"MCP server {server.name} unavailable: {reason}", server.name)
        return []
    return [GuardedMcpTool(tool, server, record, hold) for tool in adapters]


def _first_line(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()
    return mask_secrets(text[0] if text else type(exc).__name__)


async def mcp_role_tools(servers: Sequence[Mapping[str, Any] | McpServer], role: str,
                         record: Record, taken: Sequence[str] = (),
                         hold: Hold | None = None) -> list[BaseTool[Any, Any]]:
    """The guarded tools of every server offered to ``role`` (``servers``: the run's stored
    ``mcp`` section). A tool whose name is already taken (``taken``, or an earlier server's)
    is left out with a policy event: a call must reach exactly one tool."""
    names = set(taken)
    out: list[BaseTool[Any, Any]] = []
    for entry in servers:
        try:
            server = entry if isinstance(entry, McpServer) else McpServer.model_validate(entry)
        except ValidationError as exc:
            record("error", f"MCP server config refused: {_first_line(exc)}", "mcp")
            continue
        if role not in server.roles:
            continue
        for tool in await server_tools(server, record, hold):
            if tool.name in names:
                record("policy", f"MCP tool {tool.name} of server {server.name} left out: "
                       "another tool has that name", tool.name)
                continue
            names.add(tool.name)
            out.append(tool)
    return out
