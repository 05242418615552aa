"""Group mode in the app: the same gates and keys, the group chat's choices in the
conversation, a quit in the middle of a seat's turn, and the replay of a group run."""

from __future__ import annotations

import json
from pathlib import Path

from agents.contracts import RunStatus
from widgets.conversation import ConversationView
from widgets.status_bar import RunStatusBar
from workbench.demo import record_demo_run
from workbench.engine.runner import open_pipeline
from workbench.store import RunStore
from workbench.tui.screens.run_base import RunScreen

from .conftest import (
    at_gate,
    demo_config,
    replay_of_latest,
    run_screen,
    script_with,
    tui,
    wait_for,
)

CHOSE_DEVELOPER = "group: developer speaks next (chosen from developer, requirements)"


def _phase_lines(screen: RunScreen) -> list[str]:
    return [i.text for i in screen.query_one(ConversationView).items if i.kind == "phase"]


async def test_a_group_run_stops_at_the_same_gates_and_shows_who_the_chat_chose(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo, mode="group"))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        assert "group chat" in screen.query_one(RunStatusBar).render().plain
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        assert CHOSE_DEVELOPER in _phase_lines(screen)
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.view.finished, 30, "the commit")
        assert screen.view.status is RunStatus.APPROVED


async def test_quitting_in_the_middle_of_a_seats_turn_leaves_it_resumable(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    model = script_with(tmp_path, lambda d: d.update(chunk_delay_ms=1000))
    app = tui(store, demo_config(demo_repo, model, mode="group"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen)
                       and bool(app.screen.view.streaming_text("requirements")),
                       what="the requirements seat streaming")
        run_id = run_screen(pilot).run_id
        await pilot.press("ctrl+q")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.return_code is not None, 15, "the app to exit")
    kinds = [e.kind for e in store.events(run_id)]
    assert kinds[-1] == "run_interrupted" and "run_finished" not in kinds
    assert store.get_run(run_id).status == RunStatus.INTERRUPTED.value
    script = Path(model.removeprefix("scripted:"))
    script.write_text(json.dumps(json.loads(script.read_text()) | {"chunk_delay_ms": 0}))
    outcome = await open_pipeline(store, run_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason


async def test_the_replay_of_a_group_run_steps_through_the_chats_choices(
    store: RunStore, tmp_path: Path
) -> None:
    run_id = await record_demo_run(store, "group-run", "done", parent=tmp_path, mode="group")
    chose = next(e.seq for e in store.events(run_id) if e.kind == "speaker_selected"
                 and e.payload()["by"] == "selector")
    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await replay_of_latest(pilot)
        assert screen.replay and screen.view.status is RunStatus.APPROVED
        assert CHOSE_DEVELOPER in _phase_lines(screen)
        await pilot.press("g", *str(chose - 1), "enter")
        await pilot.pause(0.1)
        assert CHOSE_DEVELOPER not in _phase_lines(screen)
        await pilot.press("right")
        assert _phase_lines(screen)[-1] == CHOSE_DEVELOPER


async def test_the_replay_of_a_run_driven_elsewhere_follows_its_new_events(
    store: RunStore, tmp_path: Path
) -> None:
    """A run a worker (or another terminal) drives: its replay, opened at the spec gate,
    follows the events that engine records until the run waits at the final gate."""
    from workbench.engine.runner import approve_run

    run_id = await record_demo_run(store, "elsewhere", "spec", parent=tmp_path, mode="group")
    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await replay_of_latest(pilot)
        assert screen.view.pending_approval == "spec"
        approve_run(store, run_id)
        outcome = await open_pipeline(store, run_id).run()  # another engine drives it
        assert outcome.status is RunStatus.WAITING_FOR_APPROVAL
        total = len(store.events(run_id))
        await wait_for(pilot, lambda: screen._position == total, 10, "the replay to follow")
        assert screen.view.pending_approval == "final"
        assert CHOSE_DEVELOPER in _phase_lines(screen)
        approve_run(store, run_id)
        done = await open_pipeline(store, run_id).run()
        assert done.status is RunStatus.APPROVED  # its last events came before its status
        total = len(store.events(run_id))
        await wait_for(pilot, lambda: screen._position == total, 10, "the last events")
        assert screen.view.status is RunStatus.APPROVED
