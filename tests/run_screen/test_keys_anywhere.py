"""Pane keys work wherever the focus is, and help lists every key of the run screen by
purpose, marking the ones that do not apply right now."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Log

from widgets.conversation import ConversationView
from widgets.diff_view import DiffView
from widgets.test_output import TestOutputView
from workbench.store import RunStore
from workbench.tui.screens.help import HelpScreen

from .conftest import at_gate, demo_config, tui, wait_for


async def test_hunk_split_and_log_keys_work_with_the_conversation_focused(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        diff = screen.query_one(DiffView)
        await wait_for(pilot, lambda: diff.has_focus_within, 5, "the diff to take focus")
        screen.query_one(ConversationView).focus()
        await pilot.pause()
        await pilot.press("n")
        first = diff.lines.cursor
        await pilot.press("n")
        assert diff.lines.cursor > first
        await pilot.press("p")
        assert diff.lines.cursor == first
        await pilot.press("s")
        assert diff.split
        tests = screen.query_one(TestOutputView)
        await pilot.press("l")
        assert tests.show_full_log
        log = tests.query_one(Log)
        await wait_for(pilot, lambda: "passed" in "\n".join(log.lines), 5, "the full log")
        assert screen.query_one(ConversationView).has_focus


async def test_help_groups_the_run_screen_keys_and_marks_those_that_do_not_apply(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        sections = [row[0] for row in rows if not row[1]]
        assert sections[:3] == ["Decide", "Control the run", "Look at the work"]
        described = {row[1]: row[0] for row in rows if row[1]}
        assert described["Approve"] == "a"
        assert described["Next turn (not now)"] == "."
        assert described["Full test log"] == "l"
        assert "Next pane or field" in described
        assert not any(d.startswith(("Focus Next", "palette")) for d in described)
