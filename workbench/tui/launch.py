"""Wires the engine into the app: starting, opening, replaying and forking runs from the TUI."""

from __future__ import annotations

from pathlib import Path

from workbench.config import WorkbenchSettings, load_settings
from workbench.engine.budgets import Budgets
from workbench.engine.config import RunConfig
from workbench.engine.control import RunControl
from workbench.engine.runner import create_pipeline, open_pipeline
from workbench.errors import USER_ERRORS
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp
from workbench.tui.live import LiveRun
from workbench.tui.screens.new_run import RunRequest
from workbench.tui.screens.run import RunScreen


class WorkbenchTUI(WorkbenchApp):
    """The app with the engine wired in."""

    def __init__(
        self,
        store: RunStore,
        settings: WorkbenchSettings | None = None,
        *,
        demo: RunConfig | None = None,
    ) -> None:
        super().__init__(store, settings, start=self._start_demo if demo else None)
        self._demo = demo

    def _start_demo(self, app: WorkbenchApp) -> None:
        if self._demo is not None:
            self.start_config(self._demo)

    def _config_from_request(self, request: RunRequest) -> RunConfig:
        budgets = Budgets(**self.settings.budgets.model_dump())
        return RunConfig(
            task=request.task, repo=str(Path(request.repo).resolve()), model=request.model,
            role_models=dict(self.settings.models.roles), base_url=self.settings.models.base_url,
            step_mode=request.step_mode, budgets=budgets,
            timeout_s=self.settings.sandbox.timeout_s,
            extra_allowed=self.settings.sandbox.allow_prefixes(),
        )

    def start_run(self, request: RunRequest) -> None:
        try:
            self.start_config(self._config_from_request(request))
        except USER_ERRORS as exc:
            self.notify(str(exc).splitlines()[0], title="Cannot start run", severity="error")

    def start_config(self, config: RunConfig) -> None:
        control = RunControl(interactive=True)
        control.step_mode = config.step_mode
        pipeline = create_pipeline(self.store, config, control)
        screen = RunScreen(self.store, pipeline.run_id)
        live = LiveRun(pipeline, screen.post_event, screen.post_done)
        screen.attach(live)
        self.push_screen(screen)  # the screen starts the run once it is mounted

    def open_run(self, run_id: str) -> None:
        """Open a past run for replay; a run parked at a gate can be resumed from there."""
        try:
            record = self.store.find_run(run_id)
        except USER_ERRORS as exc:
            self.notify(str(exc), severity="error")
            return
        self.push_screen(RunScreen(self.store, record.run_id, replay=True))

    def resume_run(self, run_id: str) -> None:
        try:
            control = RunControl(interactive=True)
            pipeline = open_pipeline(self.store, run_id, control)
        except USER_ERRORS as exc:
            self.notify(str(exc).splitlines()[0], title="Cannot resume", severity="error")
            return
        screen = RunScreen(self.store, pipeline.run_id)
        live = LiveRun(pipeline, screen.post_event, screen.post_done)
        screen.attach(live)
        self.push_screen(screen)  # the screen starts the run once it is mounted


def launch(store: RunStore, demo: RunConfig | None = None) -> None:
    WorkbenchTUI(store, load_settings(), demo=demo).run()
