"""Starting, resuming and approving runs: the entry points the CLI and the TUI share."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable

from agents.contracts import Approval, Decision, FeatureSpec, RunStatus
from workbench import gitops
from workbench.engine.base import emit_approval
from workbench.engine.bus import EventBus, Listener
from workbench.engine.config import RunConfig
from workbench.engine.control import RunControl
from workbench.engine.pipeline import Pipeline
from workbench.engine.state import resume_point
from workbench.models import parse_model_spec
from workbench.store import RunStore


class EngineError(RuntimeError):
    """A user-facing problem with a run request (one line)."""


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def _validate(config: RunConfig) -> None:
    if not config.task.strip():
        raise EngineError("the task is empty")
    for role in ("requirements", "developer", "reviewer", "tester"):
        parse_model_spec(config.model_for(role), base_url=config.base_url)
    gitops.open_repo(config.repo)


def create_pipeline(
    store: RunStore,
    config: RunConfig,
    control: RunControl | None = None,
    listeners: Iterable[Listener] = (),
    run_id: str | None = None,
) -> Pipeline:
    """Validate the request, create the run row and return a pipeline ready to ``run()``."""
    _validate(config)
    run_id = run_id or new_run_id()
    store.create_run(run_id, config.task, config.repo, config.model, config=config.to_json())
    control = control or RunControl(interactive=False, auto_approve=config.auto_approve)
    pipeline = Pipeline(store, run_id, config, control)
    for listener in listeners:
        pipeline.bus.subscribe(listener)
    return pipeline


def open_pipeline(
    store: RunStore,
    run_id: str,
    control: RunControl | None = None,
    listeners: Iterable[Listener] = (),
    auto_approve: bool | None = None,
) -> Pipeline:
    """A pipeline that continues a stored run from its last checkpoint (resume after a crash
    or a gate)."""
    run = store.find_run(run_id)
    if RunStatus(run.status).terminal:
        raise EngineError(f"run {run.run_id} already finished: {run.status}")
    config = RunConfig.from_json(run.config)
    if auto_approve is not None:
        config.auto_approve = auto_approve
    control = control or RunControl(interactive=False, auto_approve=config.auto_approve)
    pipeline = Pipeline(store, run.run_id, config, control)
    for listener in listeners:
        pipeline.bus.subscribe(listener)
    return pipeline


def approve_run(
    store: RunStore,
    run_id: str,
    decision: Decision = Decision.APPROVE,
    comment: str = "",
    spec: FeatureSpec | None = None,
    rejected_hunks: Iterable[str] = (),
) -> Approval:
    """Record a human decision for a run parked at a gate (headless flow)."""
    run = store.find_run(run_id)
    if RunStatus(run.status).terminal:
        raise EngineError(f"run {run.run_id} already finished: {run.status}")
    point = resume_point(store.events(run.run_id))
    if point.pending_gate is None:
        raise EngineError(f"run {run.run_id} is not waiting for approval")
    if spec is not None and point.pending_gate != "spec":
        raise EngineError("a spec can only be edited at the spec gate")
    approval = Approval(
        gate=point.pending_gate,  # type: ignore[arg-type]
        decision=decision,
        comment=comment,
        spec=spec,
        rejected_hunks=list(rejected_hunks),
    )
    emit_approval(store, EventBus(store, run.run_id), approval)
    return approval
