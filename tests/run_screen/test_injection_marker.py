"""A suspected injection shows as a marker in the conversation pane of a live run."""

from __future__ import annotations

from pathlib import Path

from widgets.conversation import ConversationView
from widgets.diff_view import DiffView
from workbench.store import RunStore

from ..engine.test_injection_run import add_injection
from .conftest import at_gate, demo_config, tui, wait_for


def _text(view: ConversationView) -> str:
    return "\n".join(view.render_line(y).text.rstrip() for y in range(view.size.height))


async def test_an_injection_in_an_opened_file_shows_as_a_marker(
    store: RunStore, demo_repo: Path
) -> None:
    line = add_injection(demo_repo)
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        conversation = screen.query_one(ConversationView)
        markers = [i for i, item in enumerate(conversation.items) if item.kind == "injection"]
        assert markers, [item.kind for item in conversation.items]
        first = conversation.items[markers[0]]
        assert first.role == "developer" and first.name == "open_file"
        diff = screen.query_one(DiffView)  # the gate gives the diff focus on its next turn
        await wait_for(pilot, lambda: diff.has_focus_within, 5, "the diff to take focus")
        conversation.focus()
        await pilot.pause()
        await pilot.press("home", *["down"] * markers[0])
        expected = f"⚠ suspected injection in inventory/stock.py:{line}"
        await wait_for(pilot, lambda: expected in _text(conversation), 5, "the marker")
        assert "ignore_instructions (en)" in _text(conversation)
        await pilot.press("enter")  # its details: the rule, the tool call and the text
        await wait_for(pilot, lambda: '"text": "ignore all previous' in _text(conversation),
                       5, "the marker's details")
        assert '"tool": "open_file"' in _text(conversation)
    events = [e for e in store.events(screen.run_id) if e.kind == "injection_suspected"]
    assert events[0].payload()["source"] == f"inventory/stock.py:{line}"
