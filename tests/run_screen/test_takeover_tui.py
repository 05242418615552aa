"""Taking over a run that stopped NEEDS_HUMAN_REVIEW from its replay: R asks what should
change, sends the work to the developer, and the run goes on live to the final gate."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from agents.contracts import RunStatus
from workbench.engine.budgets import Budgets
from workbench.engine.runner import create_pipeline
from workbench.store import RunStore
from workbench.tui.screens.prompt import TextPrompt
from workbench.tui.screens.run_base import RunScreen
from workbench.tui.screens.runs import RunListScreen

from .conftest import at_gate, demo_config, finished, run_screen, tui, wait_for


async def test_a_stopped_run_is_taken_over_from_its_replay(
    store: RunStore, demo_repo: Path
) -> None:
    config = demo_config(demo_repo, auto_approve=True, budgets=Budgets(max_review_rounds=1))
    stopped = await create_pipeline(store, config).run()
    assert stopped.status is RunStatus.NEEDS_HUMAN_REVIEW

    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunListScreen), 10, "run list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen)
                       and bool(getattr(app.screen, "_events", None)), 10, "replay")
        bar = str(run_screen(pilot).query_one("#replay-bar", Static).render())
        assert "NEEDS HUMAN REVIEW: R takes it over" in bar
        await pilot.press("R")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"developer: reject negative thresholds", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen)
                       and not app.screen.replay, 10, "live resume")
        await at_gate(pilot, "final", timeout=60)  # in the app the human answers the gates
        await pilot.press("a")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED, done.view.finished_reason

    tasks = [e.payload()["task"] for e in store.events(stopped.run_id)
             if e.kind == "turn_started" and e.role == "developer"]
    assert "reject negative thresholds" in tasks[-1] or any(
        "reject negative thresholds" in t for t in tasks)
