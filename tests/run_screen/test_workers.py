"""A failed background job on the run screen is one toast: the app, the screen and the
run's events stay."""

from __future__ import annotations

from pathlib import Path

from widgets.test_output import TestOutputView
from workbench.config import WorkbenchSettings
from workbench.demo import record_demo_run
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.run_base import RunScreen
from workbench.tui.screens.run_replay import ReplayScreen

from .conftest import wait_for


async def test_a_bad_log_artifact_id_is_a_toast_not_an_exit(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "data" / "runs.db")
    await record_demo_run(store, "demo-done", "done", parent=tmp_path)
    events = len(store.events("demo-done"))

    def start(app: WorkbenchApp) -> None:
        app.push_screen(ReplayScreen(store, "demo-done"))

    app = WorkbenchApp(store, WorkbenchSettings(), start=start)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: bool(getattr(app.screen, "_events", None)), 10, "replay")
        screen = app.screen
        assert isinstance(screen, RunScreen)
        tests = screen.query_one(TestOutputView)
        tests.post_message(TestOutputView.FullLogRequested(tests, 999_999))
        await wait_for(pilot, lambda: any("unknown artifact" in str(n.message)
                                          for n in app._notifications), 10, "toast")
        assert app.is_running and screen.is_current
        await pilot.press("left")  # the screen still answers keys
        assert screen._position == events - 1
    assert app.return_code in (0, None)
    assert len(store.events("demo-done")) == events
