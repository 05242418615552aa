"""The command gate and the high-risk final gate, answered from the run screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.contracts import RunStatus
from workbench.allowlist import allowed_commands
from workbench.store import RunStore
from workbench.tui.screens.command_gate import CommandGateScreen
from workbench.tui.screens.confirm import ConfirmScreen

from .conftest import at_gate, demo_config, finished, script_with, tui, wait_for

PRINT = ["python", "-c", "print('approved-command-ran')"]


def _blocked_test_call(data: dict[str, Any]) -> None:
    data["roles"]["tester"][2] = {"tool_calls": [{"name": "run_tests", "arguments": {
        "command": "python -c \"print('approved-command-ran')\""}}]}


async def test_the_command_gate_shows_the_command_and_allows_it_for_the_repository(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    model = script_with(tmp_path, _blocked_test_call)
    app = tui(store, demo_config(demo_repo, model))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = await at_gate(pilot, "command", timeout=60)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandGateScreen), 5, "question")
        shown = " ".join(str(w.render()) for w in app.screen.query("Label"))
        assert "python -c" in shown and "tester" in shown and "Reason:" in shown
        await pilot.press("A")
        screen = await at_gate(pilot, "final", timeout=60)
        await pilot.press("a")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED, done.view.finished_reason
        run_id = screen.run_id
    assert allowed_commands(store.path, demo_repo) == [PRINT]
    tasks = [e.payload()["task"] for e in store.events(run_id) if e.kind == "turn_started"]
    assert any("approved-command-ran" in t for t in tasks)


async def test_escape_at_the_command_question_leaves_the_run_waiting(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    model = script_with(tmp_path, _blocked_test_call)
    app = tui(store, demo_config(demo_repo, model))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = await at_gate(pilot, "command", timeout=60)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandGateScreen), 5, "question")
        await pilot.press("escape")
        await pilot.pause()
        assert screen.view.pending_approval == "command"
        await pilot.press("x", "y")
        done = await finished(pilot)
        assert done.view.status is RunStatus.BLOCKED_BY_POLICY


async def test_approving_high_risk_paths_asks_with_their_names_first(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo, high_risk_patterns=["inventory"]))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = await at_gate(pilot, "final", timeout=60)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "question")
        question = str(app.screen.query_one("#confirm-question").render())
        assert "HIGH-RISK" in question and "inventory/" in question
        await pilot.press("y")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED
        run_id = screen.run_id
    final = [e.payload() for e in store.events(run_id)
             if e.kind == "approval_given" and e.payload()["gate"] == "final"]
    assert final[-1]["high_risk_paths"]


async def test_y_after_approval_brings_the_commit_onto_the_users_branch(
    store: RunStore, demo_repo: Path
) -> None:
    import pygit2

    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        await at_gate(pilot, "final", timeout=60)
        await pilot.press("a")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "question")
        question = str(app.screen.query_one("#confirm-question").render())
        assert "fast-forward" in question and "inventory/stock.py" in question
        await pilot.press("y")
        await pilot.pause()
        commit = done.view.commit
    assert str(pygit2.Repository(str(demo_repo)).head.target) == commit
