"""Small deterministic apps hosting one widget each, for Pilot and snapshot tests."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.message import Message

from agents.contracts import FeatureSpec
from agents.view_state import RunView
from widgets.conversation import ConversationView
from widgets.diff_lines import DiffLines
from widgets.diff_view import DiffView
from widgets.samples import SAMPLE_DIFF, SAMPLE_FUNCTIONS, SAMPLE_SPEC, sample_events
from widgets.spec_editor import SpecEditor


class RecordingApp(App[None]):
    """Records every message the hosted widget posts that the test cares about."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.messages: list[Message] = []

    def record(self, message: Message) -> None:
        self.messages.append(message)


class DiffApp(RecordingApp):
    def __init__(self, diff_text: str = SAMPLE_DIFF, *, read_only: bool = False,
                 functions: bool = True) -> None:
        super().__init__()
        self.diff_text = diff_text
        self.read_only = read_only
        self.functions = functions

    def compose(self) -> ComposeResult:
        view = DiffView(self.diff_text, read_only=self.read_only)
        if self.functions:
            view.set_changed_functions(SAMPLE_FUNCTIONS)
        yield view

    def on_mount(self) -> None:
        self.query_one(DiffLines).focus()

    def on_diff_view_hunk_toggled(self, message: DiffView.HunkToggled) -> None:
        self.record(message)


class ConversationApp(RecordingApp):
    def __init__(self, events: int | None = None) -> None:
        super().__init__()
        self.view = RunView.from_events(sample_events()[:events])

    def compose(self) -> ComposeResult:
        yield ConversationView()

    def on_mount(self) -> None:
        conversation = self.query_one(ConversationView)
        conversation.load(self.view)
        conversation.focus()

    def on_conversation_view_item_selected(self, message: ConversationView.ItemSelected) -> None:
        self.record(message)


class SpecApp(RecordingApp):
    def __init__(self, *, read_only: bool = False, spec: FeatureSpec | None = SAMPLE_SPEC) -> None:
        super().__init__()
        self.spec = spec
        self.read_only = read_only
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield SpecEditor(self.spec, read_only=self.read_only)

    def on_mount(self) -> None:
        area = self.query_one(SpecEditor).text_area
        area.cursor_blink = False
        area.focus()

    def bell(self) -> None:
        self.bells += 1

    def on_spec_editor_approved(self, message: SpecEditor.Approved) -> None:
        self.record(message)

    def on_spec_editor_validated(self, message: SpecEditor.Validated) -> None:
        self.record(message)
