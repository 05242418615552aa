"""The panes explain themselves: titles with counts, a layout that follows the phase, and
specs and reviews drawn as cards with the raw JSON one key away."""

from __future__ import annotations

from pathlib import Path

from textual.widget import Widget

from widgets.conversation import ConversationView
from workbench.store import RunStore

from .conftest import at_gate, demo_config, tui, wait_for


def _title(screen: Widget, pane: str) -> str:
    return str(screen.query_one(f"#{pane}").border_title)


def _area(screen: Widget, pane: str) -> int:
    region = screen.query_one(f"#{pane}").region
    return region.width * region.height


def _text(view: ConversationView) -> str:
    return "\n".join(view.render_line(y).text.rstrip() for y in range(view.size.height))


async def test_titles_count_what_each_pane_holds_and_the_phase_pane_is_largest(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.pause()
        assert _title(screen, "spec") == "2 Spec · INV-7 · waiting for you"
        assert _title(screen, "diff") == "3 Diff · no changes yet"
        assert _title(screen, "tests") == "4 Tests · not run yet"
        assert _title(screen, "conversation").startswith("1 Conversation · ")
        assert _area(screen, "spec") > max(_area(screen, p) for p in
                                           ("conversation", "diff", "tests"))
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        await pilot.pause()
        assert _title(screen, "spec") == "2 Spec · INV-7"
        assert _title(screen, "diff") == "3 Diff · 3 files, 3 hunks"
        assert _title(screen, "tests") == "4 Tests · 5 passed, 0 failed"
        assert _area(screen, "diff") > max(_area(screen, p) for p in
                                           ("conversation", "spec", "tests"))
        assert screen.query_one("#diff").region.width >= 90  # code lines are not cut at 62
        await wait_for(pilot, lambda: screen.query_one("#diff").has_focus_within, 5, "diff focus")
        await pilot.press("space")  # leave the first hunk out
        await wait_for(pilot, lambda: _title(screen, "diff").endswith(", 1 rejected"), 5,
                       "the rejected hunk in the title")


async def test_spec_and_review_replies_are_cards_with_the_raw_json_on_enter(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 60)) as pilot:
        screen = await at_gate(pilot, "spec")
        conversation = screen.query_one(ConversationView)
        await pilot.pause()
        shown = _text(conversation)
        assert "spec INV-7 · risk low" in shown
        assert "☐ low_stock(-1) raises ValueError" in shown
        assert '"feature_id"' not in shown
        spec_reply = next(i for i, item in enumerate(conversation.items)
                          if item.kind == "message" and item.role == "requirements")
        conversation.focus()
        await pilot.press("home", *["down"] * spec_reply, "enter")
        await wait_for(pilot, lambda: '"feature_id": "INV-7"' in _text(conversation), 5,
                       "the raw JSON")
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        reviews = [item.text for item in conversation.items
                   if item.kind == "message" and item.role == "reviewer"]
        assert reviews
        conversation.focus()
        first_review = next(i for i, item in enumerate(conversation.items)
                            if item.kind == "message" and item.role == "reviewer")
        await pilot.press("home", *["down"] * first_review)
        await wait_for(pilot, lambda: "review NEEDS_REVISION · 1 issue" in _text(conversation),
                       5, "the review card")
        shown = _text(conversation)
        assert "● major · inventory/stock.py:46 · correctness" in shown
        assert "│ fix: Raise ValueError" in shown
