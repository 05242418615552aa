"""A held MCP call at the command gate, written as a command: ``["mcp", server, tool, args]``
with ``args`` as JSON, so the gate, its events and the allow-list take it like a blocked
command (kept apart from the MCP settings so the screens need not load pydantic for it)."""

from __future__ import annotations

from collections.abc import Sequence

MCP_CALL = "mcp"


def mcp_call_argv(server: str, tool: str, args_json: str) -> list[str]:
    return [MCP_CALL, server, tool, args_json]


def is_mcp_call(argv: Sequence[str]) -> bool:
    return len(argv) == 4 and argv[0] == MCP_CALL
