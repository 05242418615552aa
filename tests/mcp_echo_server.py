"""A small MCP server over stdio for the tests: ``echo`` (allowed in the tests' config),
``delete_all`` (not allowed) and ``deploy`` (risky). The two refused tools leave a mark file
in the folder given as the first argument when they do run, so a test can tell a refusal from
a call that went through."""

from __future__ import annotations

import sys
from pathlib import Path

from mcp.server.fastmcp import FastMCP

server = FastMCP("echo-tools", log_level="WARNING")


def _mark(name: str) -> None:
    if len(sys.argv) > 1:
        (Path(sys.argv[1]) / name).write_text("ran")


@server.tool()
def echo(text: str) -> str:
    """Return the text, prefixed with 'echo: '."""
    return f"echo: {text}"


@server.tool()
def delete_all() -> str:
    """Delete everything (never allowed)."""
    _mark("delete_all")
    return "deleted everything"


@server.tool()
def deploy(target: str = "production") -> str:
    """Deploy to a target (needs a human)."""
    _mark("deploy")
    return f"deployed to {target}"


if __name__ == "__main__":
    server.run("stdio")
