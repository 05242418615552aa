"""The composer under a live run: steers addressed to a role or to the next turn, slash
commands, @ completion, and clear errors for what cannot be sent."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label

from widgets.composer import Composer, parse_composer
from workbench.store import RunStore
from workbench.tui.screens.prompt import TextPrompt

from .conftest import at_gate, demo_config, tui, wait_for


def test_lines_are_read_as_steers_commands_or_errors() -> None:
    assert parse_composer("keep it short").target == "next"
    steer = parse_composer("@Reviewer  be strict about naming")
    assert (steer.kind, steer.target, steer.text) == ("steer", "reviewer",
                                                      "be strict about naming")
    assert parse_composer("@inventory/stock.py needs a docstring").target == "next"
    assert parse_composer("/cost").command == "/cost"
    assert parse_composer("/frobnicate").text == "Unknown command /frobnicate: /help lists them"
    assert parse_composer("@developer").kind == "error"
    assert parse_composer("   ").kind == "error"


async def test_a_steer_for_the_reviewer_skips_the_developer_and_reaches_the_reviewer(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.press("i")
        composer = screen.query_one(Composer)
        assert composer.has_focus
        await pilot.press(*"@rev")
        await wait_for(pilot, lambda: composer._suggestion == "@reviewer ", 5, "role completion")
        await pilot.press("right", *"Check the ordering of ties", "enter")
        assert not composer.has_focus and composer.value == ""
        await pilot.press("a")
        await at_gate(pilot, "final")
        run_id = screen.run_id
    steer = [e.payload() for e in store.events(run_id) if e.kind == "steer"]
    assert steer == [{"text": "Check the ordering of ties", "target_role": "reviewer",
                      "review_comment": True}]
    turns = [e for e in store.events(run_id) if e.kind == "turn_started"]
    first_dev = next(e for e in turns if e.role == "developer")
    first_review = next(e for e in turns if e.role == "reviewer")
    assert "Check the ordering of ties" not in first_dev.payload()["task"]
    assert "Check the ordering of ties" in first_review.payload()["task"]


async def test_paths_complete_and_bad_lines_say_why(store: RunStore, demo_repo: Path) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.press("i")
        composer = screen.query_one(Composer)
        await pilot.press(*"look at @inventory/st")
        await wait_for(pilot, lambda: composer._suggestion == "look at @inventory/stock.py", 5,
                       "path completion")
        # what is typed is on screen while the composer has focus (one row, no border)
        assert composer.size.height == 1
        assert "look at @inventory/st" in composer.render_line(0).text
        composer.clear()
        await pilot.press(*"/frobnicate", "enter")
        await wait_for(pilot, lambda: any("Unknown command /frobnicate" in str(n.message)
                                          for n in app._notifications), 5, "the error")
        assert composer.has_focus and composer.value == "/frobnicate"  # kept to fix it
        composer.clear()
        await pilot.press(*"/cost", "enter")
        await wait_for(pilot, lambda: any("requirements:" in str(n.message) and "run:" in
                                          str(n.message) for n in app._notifications), 5,
                       "the cost per role")
        await pilot.press("r")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press("enter")  # an empty change request is refused, with a reason
        assert isinstance(app.screen, TextPrompt)
        assert "Nothing to send" in str(app.screen.query_one("#prompt-hint", Label).render())
