"""What the live and the replay run screens share: conversation, spec, diff and tests side by
side (tabs when narrow), a status bar, the approval bar and the footer. Every pane is drawn
from :class:`RunState`, which only events change; the two screens differ in where the events
come from (an engine as it works, or the store) and in the keys that act on them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Tab, Tabs
from textual.worker import Worker, WorkerState

from agents.contracts import RunStatus
from agents.run_state import PatchRef, RunState
from widgets.approval_bar import ApprovalBar
from widgets.conversation import ConversationView
from widgets.diff_view import DiffView
from widgets.footer import KeyFooter
from widgets.spec_editor import SpecEditor
from widgets.status_bar import RunStatusBar
from widgets.test_output import TestOutputView
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.confirm import ConfirmScreen
from workbench.tui.screens.run_panes import changed_functions_by_file, focus_pane, pane_titles

if TYPE_CHECKING:
    from workbench.delivery import ApplyPlan

PANES = ("conversation", "spec", "diff", "tests")
WIDE = 150


class RunScreen(Screen[None]):
    """The panes of one run. Subclasses: :class:`LiveRunScreen`, :class:`ReplayScreen`."""

    CSS_PATH = "run.tcss"
    SHARED_BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "maximize_pane", "Maximize pane", id="run.maximize"),
        Binding("y", "apply_change", "Apply to my branch", id="run.apply"),
        Binding("1", "pane('conversation')", "Conversation", show=False, id="run.pane_1"),
        Binding("2", "pane('spec')", "Spec", show=False, id="run.pane_2"),
        Binding("3", "pane('diff')", "Diff", show=False, id="run.pane_3"),
        Binding("4", "pane('tests')", "Tests", show=False, id="run.pane_4"),
        Binding("escape", "leave", "Back", id="run.back"),
        # pane keys that work from anywhere on the screen (the focused pane's own come first)
        Binding("n", "diff_hunk(1)", "Next hunk", show=False, id="run.next_hunk"),
        Binding("p", "diff_hunk(-1)", "Prev hunk", show=False, id="run.prev_hunk"),
        Binding("s", "diff_split", "Split/unified", show=False, id="run.toggle_split"),
        Binding("l", "full_log", "Full test log", show=False, id="run.full_log"),
    ]
    """Keys both screens have, listed after each screen's own (footer order)."""
    replay: ClassVar[bool] = False
    """True on the screen that steps through a stored run."""

    def __init__(self, store: RunStore, run_id: str) -> None:
        super().__init__()
        self.store = store
        self.run_id = run_id
        self.view = RunState()
        self._patch_cache: dict[int, str] = {}
        self._pane = "conversation"
        self._focus = ""
        self._diff_text = ""
        self._applied = ""  # once applied here: where the change went, shown on the bar

    def compose(self) -> ComposeResult:
        yield RunStatusBar(id="status")
        yield Tabs(*(Tab(p.title(), id=f"tab-{p}") for p in PANES), id="pane-tabs")
        with Container(id="panes"):
            yield ConversationView(id="conversation", classes="pane")
            yield SpecEditor(id="spec", classes="pane")
            yield DiffView(id="diff", classes="pane")
            yield TestOutputView(id="tests", classes="pane")
        yield from self.compose_extra()
        yield ApprovalBar(id="approval")
        yield KeyFooter()

    def compose_extra(self) -> ComposeResult:
        """Widgets a subclass adds between the panes and the approval bar."""
        yield from ()

    def on_mount(self) -> None:
        self.sub_title = self.run_id
        self._apply_layout(self.size.width)
        self.refresh_panes()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``y`` is in the footer only once there is an approved commit to apply."""
        if action == "apply_change":
            return self.view.status is RunStatus.APPROVED and bool(self.view.branch)
        return True

    # layout ----------------------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width)

    def _apply_layout(self, width: int) -> None:
        self.set_class(width < WIDE, "-narrow")
        for pane in PANES:
            self.query_one(f"#{pane}").set_class(pane == self._pane, "-active")

    def action_pane(self, pane: str, focus: bool = True) -> None:
        self._pane = pane
        self.query_one("#pane-tabs", Tabs).active = f"tab-{pane}"
        self._apply_layout(self.size.width)
        if focus:
            self.query_one(f"#{pane}").focus()
        elif self._editing_spec():
            self.set_focus(None)

    def _editing_spec(self) -> bool:
        focused = self.focused
        return focused is not None and self.query_one(SpecEditor) in focused.ancestors_with_self

    def action_maximize_pane(self) -> None:
        """Give the focused pane (or the current tab) the whole screen; again to restore."""
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        pane = next((w for w in (focused.ancestors_with_self if focused else [])
                     if isinstance(w, Widget) and w.has_class("pane")), None)
        self.maximized = pane or self.query_one(f"#{self._pane}", Widget)

    def _bring(self, pane: str) -> None:
        """Show ``pane`` (its tab when narrow) without taking focus from where it is."""
        if self._pane != pane and self.has_class("-narrow"):
            self.action_pane(pane, focus=False)

    def action_diff_hunk(self, direction: int) -> None:
        self._bring("diff")
        self.query_one(DiffView).action_hunk(direction)

    def action_diff_split(self) -> None:
        self._bring("diff")
        self.query_one(DiffView).action_toggle_split()

    def action_full_log(self) -> None:
        self._bring("tests")
        self.query_one(TestOutputView).action_toggle_log()

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        pane = (event.tab.id or "tab-conversation").removeprefix("tab-")
        if pane != self._pane:
            self._pane = pane
            self._apply_layout(self.size.width)

    # panes from the run state -------------------------------------------------------------
    def refresh_panes(self) -> None:
        """Pane titles with their counts, and the layout the phase calls for (the pane the
        phase is about gets the larger share of the screen)."""
        view = self.view
        diff = self.query_one(DiffView)
        titles = pane_titles(view, len(diff.model.files), len(diff.model.hunk_ids),
                             len(diff.rejected_hunks))
        for pane, title in titles.items():
            widget = self.query_one(f"#{pane}")
            if widget.border_title != title:
                widget.border_title = title
        focus = focus_pane(view)
        if focus != self._focus:
            panes = self.query_one("#panes")
            panes.remove_class(f"-focus-{self._focus}")
            panes.add_class(f"-focus-{focus}")
            self._focus = focus

    @on(DiffView.HunkToggled)
    def _hunk_toggled(self) -> None:
        self.refresh_panes()

    def patch_text(self, ref: PatchRef | None) -> str:
        """The diff of a recorded patch (diffs live in the artifacts table, read once)."""
        if ref is None or ref.artifact_id is None:
            return ""
        cached = self._patch_cache.get(ref.artifact_id)
        if cached is None:
            cached = self._patch_cache[ref.artifact_id] = self.store.patch_diff(
                ref.artifact_id) or ""
        return cached

    def _show_diff(self, diff: str) -> None:
        if diff == self._diff_text:
            return
        self._diff_text = diff
        view = self.query_one(DiffView)
        view.load_diff(diff)
        view.set_rejected_hunks(self.view.rejected_hunks)
        self._show_functions()

    def _show_functions(self) -> None:
        """The changed functions the engine recorded (at review and at the final gate): the
        screen learns about the worktree only through events, never by analysing it."""
        self.query_one(DiffView).set_changed_functions(
            changed_functions_by_file(self.view.changed_functions))

    @on(ApprovalBar.Chosen)
    def _bar_choice(self, message: ApprovalBar.Chosen) -> None:
        """A click on the bar runs the action its key would."""
        handler = getattr(self, f"action_{message.choice}", None)
        if callable(handler):
            handler()

    # delivering the change ------------------------------------------------------------------
    def show_bar(self, *, live: bool) -> None:
        """The bar under the panes: the gate waiting for an answer, else, once the change is
        approved and committed, its commit and branch with the key that applies it."""
        view, bar = self.view, self.query_one(ApprovalBar)
        if view.pending_approval is None and view.status is RunStatus.APPROVED and view.commit:
            bar.show_gate("delivered", f"{view.commit[:10]} on {view.branch}{self._applied}",
                          live=live)
        else:
            bar.show_gate(view.pending_approval, view.pending_message, live=live)

    def action_apply_change(self) -> None:
        """Bring the approved commit onto the branch checked out in the run's repository,
        after a confirmation that says what will happen."""
        from workbench.delivery import plan_apply
        from workbench.gitops import GitError

        view = self.view
        if view.status is not RunStatus.APPROVED or not view.branch or not view.repo:
            self.notify("Apply: only an APPROVED run has a commit to apply", severity="warning")
            return
        try:
            plan = plan_apply(Path(view.repo), view.branch)
        except GitError as exc:
            self.notify(str(exc).splitlines()[0], title="Cannot apply", severity="error")
            return
        self.app.push_screen(ConfirmScreen(plan.describe()[:600] + "\nApply it?",
                                           yes="Apply", no="Not now"),
                             lambda yes: self._apply_plan(plan) if yes else None)

    def _apply_plan(self, plan: ApplyPlan) -> None:
        from workbench.delivery import apply_plan
        from workbench.gitops import GitError

        try:
            sha = apply_plan(plan)
        except GitError as exc:
            self.notify(str(exc).splitlines()[0], title="Cannot apply", severity="error")
            return
        self.notify(f"{plan.branch} is now at {sha[:10]} ({plan.mode})", title="Applied")
        self._applied = f" · applied to {plan.branch} as {sha[:10]}"
        self.show_bar(live=self.query_one(ApprovalBar).live)

    # full log on demand -----------------------------------------------------------------------
    @on(TestOutputView.FullLogRequested)
    def _full_log(self, message: TestOutputView.FullLogRequested) -> None:
        self._load_log(message.artifact_id)

    @work(thread=True, exclusive=True, group="log", exit_on_error=False)
    def _load_log(self, artifact_id: int | None) -> None:
        text = self.store.artifact(artifact_id).content if artifact_id else "(no log recorded)"
        self.app.call_from_thread(self.query_one(TestOutputView).set_full_log, text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            if event.worker.group == "log":
                self.query_one(TestOutputView).set_full_log("(the full log could not be read)")
            if isinstance(self.app, WorkbenchApp):
                self.app.worker_failed(event.worker)

    # leaving ------------------------------------------------------------------------------
    def action_leave(self) -> None:
        """Escape leaves the spec editor first; from elsewhere it goes back."""
        if self._editing_spec():
            self.set_focus(None)
            return
        self.app.pop_screen()
