"""The Workbench Textual app: screens, themes, help and the command palette."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from themes import APP_CSS_PATH, THEMES, toggled_theme_name, variable_defaults
from workbench.config import DEFAULT_THEME, load_settings, save_settings
from workbench.store import RunStore
from workbench.tui.commands import BindingCommands
from workbench.tui.heap import freeze_grown_heap, settle_heap
from workbench.tui.model_choices import model_choices
from workbench.tui.screens.confirm import QUIT_QUESTION, ConfirmScreen
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.new_run import NewRunScreen, RunRequest
from workbench.tui.screens.runs import RunListScreen
from workbench.tui.validation import ModelValidator

if TYPE_CHECKING:
    from workbench.config import WorkbenchSettings

StartHook = Callable[["WorkbenchApp"], None]

STOP_TIMEOUT_S = 5.0
"""How long quitting waits for stopped engines to record their interruption."""

class EngineRun(Protocol):
    """A run whose engine works on its own thread (see ``workbench.tui.live.LiveRun``)."""

    @property
    def run_id(self) -> str: ...

    @property
    def running(self) -> bool: ...

    @property
    def stopping(self) -> bool: ...

    def stop(self) -> None: ...

    def join(self, timeout: float) -> bool: ...


StoppedHook = Callable[[list[str]], object]
"""Called once stopped runs have ended, with the ids of those that did not end in time."""


class WorkbenchApp(App[None]):
    """The full-screen workbench. The run list is the first screen.

    ``start`` is called once the app is mounted (for example to push a live run screen).
    Subclasses (or the code that wires the engine in) override :meth:`open_run` and
    :meth:`start_run`.
    """

    TITLE = "Workbench"
    CSS_PATH = [APP_CSS_PATH]
    COMMANDS = App.COMMANDS | {BindingCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1,question_mark", "help", "Help", id="help"),
        Binding("ctrl+t", "toggle_theme", "Toggle theme", id="toggle-theme", show=False),
        Binding("ctrl+n", "new_run", "New run", id="new-run", show=False),
        Binding("ctrl+l", "run_list", "Run list", id="run-list", show=False),
    ]

    def __init__(
        self,
        store: RunStore,
        settings: WorkbenchSettings | None = None,
        *,
        start: StartHook | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings if settings is not None else load_settings()
        self.default_repo = ""
        """Pre-filled repository path of the new-run form."""
        self.validate_model: ModelValidator | None = None
        """Checks the model field of the new-run form (default: a provider-prefix check)."""
        self._start = start
        self.live_runs: list[EngineRun] = []
        """Runs this app started or resumed; quitting stops (and waits for) those still going."""
        self._collect_after_start = False
        self._startup_notes: list[str] = []
        for theme in THEMES.values():
            self.register_theme(theme)
        wanted = self.settings.ui.theme
        if self.get_theme(wanted) is None:
            self._startup_notes.append(f"Unknown theme {wanted!r}; using {DEFAULT_THEME}.")
            wanted = DEFAULT_THEME
        self.theme = wanted
        self._remembered_theme = wanted

    # setup ------------------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme.dark)

    # The app's one garbage-collector policy: nothing else in Workbench touches the collector.
    _seen_full_passes: int | None = None
    """Full collector passes when the heap was last settled; ``None`` before the first frame."""

    def on_load(self) -> None:
        # Start-up allocates only long-lived objects (styles, widgets, the run table): garbage
        # collector passes over them until the first frame are pure cost. See _settle_heap.
        self._collect_after_start = gc.isenabled()
        gc.disable()

    def on_unmount(self) -> None:
        self._resume_collection()

    def _resume_collection(self) -> None:
        if self._collect_after_start:
            self._collect_after_start = False
            gc.enable()

    def on_idle(self) -> None:
        """Whenever the app's queue empties: what a load left (see freeze_grown_heap)."""
        if self._seen_full_passes is not None:
            self._seen_full_passes = freeze_grown_heap(self._seen_full_passes)

    def on_mount(self) -> None:
        self.push_screen(RunListScreen(self.store))
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.settings.load_error:
            self.notify(self.settings.load_error, title="Config ignored", severity="warning")
        for note in self._startup_notes:
            self.notify(note, severity="warning")
        if self._start is not None:
            self._start(self)
        self.call_after_refresh(self._settle_heap)

    def _settle_heap(self) -> None:
        """After the first frame, move what is loaded (modules, styles, widgets) out of the
        garbage collector's way: full passes over it would otherwise stall key handling while
        streamed text arrives. Collection, paused since the app started loading, resumes: new
        garbage is collected as usual, and what later loads leave is frozen once the
        collector's full passes find it lasting (on_idle)."""
        self._seen_full_passes = settle_heap()
        self._resume_collection()

    # hooks ------------------------------------------------------------------------------
    def open_run(self, run_id: str) -> None:
        """Show a past run. Replaced by the code that provides the run screen."""
        self.notify(f"Run {run_id}", title="Open run")

    def start_run(self, request: RunRequest) -> None:
        """Start a run the user asked for. Replaced by the code that wires in the engine."""
        self.notify(f"{request.task[:60]} ({request.model})", title="Start run")

    def resume_run(self, run_id: str) -> None:
        """Continue a parked or interrupted run live. Replaced by the code that wires in the
        engine."""
        self.notify(f"Run {run_id}", title="Resume run")

    # live runs --------------------------------------------------------------------------
    def add_live_run(self, run: EngineRun) -> None:
        self.live_runs = [r for r in self.live_runs if r.running]
        self.live_runs.append(run)

    def confirm_stop(self, runs: Sequence[EngineRun], question: str, yes: str,
                     then: StoppedHook) -> None:
        """Ask before stopping ``runs`` (none running: no question), stop them, wait for
        their engines off the UI thread, then call ``then``."""
        going = [r for r in runs if r.running and not r.stopping]
        if not going:
            self.stop_runs_then(runs, then)
            return
        if isinstance(self.screen, ConfirmScreen):
            return  # already asking

        def answered(ok: bool | None) -> None:
            if ok:
                self.stop_runs_then(runs, then)

        self.push_screen(ConfirmScreen(question, yes=yes), answered)

    def stop_runs_then(self, runs: Sequence[EngineRun], then: StoppedHook) -> None:
        running = [r for r in runs if r.running]
        if not running:
            then([])
            return
        for run in running:
            run.stop()
        self.notify("Stopping the run; it stays resumable from the run list…", title="Stopping")
        self.run_worker(self._wait_stopped(running, then), group="stop-runs",
                        exit_on_error=False)

    async def _wait_stopped(self, runs: list[EngineRun], then: StoppedHook) -> None:
        # Each engine records run_interrupted on its own (daemon) thread: the process must
        # not end before it has, or the run would read "running" forever.
        deadline = time.monotonic() + STOP_TIMEOUT_S
        stuck: list[str] = []
        for run in runs:
            left = max(0.0, deadline - time.monotonic())
            if not await asyncio.to_thread(run.join, left):
                stuck.append(run.run_id)
        then(stuck)

    def stop_all_blocking(self, timeout: float = STOP_TIMEOUT_S) -> list[str]:
        """After the app has ended some other way: stop what still runs and wait for it."""
        running = [r for r in self.live_runs if r.running]
        for run in running:
            run.stop()
        deadline = time.monotonic() + timeout
        return [r.run_id for r in running
                if not r.join(max(0.0, deadline - time.monotonic()))]

    # failed workers ---------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.worker_failed(event.worker)

    def worker_failed(self, worker: Worker[object]) -> None:
        """The one report of a failed background job (every worker has exit_on_error=False):
        a one-line toast; the app, the run and its events go on."""
        error = worker.error
        reason = str(error).strip().splitlines()[0] if error is not None and str(error).strip() \
            else type(error).__name__
        self.notify(f"{worker.group or worker.name}: {reason[:200]}",
                    title="Background job failed", severity="error")

    # actions ----------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Quit; while a run's engine is working, ask first, then stop it (resumable)."""
        self.confirm_stop(self.live_runs, QUIT_QUESTION, "Quit and stop", self._exit_after_stop)

    def _exit_after_stop(self, stuck: list[str]) -> None:
        if not stuck:
            self.exit()
            return
        ids = ", ".join(stuck)
        self.exit(message=f"Run {ids} did not stop within {STOP_TIMEOUT_S:g}s; "
                          f"'workbench resume {stuck[0]}' continues it.")

    def action_help(self) -> None:
        """Show every binding of the current screen and of the app."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen.for_screen(self.screen))

    def action_toggle_theme(self) -> None:
        """Switch between the dark and light Workbench themes (remembered)."""
        self.theme = toggled_theme_name(self.current_theme.dark)

    def action_new_run(self) -> None:
        """Open the new-run form; a submitted form calls :meth:`start_run`."""
        if isinstance(self.screen, NewRunScreen):
            return
        form = NewRunScreen(
            repo=self.default_repo,
            model=self.settings.models.default,
            step_mode=self.settings.ui.step_mode,
            validate_model=self.validate_model,
            choices=model_choices(self.settings.models),
            named_models=list(self.settings.models.models),
        )
        self.push_screen(form, self._new_run_done)

    def action_run_list(self) -> None:
        """Go back to the run list (a live run on a screen left behind stops: ask first)."""
        from workbench.tui.screens.confirm import LEAVE_QUESTION
        from workbench.tui.screens.run import LiveRunScreen  # not at start-up: it pulls the panes

        stack = self.screen_stack
        index = next((i for i, s in enumerate(stack) if isinstance(s, RunListScreen)), None)
        if index is None:
            self.push_screen(RunListScreen(self.store))
            return
        left = [s.live for s in stack[index + 1:] if isinstance(s, LiveRunScreen) and s.live]
        self.confirm_stop(left, LEAVE_QUESTION, "Leave and stop",
                          lambda _stuck: self._pop_to(RunListScreen))

    def _pop_to(self, kind: type[Screen[None]]) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, kind):
            self.pop_screen()

    # handlers ---------------------------------------------------------------------------
    def _new_run_done(self, request: RunRequest | None) -> None:
        if request is not None:
            self.start_run(request)

    @on(RunListScreen.OpenRun)
    def _open_run(self, event: RunListScreen.OpenRun) -> None:
        self.open_run(event.run_id)

    @on(RunListScreen.ResumeRun)
    def _resume_run(self, event: RunListScreen.ResumeRun) -> None:
        self.resume_run(event.run_id)

    def _remember_theme(self, theme: Theme) -> None:
        if theme.name == self._remembered_theme:
            return
        self._remembered_theme = theme.name
        if self.settings.load_error:
            self.notify("Theme not saved: fix the config file first.", severity="warning")
            return
        self.settings.ui.theme = theme.name
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.notify(f"Could not save settings: {exc}", severity="error")


if __name__ == "__main__":
    WorkbenchApp(RunStore()).run()
