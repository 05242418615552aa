"""SVG snapshots of the run screen (live at each gate, and replay) at 80x24 and 160x48.

The runs are real demo runs recorded into a temp store with frozen timestamps.
Update with ``pytest tests/run_screen/test_run_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from workbench.config import WorkbenchSettings
from workbench.demo import freeze_times, record_demo_run
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.run import LiveRunScreen
from workbench.tui.screens.run_replay import ReplayScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
SnapCompare = Callable[..., bool]


def _recorded(tmp_path: Path, until: str, mode: str = "pipeline") -> RunStore:
    store = RunStore(tmp_path / "data" / "runs.db")
    asyncio.run(record_demo_run(store, f"demo-{until}", until, parent=tmp_path, mode=mode))
    freeze_times(store, f"demo-{until}")
    if until != "done":  # as a live run waiting at the gate: not parked yet
        store.db.execute("DELETE FROM events WHERE kind = 'run_parked'")
    return store


def RunScreenApp(store: RunStore, run_id: str, replay: bool) -> WorkbenchApp:  # noqa: N802
    def start(app: WorkbenchApp) -> None:
        app.push_screen(ReplayScreen(store, run_id) if replay else LiveRunScreen(store, run_id))

    return WorkbenchApp(store, WorkbenchSettings(), start=start)


async def _settle(pilot: Pilot[None]) -> None:
    for widget in pilot.app.screen.query("TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause(0.3)
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("until", ["spec", "final"])
def test_live_run_screen_at_gate(
    snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int], until: str
) -> None:
    store = _recorded(tmp_path, until)
    app = RunScreenApp(store, f"demo-{until}", replay=False)
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_replay_screen_mid_run(snap_compare: SnapCompare, tmp_path: Path,
                               size: tuple[int, int]) -> None:
    store = _recorded(tmp_path, "done")
    app = RunScreenApp(store, "demo-done", replay=True)

    first_review = next(e.seq for e in store.events("demo-done")
                        if e.kind == "artifact" and e.payload()["type"] == "review")

    async def back_to_review(pilot: Pilot[None]) -> None:
        await pilot.pause(0.5)
        await pilot.press("g", *str(first_review), "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=back_to_review)


def test_replay_of_a_group_run_at_the_selectors_choice(
    snap_compare: SnapCompare, tmp_path: Path
) -> None:
    """A group-chat run replayed to the selector's first choice: "group chat" in the status
    bar, and the last conversation line "group: developer speaks next (chosen from
    developer, requirements)" under the reviewer's NEEDS_REVISION review."""
    store = _recorded(tmp_path, "done", mode="group")
    app = RunScreenApp(store, "demo-done", replay=True)
    chose = next(e.seq for e in store.events("demo-done")
                 if e.kind == "speaker_selected" and e.payload()["by"] == "selector")

    async def to_the_choice(pilot: Pilot[None]) -> None:
        await pilot.pause(0.5)
        await pilot.press("g", *str(chose), "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(160, 48), run_before=to_the_choice)
