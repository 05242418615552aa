"""Wires the engine into the app: starting, opening, replaying and forking runs from the TUI.

The engine (AutoGen, model clients) is imported when a run starts or opens, not at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workbench.config import load_settings
from workbench.store import RunStore, UnknownRunError
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.new_run import RunRequest

if TYPE_CHECKING:
    from workbench.config import WorkbenchSettings
    from workbench.engine.config import RunConfig
    from workbench.engine.pipeline import Pipeline


def _user_errors() -> tuple[type[BaseException], ...]:
    from workbench.errors import USER_ERRORS

    return USER_ERRORS


class WorkbenchTUI(WorkbenchApp):
    """The app with the engine wired in."""

    def __init__(
        self,
        store: RunStore,
        settings: WorkbenchSettings | None = None,
        *,
        demo: RunConfig | None = None,
        repo: str | None = None,
    ) -> None:
        super().__init__(store, settings, start=self._on_start if demo or repo else None)
        self._demo = demo
        if repo:
            self.default_repo = repo

    def _on_start(self, app: WorkbenchApp) -> None:
        """The demo starts at once; started inside a repository, the form opens on it (over
        the run list, which Esc goes back to)."""
        if self._demo is not None:
            self.start_config(self._demo)
        elif self.default_repo:
            self.action_new_run()

    def _config_from_request(self, request: RunRequest) -> RunConfig:
        from workbench.engine.budgets import Budgets
        from workbench.engine.config import RunConfig
        from workbench.engine.routing_plan import first_choices, pins
        from workbench.models.settings import CallSettings

        budgets = Budgets(**self.settings.budgets.model_dump())
        models = self.settings.models
        # the form's model is pinned when it differs from the configured default
        pinned = pins(request.model if request.model != models.default else None, {})
        choices = first_choices(models, pinned)
        return RunConfig(
            task=request.task, repo=str(Path(request.repo).resolve()),
            model=choices["developer"], role_models=choices,
            model_settings=models.model_dump(mode="json"), pinned_models=pinned,
            base_url=models.base_url,
            step_mode=request.step_mode, mode=request.mode, budgets=budgets,
            timeout_s=self.settings.sandbox.timeout_s,
            extra_allowed=self.settings.sandbox.allow_prefixes(),
            calls=CallSettings(**self.settings.calls.model_dump()),
            high_risk_patterns=list(self.settings.safety.high_risk_paths),
            sandbox=self.settings.sandbox.model_dump(mode="json"),
            mcp=[server.model_dump(mode="json") for server in self.settings.mcp],
        )

    def start_run(self, request: RunRequest) -> None:
        try:
            self.start_config(self._config_from_request(request))
        except _user_errors() as exc:
            self.notify(str(exc).splitlines()[0], title="Cannot start run", severity="error")

    def start_config(self, config: RunConfig) -> None:
        from workbench.engine.control import RunControl
        from workbench.engine.runner import create_pipeline

        control = RunControl(interactive=True)
        control.step_mode = config.step_mode
        self._show_live(create_pipeline(self.store, config, control))

    def _show_live(self, pipeline: Pipeline) -> None:
        from workbench.tui.live import LiveRun
        from workbench.tui.screens.run import LiveRunScreen

        screen = LiveRunScreen(self.store, pipeline.run_id)
        live = LiveRun(pipeline, screen.post_event, screen.post_done)
        screen.attach(live)
        self.add_live_run(live)
        self.push_screen(screen)  # the screen starts the run once it is mounted

    def open_run(self, run_id: str) -> None:
        """Open a past run for replay; a run parked at a gate can be resumed from there."""
        from workbench.tui.screens.run_replay import ReplayScreen

        try:
            record = self.store.find_run(run_id)
        except UnknownRunError as exc:
            self.notify(str(exc), severity="error")
            return
        self.push_screen(ReplayScreen(self.store, record.run_id))

    def resume_run(self, run_id: str) -> None:
        from workbench.engine.control import RunControl
        from workbench.engine.runner import open_pipeline

        try:
            run_id = self.store.find_run(run_id).run_id  # a prefix names one run
        except UnknownRunError as exc:
            self.notify(str(exc), title="Cannot resume", severity="error")
            return
        if any(r.run_id == run_id and r.running for r in self.live_runs):
            self.notify("its engine is still working (or still stopping); try again shortly",
                        title="Cannot resume", severity="warning")
            return
        try:
            pipeline = open_pipeline(self.store, run_id, RunControl(interactive=True))
        except _user_errors() as exc:
            self.notify(str(exc).splitlines()[0], title="Cannot resume", severity="error")
            return
        self._show_live(pipeline)


def launch(store: RunStore, demo: RunConfig | None = None, repo: str | None = None) -> None:
    """Run the app; ``repo``: the repository it was started in, for the new-run form."""
    app = WorkbenchTUI(store, load_settings(), demo=demo, repo=repo)
    try:
        app.run()
    finally:
        # However the app ended: an engine still working records its interruption before
        # the process (and with it the engine's daemon thread) ends.
        app.stop_all_blocking()
