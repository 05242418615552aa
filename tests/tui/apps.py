"""Small app variants for tests: they record what the hooks receive instead of notifying."""

from __future__ import annotations

from textual import on

from workbench.config import load_settings
from workbench.store import RunStore
from workbench.tui.app import StartHook, WorkbenchApp
from workbench.tui.screens.new_run import NewRunScreen, RunRequest


class RecordingApp(WorkbenchApp):
    """Records opened, started and resumed runs and StartRun messages."""

    def __init__(self, store: RunStore, *, start: StartHook | None = None) -> None:
        super().__init__(store, load_settings(), start=start)
        self.opened: list[str] = []
        self.resumed: list[str] = []
        self.started: list[RunRequest] = []
        self.start_messages: list[RunRequest] = []

    def open_run(self, run_id: str) -> None:
        self.opened.append(run_id)

    def start_run(self, request: RunRequest) -> None:
        self.started.append(request)

    def resume_run(self, run_id: str) -> None:
        self.resumed.append(run_id)

    @on(NewRunScreen.StartRun)
    def _record_start_message(self, event: NewRunScreen.StartRun) -> None:
        self.start_messages.append(event.request)
