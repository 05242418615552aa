"""Esc interrupts the agent turn under way: the run is recorded interrupted, the screen stays,
and R resumes it from its last finished turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.contracts import RunStatus
from widgets.activity_line import ActivityLine
from widgets.conversation import ConversationView
from workbench.store import RunStore
from workbench.tui.screens.run import LiveRunScreen

from .conftest import at_gate, demo_config, run_screen, script_with, tui, wait_for


def _slow(data: dict[str, Any]) -> None:
    data["chunk_delay_ms"] = 40  # the requirements reply streams for several seconds


async def test_escape_interrupts_the_streaming_turn_and_r_resumes_it(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    app = tui(store, demo_config(demo_repo, model=script_with(tmp_path, _slow)))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LiveRunScreen), 10, "live screen")
        screen = run_screen(pilot)
        conversation = screen.query_one(ConversationView)
        await wait_for(pilot, lambda: bool(conversation._streams), 20, "streamed text")
        activity = screen.query_one(ActivityLine)
        assert activity.text().startswith("requirements · streaming · ")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.live is not None and not screen.live.running, 15,
                       "the engine to stop")
        assert app.screen is screen  # interrupting is not leaving
        kinds = [e.kind for e in store.events(screen.run_id)]
        assert kinds[-1] == "run_interrupted"
        assert "agent_message" not in kinds  # the turn was cut, not finished
        assert store.get_run(screen.run_id).status == RunStatus.INTERRUPTED.value
        await pilot.pause()
        assert screen.check_action("resume_run", ()) is True
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, LiveRunScreen)
                       and app.screen is not screen, 10, "the resumed run")
        resumed = await at_gate(pilot, "spec", timeout=60)
        assert resumed.run_id == screen.run_id
        assert resumed.view.spec is not None and resumed.view.spec.feature_id == "INV-7"


def _slower(data: dict[str, Any]) -> None:
    data["roles"]["requirements"][0]["chunk_delay_ms"] = 800  # about 5 s: time to type a steer


async def test_a_steer_not_yet_delivered_survives_the_interrupt_and_reaches_its_role(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    app = tui(store, demo_config(demo_repo, model=script_with(tmp_path, _slower)))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LiveRunScreen), 10, "live screen")
        screen = run_screen(pilot)
        conversation = screen.query_one(ConversationView)
        await wait_for(pilot, lambda: bool(conversation._streams), 20, "streamed text")
        await pilot.press("i", *"@reviewer Check the README example too", "enter")
        await wait_for(pilot, lambda: any(e.kind == "steer"
                                          for e in store.events(screen.run_id)), 5, "steer")
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.live is not None and not screen.live.running, 15,
                       "the engine to stop")
        await pilot.press("R")
        await at_gate(pilot, "spec", timeout=60)
        await pilot.press("a")
        run_id = screen.run_id

        def reviewer_task() -> str:
            return next((str(e.payload()["task"]) for e in store.events(run_id)
                         if e.kind == "turn_started" and e.role == "reviewer"), "")

        await wait_for(pilot, lambda: bool(reviewer_task()), 60, "the reviewer's turn")
        assert "Check the README example too" in reviewer_task()
        developer = [str(e.payload()["task"]) for e in store.events(run_id)
                     if e.kind == "turn_started" and e.role == "developer"]
        assert developer and not any("README example" in t for t in developer)
