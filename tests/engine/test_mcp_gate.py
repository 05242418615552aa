"""A call the MCP policy holds (a tool off the allow list, or a risky one) never reaches the
server on its own: the run waits at the command gate, even under --auto-approve. The human
runs it once, allows the tool for the repository (never a risky one), or stops the run
BLOCKED_BY_POLICY."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.contracts import Decision, RunStatus
from agents.fold import fold
from workbench.allowlist import allowed_commands
from workbench.engine.runner import approve_run, create_pipeline, open_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script
from .test_mcp_tools import echo_server


def _tester_calls(demo_script: dict[str, Any], tool: str, args: dict[str, Any]) -> None:
    """The tester calls the allowed echo, then ``tool``, where it would run the tests."""
    demo_script["roles"]["tester"][2] = {"tool_calls": [
        {"name": "echo", "arguments": {"text": "before"}},
        {"name": tool, "arguments": args}]}


@pytest.fixture
def marks(tmp_path: Path) -> Path:
    """Where the echo server's refused tools leave a mark when they do run."""
    folder = tmp_path / "marks"
    folder.mkdir()
    return folder


def _payloads(store: RunStore, run_id: str, kind: str) -> list[dict[str, Any]]:
    return [e.payload() for e in store.events(run_id) if e.kind == kind]


async def _parked(store: RunStore, repo: Path, tmp_path: Path, script: dict[str, Any],
                  marks: Path) -> str:
    config = config_for(repo, write_script(tmp_path, script), auto_approve=True,
                        mcp=[echo_server(marks, roles=["tester"])])
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.WAITING_FOR_APPROVAL, outcome.reason
    return outcome.run_id


async def test_a_tool_off_the_allow_list_waits_for_a_human_and_a_refusal_blocks_the_run(
    tmp_path: Path, demo_repo: Path, demo_script: dict[str, Any], store: RunStore, marks: Path
) -> None:
    _tester_calls(demo_script, "delete_all", {})
    rid = await _parked(store, demo_repo, tmp_path, demo_script, marks)
    state = fold(store.iter_events(rid))
    assert state.pending_approval == "command" and state.command_request is not None
    assert state.command_request.argv == ["mcp", "echo", "delete_all", "{}"]
    assert state.command_request.role == "tester"
    policy = [p for p in _payloads(store, rid, "policy") if p.get("tool") == "delete_all"]
    assert len(policy) == 1 and "allow list" in policy[0]["message"]
    results = {r["name"]: r["content"] for r in _payloads(store, rid, "tool_result")}
    assert results["echo"] == "echo: before"  # the allowed call ran
    assert "waits for a human decision" in results["delete_all"]
    assert list(marks.iterdir()) == []  # the held call never reached the server

    approve_run(store, rid, Decision.REJECT, comment="never delete")
    outcome = await open_pipeline(store, rid, auto_approve=True).run()
    assert outcome.status is RunStatus.BLOCKED_BY_POLICY, outcome.reason
    assert "mcp echo delete_all" in outcome.reason
    assert list(marks.iterdir()) == []


async def test_run_once_makes_the_held_call_and_the_role_goes_on_with_its_result(
    tmp_path: Path, demo_repo: Path, demo_script: dict[str, Any], store: RunStore, marks: Path
) -> None:
    _tester_calls(demo_script, "deploy", {"target": "staging"})
    rid = await _parked(store, demo_repo, tmp_path, demo_script, marks)
    assert "marked risky" in fold(store.iter_events(rid)).command_request.reason  # type: ignore[union-attr]
    approve_run(store, rid, Decision.APPROVE, remember=True)  # a risky tool: once only
    outcome = await open_pipeline(store, rid, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert (marks / "deploy").exists()  # it ran, once the human said so
    results = [r["content"] for r in _payloads(store, rid, "tool_result")
               if r["name"] == "deploy"]
    assert results[-1] == "deployed to staging"
    tasks = [p["task"] for p in _payloads(store, rid, "turn_started")]
    assert any("approved the MCP call" in t and "deployed to staging" in t for t in tasks)
    assert allowed_commands(store.path, demo_repo) == []  # risky tools ask every time


async def test_allowing_a_tool_for_the_repository_lets_the_next_run_call_it_unasked(
    tmp_path: Path, demo_repo: Path, demo_script: dict[str, Any], store: RunStore, marks: Path
) -> None:
    _tester_calls(demo_script, "delete_all", {})
    rid = await _parked(store, demo_repo, tmp_path, demo_script, marks)
    approve_run(store, rid, Decision.APPROVE, remember=True)
    outcome = await open_pipeline(store, rid, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert allowed_commands(store.path, demo_repo) == [["mcp", "echo", "delete_all"]]
    (marks / "delete_all").unlink()

    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True,
                        mcp=[echo_server(marks, roles=["tester"])])
    second = await create_pipeline(store, config).run()
    assert second.status is RunStatus.APPROVED, second.reason  # no gate this time
    assert (marks / "delete_all").exists()
