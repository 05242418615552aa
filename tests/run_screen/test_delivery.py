"""After the final approval the screen keeps the commit and branch on show, with the key that
brings the change onto the user's own branch; the change lands there only after a yes."""

from __future__ import annotations

from pathlib import Path

import pygit2

from widgets.approval_bar import ApprovalBar
from widgets.composer import Composer
from workbench.store import RunStore

from .conftest import at_gate, demo_config, finished, tui, wait_for


async def test_the_committed_change_is_on_show_and_y_applies_it_after_a_confirmation(
    store: RunStore, demo_repo: Path
) -> None:
    repo = pygit2.Repository(str(demo_repo))
    before = repo.head.target
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        await at_gate(pilot, "final")
        await pilot.press("a")
        screen = await finished(pilot)
        await pilot.pause()
        bar = screen.query_one(ApprovalBar)
        commit, branch = screen.view.commit or "", screen.view.branch
        assert commit and branch
        text = str(bar.render())
        assert text.startswith(f"✓ Committed {commit[:10]} on {branch}")
        assert "y  apply to my branch" in text
        composer = screen.query_one(Composer)
        await wait_for(pilot, lambda: composer.placeholder.startswith("The run has finished"),
                       5, "the composer to stop offering steers")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is not screen, 5, "the confirmation")
        await pilot.press("n")  # not now: nothing moves
        await wait_for(pilot, lambda: app.screen is screen, 5, "back on the run")
        assert repo.head.target == before
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is not screen, 5, "the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: pygit2.Repository(str(demo_repo)).head.target != before,
                       10, "the commit on the user's branch")
        await wait_for(pilot, lambda: "· applied to " in str(bar.render()), 5,
                       "the bar to say where the change went")
    landed = pygit2.Repository(str(demo_repo))
    assert landed.head.shorthand == repo.head.shorthand  # the user's branch, not the run's
    assert landed.get(landed.head.target).message == landed.get(commit).message
