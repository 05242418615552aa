"""Small deterministic apps hosting one widget each, for Pilot and snapshot tests."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from agents.contracts import FeatureSpec, TestResult
from agents.run_state import RunState
from widgets.approval_bar import ApprovalBar
from widgets.conversation import ConversationView
from widgets.diff_lines import DiffLines
from widgets.diff_view import DiffView
from widgets.samples import (
    SAMPLE_DIFF,
    SAMPLE_FUNCTIONS,
    SAMPLE_LOG,
    SAMPLE_SPEC,
    SAMPLE_TEST_RESULT,
    sample_events,
)
from widgets.spec_editor import SpecEditor
from widgets.status_bar import RunStatusBar
from widgets.test_output import TestOutputView


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
        self.view = RunState.from_events(sample_events()[:events])

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


class TestOutputApp(RecordingApp):
    __test__ = False

    def __init__(self, result: TestResult | None = SAMPLE_TEST_RESULT, *,
                 supply_log: bool = True) -> None:
        super().__init__()
        self.result = result
        self.supply_log = supply_log

    def compose(self) -> ComposeResult:
        yield TestOutputView(self.result)

    def on_mount(self) -> None:
        self.query_one(TestOutputView).focus()

    def on_test_output_view_full_log_requested(
            self, message: TestOutputView.FullLogRequested) -> None:
        self.record(message)
        if self.supply_log:
            self.query_one(TestOutputView).set_full_log(SAMPLE_LOG)


class StatusBarApp(App[None]):
    """A status bar over a fixed run state (optionally cut after ``events`` events)."""

    def __init__(self, events: int | None = None, *, step_mode: bool = False,
                 paused: bool = False) -> None:
        super().__init__()
        self.view = RunState.from_events(sample_events()[:events])
        self.step_mode = step_mode
        self.paused = paused

    def compose(self) -> ComposeResult:
        bar = RunStatusBar(self.view)
        bar.step_mode = self.step_mode
        bar.paused = self.paused
        yield bar


class ApprovalApp(RecordingApp):
    """An approval bar under a screen that binds the answers to keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve"), Binding("r", "request_changes", "Request changes"),
        Binding("x", "reject", "Reject"), Binding("i", "steer", "Steer"),
    ]

    def __init__(self, gate: str | None = "spec", *, live: bool = True) -> None:
        super().__init__()
        self.gate = gate
        self.live = live
        self.actions: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("run panes")
        yield ApprovalBar()

    def on_mount(self) -> None:
        self.query_one(ApprovalBar).show_gate(self.gate, "Approve the spec", live=self.live)

    def action_approve(self) -> None:
        self.actions.append("approve")

    def on_approval_bar_chosen(self, message: ApprovalBar.Chosen) -> None:
        self.record(message)
