"""History and replay: open a past run, step through it, jump, fork and continue live."""

from __future__ import annotations

from pathlib import Path

from agents.contracts import RunStatus
from widgets.conversation import ConversationView
from widgets.diff_view import DiffView
from widgets.spec_editor import SpecEditor
from workbench.demo import record_demo_run
from workbench.gitops import read_branch_file
from workbench.store import RunStore
from workbench.tui.screens.run_base import RunScreen
from workbench.tui.screens.runs import RunListScreen

from .conftest import at_gate, finished, tui, wait_for


async def _open_from_history(pilot, run_id: str) -> RunScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunListScreen), 10, "run list")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunScreen)
                   and bool(getattr(pilot.app.screen, "_events", None)), 10, "replay loaded")
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen) and screen.replay and screen.run_id == run_id
    return screen


async def test_replay_steps_back_and_forth_and_jumps(store: RunStore, tmp_path: Path) -> None:
    run_id = await record_demo_run(store, "past-run", "done", parent=tmp_path)
    total = len(store.events(run_id))
    spec_seq = next(e.seq for e in store.events(run_id)
                    if e.kind == "artifact" and e.payload()["type"] == "spec")
    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open_from_history(pilot, run_id)
        assert screen._position == total and screen.view.status is RunStatus.APPROVED
        await pilot.press("g", *str(spec_seq - 1), "enter")
        await pilot.pause(0.1)
        assert screen._position == spec_seq - 1
        assert screen.view.spec is None and screen.query_one(SpecEditor).spec is None
        await pilot.press("right")
        assert screen._position == spec_seq
        assert screen.query_one(SpecEditor).spec is not None  # the pane as it was then
        assert screen.query_one(DiffView).rejected_hunks == frozenset()
        items_then = len(screen.query_one(ConversationView).items)
        await pilot.press("left")
        assert screen._position == spec_seq - 1
        assert len(screen.query_one(ConversationView).items) < items_then
        await pilot.press("g", *str(total), "enter")
        await pilot.pause(0.1)
        assert screen.view.status is RunStatus.APPROVED and screen.view.patch is not None


async def test_fork_from_an_event_continues_live_on_a_new_branch(
    store: RunStore, tmp_path: Path
) -> None:
    run_id = await record_demo_run(store, "to-fork", "done", parent=tmp_path)
    gate_seq = next(e.seq for e in store.events(run_id)
                    if e.kind == "approval_requested" and e.payload()["gate"] == "spec")
    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await _open_from_history(pilot, run_id)
        await pilot.press("g", *str(gate_seq), "enter")
        await pilot.pause(0.1)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen) and not app.screen.replay,
                       10, "live fork")
        live = app.screen
        assert isinstance(live, RunScreen) and live.run_id != run_id
        await at_gate(pilot, "spec")
        await pilot.press("a")
        await at_gate(pilot, "final")
        await pilot.press("a")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED
        fork_id = done.run_id
    fork = store.get_run(fork_id)
    assert fork.parent_run_id == run_id and fork.fork_seq == gate_seq
    assert read_branch_file(Path(fork.repo), f"workbench/{fork_id}", "tests/test_low_stock.py")
    assert store.get_run(run_id).status == "APPROVED"
