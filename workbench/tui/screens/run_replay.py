"""The replay screen: step through a stored run's events, jump, resume and fork.

The panes at event N are ``fold(events[:N])``, drawn by the widgets the live screen uses.
Snapshots every ``SNAPSHOT_EVERY`` events keep a jump backwards cheap on long runs.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from agents.contracts import RunStatus
from agents.events import EventBase
from agents.run_state import RunState
from widgets.conversation import ConversationView
from widgets.diff_view import DiffView
from widgets.spec_editor import SpecEditor
from widgets.status_bar import RunStatusBar
from widgets.test_output import TestOutputView
from workbench.tui.app import WorkbenchApp
from workbench.tui.heap import bulk_load
from workbench.tui.screens.prompt import TextPrompt
from workbench.tui.screens.run_base import RunScreen
from workbench.tui.screens.run_panes import changed_functions_by_file

if TYPE_CHECKING:
    from workbench.store import RunStore

SNAPSHOT_EVERY = 2000
_GOING = frozenset({"PENDING", "RUNNING", "WAITING_FOR_APPROVAL", "WAITING"})
"""Statuses of a run whose events may still grow."""


class ReplayScreen(RunScreen):
    """A stored run, read-only: its panes at any event; fork or resume it from there."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_spec", "Edit spec", id="run.edit_spec"),
        *RunScreen.SHARED_BINDINGS,
        Binding("left", "step(-1)", "Previous event", id="replay.back", priority=True),
        Binding("right", "step(1)", "Next event", id="replay.forward", priority=True),
        Binding("shift+left", "step(-25)", "25 events back", show=False, id="replay.back_many",
                priority=True),
        Binding("shift+right", "step(25)", "25 events on", show=False, id="replay.forward_many",
                priority=True),
        Binding("home", "jump_to(0)", "First event", show=False, id="replay.first"),
        Binding("end", "jump_to(-1)", "Last event", show=False, id="replay.last"),
        Binding("g", "goto", "Jump to event", id="replay.goto"),
        Binding("f", "fork", "Fork here", id="replay.fork"),
        Binding("R", "resume_run", "Resume run", id="replay.resume"),
    ]
    replay: ClassVar[bool] = True
    FOLLOW_SECONDS: ClassVar[float] = 1.0
    """How often the replay of a run that another process drives (a worker, another
    terminal) reads the events recorded since."""

    def __init__(self, store: RunStore, run_id: str) -> None:
        super().__init__(store, run_id)
        self._events: list[EventBase] = []
        self._position = 0
        self._snapshots: dict[int, RunState] = {}
        self._fork_edit = False
        self._followed_out = False

    def compose_extra(self) -> ComposeResult:
        yield Static("loading events…", id="replay-bar")

    def on_mount(self) -> None:
        super().on_mount()
        self.load_replay()
        self.set_interval(self.FOLLOW_SECONDS, self._follow)

    def _follow(self) -> None:
        """New events of a run still going elsewhere: appended; the panes follow them when
        the replay stands at the last event (a step back stays where it is)."""
        if not self._events or self._fork_edit:
            return
        try:
            going = self.store.get_run(self.run_id).status in _GOING
        except LookupError:  # pruned meanwhile
            return
        if not going:  # read once more: the last events come before the final status
            if self._followed_out:
                return
            self._followed_out = True
        new = self.store.events(self.run_id, after_seq=self._events[-1].seq)
        if not new:
            return
        at_end = self._position == len(self._events)
        self._events.extend(new)
        if not at_end:
            self._update_bar()
            return
        view = self.view
        for event in new:
            view.apply(event)
        self._position = len(self._events)
        self._render_view(view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step" and self._editing_spec():
            return False  # arrows move the cursor while the spec is being edited
        return super().check_action(action, parameters)

    @work(thread=True, exclusive=True, group="replay-load", exit_on_error=False)
    def load_replay(self) -> None:
        with bulk_load():
            events = self.store.events(self.run_id)
            view = RunState.from_events(events)
        self.app.call_from_thread(self._replay_loaded, events, view)

    def _replay_loaded(self, events: list[EventBase], final: RunState) -> None:
        self._events = events
        self._snapshots = {}
        self._position = len(events)
        self._render_view(final)

    def _view_at(self, position: int) -> RunState:
        """The panes at ``position``: folded from the nearest earlier snapshot. Snapshots are
        taken the first time a jump lands far from every one (so opening a run stays cheap)."""
        base = max((k for k in self._snapshots if k <= position), default=0)
        view = copy.deepcopy(self._snapshots[base]) if base else RunState()
        for event in self._events[base:position]:
            view.apply(event)
        if position - base >= SNAPSHOT_EVERY:
            self._snapshots[position] = copy.deepcopy(view)
        return view

    def _render_view(self, view: RunState) -> None:
        self.view = view
        q = self.query_one
        q(ConversationView).load(view)
        spec = q(SpecEditor)
        if not self._fork_edit:
            spec.read_only = True
            spec.load_spec(view.spec)
        diff = q(DiffView)
        diff.read_only = True
        diff.load_diff(self.patch_text(view.shown_diff))
        diff.set_rejected_hunks(view.rejected_hunks)
        diff.set_changed_functions(changed_functions_by_file(view.changed_functions))
        q(TestOutputView).show_result(view.test_result)
        q(RunStatusBar).update_view(view)
        self.refresh_panes()
        self.refresh_bindings()
        self.show_bar(live=False)
        self._update_bar()

    def _update_bar(self) -> None:
        total = len(self._events)
        pos = self._position
        current = self._events[pos - 1] if pos else None
        where = f"{current.kind} · {current.role} · {current.summary()}" if current else "start"
        self.query_one("#replay-bar", Static).update(
            f"REPLAY  event {pos}/{total}  {where}{self._resume_hint() if pos == total else ''}"
        )

    def _resume_hint(self) -> str:
        """Where a run that can go on stopped, and how to continue it (at its last event)."""
        view = self.view
        gate = view.pending_approval if view.pending_approval in ("spec", "final") else None
        at_gate = f" at the {gate} gate" if gate else ""
        if view.status is RunStatus.INTERRUPTED:
            return f"  ·  INTERRUPTED{at_gate}: R resumes it"
        if view.status is RunStatus.NEEDS_HUMAN_REVIEW:
            return "  ·  NEEDS HUMAN REVIEW: R takes it over"
        if view.status is RunStatus.WAITING:
            return f"  ·  WAITING for the model provider ({view.parked_reason}): R resumes it"
        if view.status is RunStatus.WAITING_FOR_APPROVAL and gate:
            return f"  ·  parked{at_gate}: R resumes it to answer"
        return ""

    def _goto(self, position: int) -> None:
        if not self._events:
            return
        position = max(0, min(len(self._events), position))
        if position == self._position:
            return
        if position == self._position + 1:
            self.view.apply(self._events[position - 1])
            self._position = position
            self._render_view(self.view)
            return
        self._position = position
        self._render_view(self._view_at(position))

    def action_step(self, delta: int) -> None:
        self._goto(self._position + delta)

    def action_jump_to(self, position: int) -> None:
        self._goto(len(self._events) if position < 0 else position)

    def action_goto(self) -> None:
        self.app.push_screen(TextPrompt("Jump to event number"), self._goto_answer)

    def _goto_answer(self, text: str | None) -> None:
        if text is None:
            return
        try:
            self._goto(int(text))
        except ValueError:
            self.notify(f"not an event number: {text}", severity="error")

    def action_edit_spec(self) -> None:
        self.start_fork_edit()
        self.action_pane("spec")
        self.query_one(SpecEditor).focus()

    def start_fork_edit(self) -> None:
        """Make the spec pane editable: the edited spec goes into the next fork."""
        self._fork_edit = True
        editor = self.query_one(SpecEditor)
        editor.read_only = False
        self.notify("Edit the spec, then press f to fork from this event with it",
                    title="Fork with an edited spec")

    def action_fork(self) -> None:
        """A new run that keeps the events up to here and continues live (with the spec as
        edited in the spec pane, if it was edited)."""
        editor = self.query_one(SpecEditor)
        spec = editor.current_spec() if editor.edited else None
        if editor.edited and spec is None:
            self.notify(f"The edited spec is invalid: {editor.error_summary}", severity="error")
            return
        from workbench.engine.fork import fork_run
        from workbench.engine.runner import EngineError

        try:
            new_id = fork_run(self.store, self.run_id, self._position, spec=spec)
        except (EngineError, ValueError, RuntimeError) as exc:
            self.notify(str(exc).splitlines()[0], title="Cannot fork", severity="error")
            return
        self.notify(f"forked as {new_id}", title="Fork")
        self._resume(new_id)

    def _resume(self, run_id: str) -> None:
        if isinstance(self.app, WorkbenchApp):
            self.app.resume_run(run_id)

    def action_resume_run(self) -> None:
        record = self.store.get_run(self.run_id)
        if record.status == RunStatus.NEEDS_HUMAN_REVIEW.value:
            from workbench.tui.screens.prompt import TextPrompt

            self.app.push_screen(TextPrompt(
                "Take over: what should change? (empty: take the change as reviewed)",
                "the developer goes on; start with requirements: or tester: to send it there",
                allow_empty=True), self._take_over)
            return
        if RunStatus(record.status).terminal:
            self.notify(f"run already finished: {record.status}; fork it instead (f)")
            return
        self._resume(self.run_id)

    def _take_over(self, answer: str | None) -> None:
        """Reopen a NEEDS_HUMAN_REVIEW run with the human's decision, then resume it."""
        from agents.contracts import Decision
        from workbench.engine.runner import EngineError, approve_run

        if answer is None:
            return
        role, sep, rest = answer.partition(":")
        send_to = role.strip().lower() if sep and role.strip().lower() in (
            "requirements", "developer", "tester") else None
        comment = (rest if send_to else answer).strip()
        decision = Decision.REQUEST_CHANGES if comment or send_to else Decision.APPROVE
        try:
            approve_run(self.store, self.run_id, decision, comment, send_to=send_to)
        except EngineError as exc:
            self.notify(str(exc), title="Cannot take over", severity="error")
            return
        self._resume(self.run_id)
