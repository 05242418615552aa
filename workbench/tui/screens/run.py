"""The live run screen: an engine's events as it works, and the controls that answer it
(gates, steering, step mode, pause). The panes are the ones the replay screen draws."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message

from agents.contracts import RunStatus
from agents.events import ArtifactRecorded, EventBase, ModelChunk
from widgets.activity_line import ActivityLine
from widgets.composer import Composer
from widgets.conversation import ConversationView
from widgets.spec_editor import SpecEditor
from widgets.status_bar import RunStatusBar
from widgets.test_output import TestOutputView
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.confirm import LEAVE_QUESTION
from workbench.tui.screens.run_base import RunScreen
from workbench.tui.screens.run_composer import cost_report, help_text, model_report, repo_paths
from workbench.tui.screens.run_gates import ANSWERABLE, GateAnswers

if TYPE_CHECKING:
    from workbench.engine.base import RunOutcome
    from workbench.tui.live import LiveRun


class LiveRunScreen(RunScreen):
    """A run whose engine works in this process; the screen starts it once mounted."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", id="run.approve"),
        Binding("r", "request_changes", "Request changes", id="run.request_changes"),
        Binding("x", "reject", "Reject", id="run.reject"),
        Binding("i", "steer", "Steer", id="run.steer"),
        Binding("f6", "toggle_step", "Step mode", id="run.step_mode"),
        Binding("full_stop", "next_turn", "Next turn", key_display=".", id="run.next_turn"),
        Binding("z", "pause", "Pause/resume", id="run.pause"),
        Binding("e", "edit_spec", "Edit spec", id="run.edit_spec"),
        Binding("R", "resume_run", "Resume run", id="run.resume"),
        *RunScreen.SHARED_BINDINGS,
    ]

    class EventPosted(Message):
        """An engine event, delivered on the UI thread."""

        def __init__(self, event: EventBase) -> None:
            super().__init__()
            self.event = event

    class RunDone(Message):
        def __init__(self, outcome: RunOutcome | None, error: str) -> None:
            super().__init__()
            self.outcome = outcome
            self.error = error

    def __init__(self, store: RunStore, run_id: str) -> None:
        super().__init__(store, run_id)
        self.live: LiveRun | None = None
        self._catching_up = False
        self._paused = False
        self.gates = GateAnswers(self)

    def compose_extra(self) -> ComposeResult:
        yield ActivityLine(id="activity")
        yield Composer(lambda: repo_paths(self.view.repo, self.view.base_commit), id="composer")

    # wiring --------------------------------------------------------------------------------
    def attach(self, live: LiveRun) -> None:
        self.live = live

    def post_event(self, event: EventBase) -> None:
        """Called on the engine thread; post_message is thread-safe."""
        self.post_message(self.EventPosted(event))

    def post_done(self, outcome: RunOutcome | None, error: str) -> None:
        self.post_message(self.RunDone(outcome, error))

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(RunStatusBar).clock = self.live is not None
        self._catching_up = True  # gates already answered are history, not news
        try:
            for event in self.store.events(self.run_id):
                self._apply(event)
        finally:
            self._catching_up = False
        if self.live is not None:
            # A resumed run continues at the gate its events are waiting at (parked or
            # interrupted there): the engine takes the answer from this bar.
            self.show_bar(live=True)
            self._open_gate(self.view.pending_approval)
            self.live.start()  # after the stored events, so nothing is shown twice

    def action_edit_spec(self) -> None:
        self.action_pane("spec")
        self.query_one(SpecEditor).focus()

    # events -> panes -------------------------------------------------------------------------
    @on(EventPosted)
    def _on_event(self, message: EventPosted) -> None:
        self._apply(message.event)

    def _apply(self, event: EventBase) -> None:
        if event.seq and event.seq <= self.view.last_seq:
            return  # already shown: stored events read at mount overlap the live stream
        before = len(self.view.items)
        self.view.apply(event)
        conversation = self.query_one(ConversationView)
        if isinstance(event, ModelChunk):
            conversation.append_chunk(event.role, event.text)
        for item in self.view.items[before:]:
            conversation.add_item(item)
        if isinstance(event, ArtifactRecorded):
            self._on_artifact(event.type)
        if event.kind in ("approval_requested", "approval_given", "run_finished", "run_parked",
                          "run_interrupted"):
            self._on_gate(event)
        self.query_one(RunStatusBar).update_view(self.view)
        self.query_one(ActivityLine).follow(event, self.view)
        if not isinstance(event, ModelChunk):
            self.refresh_panes()

    def _on_artifact(self, kind: str) -> None:
        if kind == "spec" and self.view.spec is not None:
            self.query_one(SpecEditor).load_spec(self.view.spec)
        elif kind == "draft" and (draft := self.view.draft or {}).get("contract") == "FeatureSpec":
            # the requirements agent gave up: the human starts from its last attempt
            self.query_one(SpecEditor).load_draft(str(draft.get("text", "")))
        elif kind in ("patch", "worktree_diff") and self.view.shown_diff is not None:
            self._show_diff(self.patch_text(self.view.shown_diff))
        elif kind in ("test_result", "log"):
            self.query_one(TestOutputView).show_result(self.view.test_result)
        elif kind in ("static_checks", "changed_functions"):
            self._show_functions()

    def _on_gate(self, event: EventBase) -> None:
        # An interrupted engine takes no answer: its gate is answered after a resume.
        answerable = event.kind != "run_interrupted"
        self.show_bar(live=answerable)
        self.refresh_bindings()
        if self._catching_up or self.live is None:
            return
        if event.kind == "approval_requested":
            self._open_gate(getattr(event, "gate", None))

    def _open_gate(self, gate: str | None) -> None:
        """Bring the pane a live gate is about to the front."""
        if gate == "spec":
            self.action_pane("spec", focus=False)
            self.notify("a approve · e edit the spec (ctrl+s approves from the editor) · "
                        "r request changes · x reject", title="Spec ready for review")
        elif gate == "final":
            self.action_pane("diff")

    @on(RunDone)
    def _on_done(self, message: RunDone) -> None:
        self.refresh_bindings()
        self.query_one(Composer).show_run_state("finished" if self.view.finished else "stopped")
        self.query_one(RunStatusBar).clock = False  # no engine: the elapsed time stops here
        if message.outcome is not None:
            outcome = message.outcome
            ok = outcome.status is RunStatus.APPROVED
            where = (f"\ncommitted {outcome.commit[:10]} on {outcome.branch}: y brings it "
                     "onto your branch" if ok and outcome.commit else "")
            self.notify(f"{outcome.status.value}: {outcome.reason}{where}", title="Run finished",
                        severity="information" if ok else "warning", timeout=10 if ok else 5)
        elif message.error:
            hint = ("Interrupted: R resumes it from its last finished turn · esc goes back"
                    if message.error.startswith("interrupted") else message.error)
            self.notify(hint, title="Run stopped", severity="warning")

    # controls ----------------------------------------------------------------------------------
    def action_approve(self) -> None:
        self.gates.approve()

    def action_request_changes(self) -> None:
        self.gates.request_changes()

    def action_reject(self) -> None:
        self.gates.reject()

    @on(SpecEditor.Approved)
    def _spec_approved(self, message: SpecEditor.Approved) -> None:
        self.gates.approve()

    def action_steer(self) -> None:
        """Into the composer: a steer for the next turn, @role for one role, or /command."""
        self.query_one(Composer).focus()

    @on(Composer.Sent)
    def _composed(self, message: Composer.Sent) -> None:
        parsed = message.parsed
        if parsed.kind == "error":
            self.app.bell()
            self.notify(parsed.text, title="Composer", severity="error")
        elif parsed.kind == "command":
            self._command(parsed.command)
        elif self.live is None or not self.live.running:
            self.notify("Steer: the run is not live; resume it first (R)", severity="warning")
        else:
            self.live.steer(parsed.text, parsed.target)
            where = ("the next agent turn" if parsed.target == "next"
                     else f"the {parsed.target}'s next turn")
            self.notify(f"Delivered to {where} (recorded as a review comment)", title="Steer")

    def _command(self, command: str) -> None:
        view = self.view
        if command == "/approve":
            self.action_approve()
        elif command == "/reject":
            self.action_reject()
        elif command == "/diff":
            self.action_pane("diff")
        elif command == "/cost":
            self.notify(cost_report(view), title="Cost", timeout=12)
        elif command == "/model":
            self.notify(model_report(view), title="Models", timeout=12)
        else:
            self.notify(help_text(), title="Composer", timeout=15)

    def action_toggle_step(self) -> None:
        if self.live is None:
            return
        on_now = not self.live.control.step_mode
        self.live.set_step_mode(on_now)
        self.query_one(RunStatusBar).step_mode = on_now
        self.refresh_bindings()
        self.notify(f"Step mode {'on: the run pauses after every agent turn' if on_now else 'off'}")

    def action_next_turn(self) -> None:
        """Past the step gate; while paused, exactly one agent turn (then paused again)."""
        if self.live is None:
            return
        self.live.continue_step()
        if self._paused:
            self.notify("One agent turn, then paused again (z resumes)", title="Paused")

    def action_pause(self) -> None:
        if self.live is None:
            return
        self._paused = not self._paused
        if self._paused:
            self.live.pause()
            self.notify("Paused before the next agent turn: . runs one turn, z resumes")
        else:
            self.live.resume()
            self.notify("Resumed")
        self.query_one(RunStatusBar).paused = self._paused
        self.refresh_bindings()

    # which keys apply now ----------------------------------------------------------------------
    _GATE_ACTIONS = frozenset({"approve", "request_changes", "reject"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that do not apply now stay in the footer, dimmed, and do nothing."""
        running = self.live is not None and self.live.running
        gate = self.view.pending_approval
        if action in self._GATE_ACTIONS:
            answerable = gate in ANSWERABLE or (
                gate == "step" and action == "approve")
            return True if running and answerable else None
        if action == "edit_spec":
            return True if running and gate == "spec" else None
        if action in ("steer", "toggle_step", "pause"):
            return True if running else None
        if action == "resume_run":
            return self.live is not None and not running and not self.view.finished
        if action == "next_turn":
            return True if running and (gate == "step" or self._paused) else None
        return super().check_action(action, parameters)

    def action_leave(self) -> None:
        """Escape leaves the spec editor first. While an agent turn is under way it interrupts
        the run there (recorded; R resumes it from its last finished turn). At a gate, or once
        stopped, it goes back to the run list: a run still waiting for an answer stops there
        after a confirmation, recorded as interrupted, and can be resumed from the list."""
        if isinstance(self.focused, Composer):
            self.set_focus(None)
            return
        if self._editing_spec() or self.live is None or not self.live.running:
            super().action_leave()
            return
        if self.view.pending_approval is None and not self.live.stopping:
            self.live.stop()
            self.notify("Interrupting the turn under way…", title="Interrupt")
            return
        app = self.app
        if not isinstance(app, WorkbenchApp):  # a bare host app: stop without asking
            self.app.pop_screen()
            return
        app.confirm_stop([self.live], LEAVE_QUESTION, "Leave and stop", self._left_after_stop)

    def action_resume_run(self) -> None:
        """Continue an interrupted run here: a new engine picks it up from its events."""
        app = self.app
        if isinstance(app, WorkbenchApp):
            app.pop_screen()
            app.resume_run(self.run_id)

    def _left_after_stop(self, stuck: list[str]) -> None:
        if stuck:
            self.notify("The engine is still stopping; the run list shows it once it has.",
                        severity="warning")
        if self.is_current:
            self.app.pop_screen()

    def on_unmount(self) -> None:
        if self.live is not None and self.live.running:
            self.live.stop()
