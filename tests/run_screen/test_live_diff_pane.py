"""The diff pane shows the worktree as the developer edits it: an applied edit appears while
the developer's turn is still going, before the turn hands over its patch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from widgets.diff_view import DiffView
from workbench.store import RunStore

from .conftest import at_gate, demo_config, run_screen, script_with, tui, wait_for


def _slow_summary(data: dict[str, Any]) -> None:
    # the developer's first summary, right after its first patch, streams for about 3 s
    entries = data["roles"]["developer"]
    first_patch = next(n for n, e in enumerate(entries)
                       if any(c["name"] == "propose_patch" for c in e.get("tool_calls") or []))
    entries[first_patch + 1]["chunk_delay_ms"] = 500


async def test_an_applied_edit_is_in_the_diff_pane_before_the_turn_ends(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    app = tui(store, demo_config(demo_repo, model=script_with(tmp_path, _slow_summary)))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = run_screen(pilot)
        await wait_for(pilot, lambda: screen.view.worktree_diff is not None, 20, "the edit")
        await pilot.pause()
        assert screen.view.active_role == "developer" and screen.view.patch is None
        assert str(screen.query_one("#diff").border_title) == "3 Diff · 2 files, 2 hunks"
        assert "+    def low_stock" in screen.query_one(DiffView)._text
        await wait_for(pilot, lambda: screen.view.patch is not None, 20, "the turn's patch")
