"""Which events wait for the next transaction: only those a resume redoes. A built-in tool's
result waits (the resume redoes the turn from the snapshot before it); an MCP tool's result is
on record at once, since what it did may lie outside the worktree."""

from __future__ import annotations

from pathlib import Path

from agents.events import make_event
from agents.repo_tools import RepoTools
from workbench.engine.bus import REDONE_TOOLS, EventBus
from workbench.engine.tools import repo_tools
from workbench.store import RunStore


async def _noop(command: str | list[str]) -> str:
    return ""


def test_the_redone_tools_are_the_built_in_tools(tmp_path: Path) -> None:
    tools = repo_tools(RepoTools(tmp_path), lambda d, s: "", _noop)
    assert {t.name for t in tools} == REDONE_TOOLS


def _result(name: str) -> object:
    return make_event("tool_result", role="developer", name=name, call_id="c1",
                      content="ok", is_error=False)


def test_a_built_in_result_waits_and_an_mcp_result_is_on_record_at_once(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    store = RunStore(path)
    store.create_run("r1", "task", "/repo", "scripted:x")
    bus = EventBus(store, "r1")
    watcher = RunStore(path)  # another process following the run

    bus.emit("phase_changed", phase="development", active_role="developer")
    bus.emit("tool_call", "developer", name="open_file", call_id="c1", arguments={})
    bus.put(_result("open_file"))  # type: ignore[arg-type]
    bus.put(_result("propose_patch"))  # type: ignore[arg-type]
    assert watcher.events("r1") == []

    bus.put(_result("mcp__tracker__create_issue"))  # type: ignore[arg-type]
    got = [(e.kind, getattr(e, "name", None)) for e in watcher.events("r1")]
    assert got == [("phase_changed", None), ("tool_call", "open_file"),
                   ("tool_result", "open_file"), ("tool_result", "propose_patch"),
                   ("tool_result", "mcp__tracker__create_issue")]
