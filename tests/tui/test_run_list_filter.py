"""Finding a run in the list: a text filter (``/``), a status filter (``s``), the whole task
of the focused run."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable, Input, Static

from tests.tui.apps import RecordingApp
from workbench.store import RunStore
from workbench.tui.screens.runs import RunListScreen


def _tasks(app: RecordingApp) -> list[str]:
    table: DataTable[Text | str] = app.screen.query_one("#runs-table", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def _title(app: RecordingApp) -> str:
    return str(app.screen.query_one("#runs-title", Static).render())


async def test_slash_filters_by_task_run_id_and_repo(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(160, 24)) as pilot:
        await pilot.pause()
        assert len(_tasks(app)) == 4
        await pilot.press("slash")
        assert app.screen.query_one("#runs-filter", Input).has_focus
        await pilot.press(*"CSV")  # any case, in the task
        await pilot.pause()
        assert _tasks(app) == ["Port the CSV exporter to the new storage API"]
        assert "1 of 4 runs" in _title(app)
        await pilot.press("enter")  # opens the one match
        await pilot.pause()
        assert app.opened == ["run-0003"]
        filter_field = app.screen.query_one("#runs-filter", Input)
        filter_field.value = "run-0001"  # a run id
        await pilot.pause()
        assert _tasks(app) == ["Add a --dry-run flag to the stock import command"]
        filter_field.value = "monorepo"  # the repo path
        await pilot.pause()
        assert _tasks(app) == ["Port the CSV exporter to the new storage API"]
        filter_field.value = "nothing like this"
        await pilot.pause()
        assert _tasks(app) == []
        assert "No run matches" in str(app.screen.query_one("#run-detail", Static).render())
        filter_field.focus()
        await pilot.press("escape")  # clears the filter and goes back to the table
        await pilot.pause()
        assert len(_tasks(app)) == 4 and app.screen.query_one("#runs-table").has_focus


async def test_s_cycles_the_status_filter(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(160, 24)) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#runs-status", Static)
        seen: dict[str, list[str]] = {}
        for _ in range(5):
            await pilot.press("s")
            await pilot.pause()
            name = str(status.render()).split()[1]
            seen[name] = _tasks(app)
        assert seen["live"] == []
        assert [t[:18] for t in seen["needs"]] == ["Fix the off-by-one"]
        assert seen["approved"] == ["Add a --dry-run flag to the stock import command"]
        assert seen["failed"] == ["Run rm -rf on the build cache before tests",
                                  "Port the CSV exporter to the new storage API"]
        assert len(seen["all"]) == 4  # round again


async def test_the_focused_runs_whole_task_is_shown_wrapped(store: RunStore) -> None:
    task = ("Rework the importer so that every row is validated before anything is written, "
            "report each bad row with its line number, and keep the old fast path for files "
            "that pass; the end of this sentence must still be readable at 80 columns")
    store.create_run("run-long", task, "/repo", "scripted:demo", status="APPROVED",
                     started_at=1_714_554_000.0, finished_at=1_714_554_060.0)
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RunListScreen)
        detail = app.screen.query_one("#run-detail", Static)
        assert task in " ".join(str(detail.render()).split())
        assert detail.size.height >= 4  # wrapped over lines, not cut at the edge
        assert detail.region.bottom <= app.screen.query_one("Footer").region.y
