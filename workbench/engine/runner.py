"""Starting, resuming and approving runs: the entry points the CLI and the TUI share."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable

from agents.fold import fold
from agents.run_state import RunState
from workbench import gitops
from workbench.engine.approvals import _live_state
from workbench.engine.approvals import approve_run as approve_run
from workbench.engine.approvals import hunk_ids as hunk_ids
from workbench.engine.bus import Listener
from workbench.engine.config import RunConfig
from workbench.engine.control import RunControl
from workbench.engine.errors import EngineError as EngineError
from workbench.engine.pipeline import Pipeline
from workbench.models import parse_model_spec
from workbench.store import RunStore

MODES = ("pipeline", "group")


def _engine(store: RunStore, run_id: str, config: RunConfig, control: RunControl,
            state: RunState | None = None) -> Pipeline:
    """The run's engine: the fixed pipeline, or the group chat (``--mode group``)."""
    if config.mode == "group":
        from workbench.engine.group import GroupRun

        return GroupRun(store, run_id, config, control, state=state)
    return Pipeline(store, run_id, config, control, state=state)


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def _validate(config: RunConfig) -> None:
    if not config.task.strip():
        raise EngineError("the task is empty")
    if config.mode not in MODES:
        raise EngineError(f"unknown mode {config.mode!r}: use one of {', '.join(MODES)}")
    for role in ("requirements", "developer", "reviewer", "tester"):
        parse_model_spec(config.model_for(role), base_url=config.base_url)
    gitops.open_repo(config.repo)


def _cleanup_leftovers(store: RunStore, run_id: str = "") -> bool:
    """What engines killed earlier left behind: sandboxed processes, temp folders, and runs
    still marked RUNNING (now INTERRUPTED, resumable). True when ``run_id`` was one of them."""
    from workbench.recovery import mark_dead_runs
    from workbench.sandbox import cleanup_orphans

    cleanup_orphans()
    return run_id in mark_dead_runs(store)


def create_pipeline(
    store: RunStore,
    config: RunConfig,
    control: RunControl | None = None,
    listeners: Iterable[Listener] = (),
    run_id: str | None = None,
) -> Pipeline:
    """Validate the request, create the run row and return a pipeline ready to ``run()``."""
    _validate(config)
    _cleanup_leftovers(store)
    run_id = run_id or new_run_id()
    store.create_run(run_id, config.task, config.repo, config.model, config=config.to_json())
    control = control or RunControl(interactive=False, auto_approve=config.auto_approve)
    pipeline = _engine(store, run_id, config, control)
    for listener in listeners:
        pipeline.bus.subscribe(listener)
    return pipeline


def open_pipeline(
    store: RunStore,
    run_id: str,
    control: RunControl | None = None,
    listeners: Iterable[Listener] = (),
    auto_approve: bool | None = None,
    base_url: str | None = None,
) -> Pipeline:
    """A pipeline that continues a stored run from its last milestone (resume after a gate,
    an interruption or a crash). ``base_url`` replaces the run's model server URL (and
    gives back a password that masking kept out of the stored one)."""
    from workbench.config import load_settings
    from workbench.engine.masked_urls import restore_masked_urls

    rid, state = _live_state(store, run_id)
    try:
        config = RunConfig.from_json(store.get_run(rid).config)
    except ValueError as exc:
        raise EngineError(f"run {rid}: {exc}") from None
    restore_masked_urls(rid, config, base_url,
                        load_settings().models.model_dump(mode="json"))
    if auto_approve is not None:
        config.auto_approve = auto_approve
    if _cleanup_leftovers(store, rid):  # it was marked interrupted just now: fold that in
        state = fold(store.iter_events(rid))
    control = control or RunControl(interactive=False, auto_approve=config.auto_approve)
    pipeline = _engine(store, rid, config, control, state)
    for listener in listeners:
        pipeline.bus.subscribe(listener)
    return pipeline


