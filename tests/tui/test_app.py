"""App shell: remembered theme, help built from bindings, command palette, start hook."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable

from tests.tui.apps import RecordingApp
from workbench import paths
from workbench.config import load_settings
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.new_run import NewRunScreen
from workbench.tui.screens.runs import RunListScreen


async def test_theme_toggle_is_remembered_after_restart(store: RunStore) -> None:
    app = WorkbenchApp(store, load_settings())
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "workbench-dark"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "workbench-light"
    assert "theme: workbench-light" in paths.config_path().read_text()

    restarted = WorkbenchApp(store, load_settings())
    async with restarted.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert restarted.theme == "workbench-light"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert restarted.theme == "workbench-dark"
    assert load_settings().ui.theme == "workbench-dark"


async def test_unknown_remembered_theme_falls_back_without_saving(store: RunStore) -> None:
    path = paths.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ui:\n  theme: no-such-theme\n")
    app = WorkbenchApp(store, load_settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "workbench-dark"
        assert any("no-such-theme" in str(n.message) for n in app._notifications)
    assert "no-such-theme" in path.read_text()


async def test_broken_config_is_reported_and_not_overwritten(store: RunStore) -> None:
    path = paths.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("ui: [unclosed\n")
    app = WorkbenchApp(store, load_settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("not valid YAML" in m for m in messages)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "workbench-light"
    assert path.read_text() == "ui: [unclosed\n"


async def test_f1_shows_help_for_the_current_screen(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        by_description = {row[1]: row for row in rows if row[1]}
        assert by_description["Open run"] == ["⏎", "Open run"]
        assert by_description["New run"][0] == "n, ^n"
        assert by_description["Toggle theme"] == ["^t", "Toggle theme"]
        assert by_description["Help"][0] == "f1, ?"
        assert "Command palette" in by_description and "Next pane or field" in by_description
        sections = [row[0] for row in rows if not row[1]]
        assert sections == ["Control the run", "Runs", "Move around", "Everywhere"]
        assert rows.index(["⏎", "Open run"]) < rows.index(["Move around", ""])
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RunListScreen)


async def test_help_follows_the_screen_underneath(store: RunStore) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        descriptions = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert {"Start run", "Cancel", "Toggle theme"} <= descriptions
        assert "Open run" not in descriptions
        await pilot.press("f1")  # F1 again closes help
        await pilot.pause()
        assert isinstance(app.screen, NewRunScreen)


async def test_question_mark_opens_help_from_the_run_list(store: RunStore) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def _palette_prompts(app: WorkbenchApp, pilot: object, query: str) -> list[str]:
    await pilot.press("ctrl+p")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert CommandPalette.is_open(app)
    await pilot.press(*query)  # type: ignore[attr-defined]
    for _ in range(20):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        options = app.screen.query_one(CommandList).options
        if options:
            break
    return [str(option.prompt) for option in app.screen.query_one(CommandList).options]


async def test_palette_lists_bindings_and_runs_toggle_theme(store: RunStore) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        prompts = await _palette_prompts(app, pilot, "toggle")
        assert "Toggle theme" in prompts[0]
        await pilot.press("enter")
        await pilot.pause()
        assert not CommandPalette.is_open(app)
        assert app.theme == "workbench-light"


async def test_palette_runs_screen_bindings_too(filled_store: RunStore) -> None:
    app = RecordingApp(filled_store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("down")
        prompts = await _palette_prompts(app, pilot, "open run")
        assert "Open run" in prompts[0]
        await pilot.press("enter")
        await pilot.pause()
        assert app.opened == ["run-0003"]

        prompts = await _palette_prompts(app, pilot, "new run")
        assert "New run" in prompts[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NewRunScreen)

        prompts = await _palette_prompts(app, pilot, "run list")
        assert "Run list" in prompts[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RunListScreen)


async def test_start_hook_runs_after_mount(store: RunStore, tmp_path: Path) -> None:
    seen: list[str] = []

    def start(app: WorkbenchApp) -> None:
        seen.append(type(app.screen).__name__)
        app.action_new_run()

    app = RecordingApp(store, start=start)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert seen == ["RunListScreen"]
        assert isinstance(app.screen, NewRunScreen)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, RunListScreen)
