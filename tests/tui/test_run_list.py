"""The run list as a user drives it."""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static

from tests.tui.apps import RecordingApp
from tests.tui.conftest import add_runs
from workbench.store import RunStore
from workbench.tui.screens.runs import RunListScreen


def _rows(table: DataTable[Text | str]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_runs_are_listed_newest_first(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RunListScreen)
        table = screen.query_one("#runs-table", DataTable)
        rows = _rows(table)
        assert [row[0] for row in rows] == [
            "● blocked",
            "● failed",
            "● needs review",
            "● approved",
        ]
        assert rows[1][1] == "Port the CSV exporter to the new storage API"
        assert rows[2][1].startswith("Fix the off-by-one") and rows[2][1].endswith("…")
        assert rows[0][3] == "2024-05-02 10:00"
        assert rows[1][4:] == ["1:06:40", "214.0k", "–"]
        assert "4 runs" in str(screen.query_one("#runs-title", Static).render())


async def test_enter_opens_the_selected_run(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.opened == ["run-0004", "run-0002"]


async def test_detail_line_shows_full_task_of_highlighted_run(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "down")
        await pilot.pause()
        detail = str(app.screen.query_one("#run-detail", Static).render())
        assert "run-0002" in detail
        assert "boundary where stock equals the threshold" in detail


async def test_at_80_columns_the_task_gets_the_room(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        total = sum(column.get_render_width(table) for column in table.columns.values())
        assert total <= 80 - 2
        # repo and tokens give way to the task; the detail line names both
        assert [str(column.label) for column in table.columns.values()] == [
            "Status", "Task", "Started", "Time", "Cost",
        ]
        rows = _rows(table)
        # was 14; one cell went to the Time column, which holds a whole clock (1:06:40)
        assert table.columns[table.ordered_columns[1].key].width >= 34
        assert rows[1][1] == "Port the CSV exporter to the new…"
        assert rows[1][2] == "05-02 09:00"
        assert all(len(row[1]) <= table.columns[table.ordered_columns[1].key].width
                   for row in rows)
        await pilot.press("down")
        await pilot.pause()
        detail = str(app.screen.query_one("#run-detail", Static).render())
        assert "/home/dev/work/a-rather-long-monorepo-name/services/exporter" in detail
        assert "214.0k tok" in detail


async def test_at_100_columns_every_column_is_kept(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        assert [str(column.label) for column in table.columns.values()] == [
            "Status", "Task", "Repo", "Started", "Time", "Tokens", "Cost",
        ]
        assert _rows(table)[1][2] == "exporter"  # directory name, not a clipped path


async def test_empty_store_shows_a_hint_and_refresh_picks_up_new_runs(store: RunStore) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        empty = app.screen.query_one("#runs-empty", Static)
        assert empty.display
        assert "No runs yet" in str(empty.render())
        assert not app.screen.query_one("#runs-table", DataTable).display
        await pilot.press("enter")  # nothing to open
        assert app.opened == []

        add_runs(store)
        await pilot.press("r")
        await pilot.pause()
        assert not empty.display
        assert app.screen.query_one("#runs-table", DataTable).row_count == 4


async def test_live_runs_are_polled_until_they_finish(
    store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RunListScreen, "POLL_SECONDS", 0.05)
    run = store.create_run("live-1", "Still going", "/repo", "scripted:demo", status="RUNNING")
    app = RecordingApp(store)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        assert str(table.get_row_at(0)[0]) == "● running"
        store.update_run("live-1", status="APPROVED", finished_at=run.started_at + 5)
        await pilot.pause(0.2)
        assert str(table.get_row_at(0)[0]) == "● approved"
        assert str(table.get_row_at(0)[4]) == "0:05"


async def test_interrupted_and_parked_runs_are_marked_and_resume_with_R(store: RunStore) -> None:
    add_runs(store, [
        {"run_id": "run-stopped", "task": "Stopped mid-run", "repo": "/repo",
         "model": "scripted:demo", "status": "INTERRUPTED", "started_at": 1_714_554_000.0,
         "reason": "stopped while running"},
        {"run_id": "run-parked", "task": "Waiting at a gate", "repo": "/repo",
         "model": "scripted:demo", "status": "WAITING_FOR_APPROVAL",
         "started_at": 1_714_554_060.0},
        {"run_id": "run-done", "task": "All done", "repo": "/repo", "model": "scripted:demo",
         "status": "APPROVED", "started_at": 1_714_554_120.0,
         "finished_at": 1_714_554_180.0},
    ])
    app = RecordingApp(store)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        cells = {str(table.get_row_at(i)[1]): table.get_row_at(i)[0]
                 for i in range(table.row_count)}
        stopped = cells["Stopped mid-run"]
        assert isinstance(stopped, Text) and stopped.plain == "● interrupted"
        styles = {str(c.style) for c in cells.values() if isinstance(c, Text)}
        assert len(styles) == 3  # interrupted has a colour of its own
        await pilot.press("R")  # the newest first: run-done
        await pilot.pause()
        assert app.resumed == []
        await pilot.press("down")
        await pilot.pause()
        assert "R resumes it" in str(app.screen.query_one("#run-detail", Static).render())
        await pilot.press("R", "down", "R")
        await pilot.pause()
        assert app.resumed == ["run-parked", "run-stopped"]


async def test_a_narrow_list_shortens_interrupted(store: RunStore) -> None:
    add_runs(store, [{"run_id": "run-stopped", "task": "Stopped", "repo": "/repo",
                      "model": "scripted:demo", "status": "INTERRUPTED",
                      "started_at": 1_714_554_000.0}])
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#runs-table", DataTable)
        assert str(table.get_row_at(0)[0]) == "● stopped"
