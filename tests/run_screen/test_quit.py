"""Quitting or leaving while a run's engine works asks first; a stopped run is recorded as
interrupted and resumes from the run list, the replay or the command line."""

from __future__ import annotations

import json
from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from agents.contracts import Decision, RunStatus
from agents.fold import fold
from widgets.approval_bar import ApprovalBar
from widgets.status_bar import RunStatusBar
from workbench.demo import record_demo_run
from workbench.engine.runner import approve_run, open_pipeline
from workbench.store import RunStore
from workbench.tui.screens.confirm import LEAVE_QUESTION, QUIT_QUESTION, ConfirmScreen
from workbench.tui.screens.run_base import RunScreen
from workbench.tui.screens.runs import RunListScreen

from .conftest import at_gate, demo_config, finished, run_screen, script_with, tui, wait_for


def _kinds(store: RunStore, run_id: str) -> list[str]:
    return [e.kind for e in store.events(run_id)]


def _question(pilot: Pilot[None]) -> str:
    screen = pilot.app.screen
    assert isinstance(screen, ConfirmScreen), type(screen).__name__
    return str(screen.query_one("#confirm-question", Static).render())


async def _exited(pilot: Pilot[None]) -> None:
    await wait_for(pilot, lambda: pilot.app.return_code is not None, 15, "the app to exit")


async def test_quit_mid_turn_asks_then_stops_the_run_resumably(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    # Slow streaming keeps the requirements turn going while the keys are pressed.
    model = script_with(tmp_path, lambda d: d.update(chunk_delay_ms=1000))
    app = tui(store, demo_config(demo_repo, model))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen)
                       and bool(app.screen.view.streaming_text("requirements")),
                       what="the requirements turn streaming")
        screen = run_screen(pilot)
        live = screen.live
        assert live is not None
        await pilot.press("ctrl+q")
        assert _question(pilot) == QUIT_QUESTION
        await pilot.press("n")
        assert app.screen is screen and app.return_code is None
        assert live.running and not live.stopping
        assert "run_interrupted" not in _kinds(store, screen.run_id)
        await pilot.press("ctrl+q")
        assert _question(pilot) == QUIT_QUESTION
        await pilot.press("y")
        await _exited(pilot)
        run_id = screen.run_id
    assert not live.running  # the engine finished recording before the app ended
    kinds = _kinds(store, run_id)
    assert kinds[-1] == "run_interrupted" and "run_finished" not in kinds
    assert "approval_requested" not in kinds  # stopped mid-turn, before the spec gate
    assert store.get_run(run_id).status == RunStatus.INTERRUPTED.value
    # The resumed run need not be watchable: the same script without the delay.
    Path(model.removeprefix("scripted:")).write_text(
        json.dumps(json.loads(Path(model.removeprefix("scripted:")).read_text())
                   | {"chunk_delay_ms": 0}))
    outcome = await open_pipeline(store, run_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert store.get_run(run_id).status == RunStatus.APPROVED.value


async def test_quit_at_a_gate_interrupts_and_a_resume_asks_at_the_same_gate(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        assert screen.live is not None and screen.live.running  # waiting for the human
        await pilot.press("ctrl+q")
        assert _question(pilot) == QUIT_QUESTION
        await pilot.press("enter")
        await _exited(pilot)
        run_id = screen.run_id
    assert _kinds(store, run_id)[-1] == "run_interrupted"
    assert store.get_run(run_id).status == RunStatus.INTERRUPTED.value
    parked = await open_pipeline(store, run_id).run()  # headless, no auto-approve
    assert parked.status is RunStatus.WAITING_FOR_APPROVAL
    assert "spec gate" in parked.reason
    assert fold(store.events(run_id)).pending_approval == "spec"
    approve_run(store, run_id, Decision.APPROVE)
    outcome = await open_pipeline(store, run_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason


def _status_cell(pilot: Pilot[None], run_id: str) -> Text:
    table = pilot.app.screen.query_one("#runs-table", DataTable)
    cell = table.get_cell(run_id, "status")
    assert isinstance(cell, Text)
    return cell


async def test_an_interrupted_run_is_listed_as_such_and_resumes_from_the_list(
    store: RunStore, demo_repo: Path
) -> None:
    first = tui(store, demo_config(demo_repo))
    async with first.run_test(size=(160, 48)) as pilot:
        run_id = (await at_gate(pilot, "spec")).run_id
        await pilot.press("ctrl+q", "y")
        await _exited(pilot)
    approved = await record_demo_run(store, "done-run", "done", parent=demo_repo.parent)

    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunListScreen), 10, "run list")
        cell = _status_cell(pilot, run_id)
        assert cell.plain == "● interrupted"
        assert cell.style != _status_cell(pilot, approved).style
        assert str(cell.style) not in {str(app.theme_variables[v]) for v in (
            "status-running", "status-waiting", "status-approved", "status-failed")}
        table = app.screen.query_one("#runs-table", DataTable)
        table.move_cursor(row=table.get_row_index(run_id))
        await pilot.pause()
        detail = str(app.screen.query_one("#run-detail", Static).render())
        assert "R resumes it" in detail

        await pilot.press("enter")  # the replay says where it stopped
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen)
                       and bool(getattr(app.screen, "_events", None)), 10, "replay")
        replay = run_screen(pilot)
        bar = str(replay.query_one("#replay-bar", Static).render())
        assert "INTERRUPTED at the spec gate: R resumes it" in bar
        assert "INTERRUPTED" in str(replay.query_one(RunStatusBar).render())
        assert replay.query_one(ApprovalBar).gate == "spec"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunListScreen), 10, "run list")

        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen)
                       and not app.screen.replay, 10, "live resume")
        screen = run_screen(pilot)
        assert screen.live is not None
        await wait_for(pilot, lambda: screen.live is not None and screen.live.control.gate_open,
                       20, "the engine waiting at the spec gate again")
        bar_widget = screen.query_one(ApprovalBar)
        assert bar_widget.gate == "spec" and bar_widget.live
        await pilot.press("a")
        await at_gate(pilot, "final")
        await pilot.press("a")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED, done.view.finished_reason
    assert store.get_run(run_id).status == RunStatus.APPROVED.value


async def test_a_parked_run_opens_at_its_gate_and_resumes_from_the_replay(
    store: RunStore, tmp_path: Path
) -> None:
    run_id = await record_demo_run(store, "parked-run", "final", parent=tmp_path)
    assert _kinds(store, run_id)[-1] == "run_parked"
    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunListScreen), 10, "run list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen)
                       and bool(getattr(app.screen, "_events", None)), 10, "replay")
        replay = run_screen(pilot)
        approval = replay.query_one(ApprovalBar)
        assert approval.gate == "final" and not approval.live
        bar = str(replay.query_one("#replay-bar", Static).render())
        assert "parked at the final gate: R resumes it to answer" in bar
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen)
                       and not app.screen.replay, 10, "live resume")
        screen = run_screen(pilot)
        assert screen.view.pending_approval == "final"
        assert screen.query_one(ApprovalBar).live
        await wait_for(pilot, lambda: screen.query_one("#diff").has_focus_within, 5,
                       "the gate's pane in front")
        await pilot.press("a")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED, done.view.finished_reason
        await pilot.press("ctrl+q")  # nothing is running any more: no question
        await _exited(pilot)


async def test_a_parked_replay_quits_without_asking(store: RunStore, tmp_path: Path) -> None:
    await record_demo_run(store, "parked-run", "spec", parent=tmp_path)
    app = tui(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen), 10, "replay")
        await pilot.press("ctrl+q")
        await _exited(pilot)


async def test_leaving_a_working_run_asks_and_the_list_shows_it_interrupted(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.press("escape")
        assert _question(pilot) == LEAVE_QUESTION
        await pilot.press("escape")  # stay
        assert app.screen is screen and screen.live is not None and screen.live.running
        await pilot.press("ctrl+l")
        assert _question(pilot) == LEAVE_QUESTION
        await pilot.press("n")
        assert app.screen is screen
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, RunListScreen), 15, "run list")
        assert not screen.live.running
        assert _status_cell(pilot, screen.run_id).plain == "● interrupted"
    assert store.get_run(screen.run_id).status == RunStatus.INTERRUPTED.value




def test_a_run_stopped_as_its_engine_starts_is_still_recorded_interrupted(
    store: RunStore, demo_repo: Path
) -> None:
    from workbench.engine.control import RunControl
    from workbench.engine.runner import create_pipeline
    from workbench.tui.live import LiveRun

    pipeline = create_pipeline(store, demo_config(demo_repo), RunControl(interactive=True))
    done: list[str] = []
    live = LiveRun(pipeline, lambda _e: None, lambda _o, error: done.append(error))
    live.stop()  # quit pressed before the engine thread got going
    live.start()
    assert live.join(15)
    assert done and "interrupted" in done[0]
    assert _kinds(store, pipeline.run_id)[-1] == "run_interrupted"
    assert store.get_run(pipeline.run_id).status == RunStatus.INTERRUPTED.value
