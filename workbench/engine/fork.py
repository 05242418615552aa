"""Fork: a new run that keeps a past run's events up to seq N and continues live from there."""

from __future__ import annotations

from agents.contracts import Approval, Decision, FeatureSpec, RunStatus
from agents.events import RunEvent
from workbench import gitops
from workbench.engine.base import emit_approval
from workbench.engine.bus import EventBus
from workbench.engine.config import RunConfig
from workbench.engine.runner import EngineError, new_run_id
from workbench.engine.state import resume_point
from workbench.engine.team import worktrees_dir_for
from workbench.store import RunStore


def fork_run(
    store: RunStore,
    run_id: str,
    upto_seq: int,
    spec: FeatureSpec | None = None,
    model: str | None = None,
) -> str:
    """Copy events 1..upto_seq of ``run_id`` into a new run, give it its own worktree and
    branch, and leave it ready for :func:`open_pipeline`. Returns the new run id."""
    source = store.find_run(run_id)
    events = store.events(source.run_id, upto_seq=upto_seq)
    if not events or events[0].kind != "run_started":
        raise EngineError(f"cannot fork {source.run_id} at {upto_seq}: no run_started before it")
    kept = [e for e in events if e.kind != "run_finished"]
    config = RunConfig.from_json(source.config)
    if model:
        config.model, config.role_models = model, {}
    new_id = new_run_id()
    base = str(events[0].payload.get("base_commit") or "HEAD")
    wt = gitops.create_worktree(config.repo_path, new_id, worktrees_dir_for(store.path), base)
    store.create_run(
        new_id, source.task, source.repo, config.model, config=config.to_json(),
        parent_run_id=source.run_id, fork_seq=upto_seq, branch=wt.branch,
        status=RunStatus.PENDING.value,
    )
    copied = []
    for n, e in enumerate(kept, 1):
        payload = dict(e.payload)
        if e.kind == "run_started":
            payload.update(branch=wt.branch, worktree=str(wt.path), base_commit=wt.base_commit,
                           forked_from=source.run_id, fork_seq=upto_seq)
        copied.append(RunEvent(run_id=new_id, seq=n, ts=e.ts, kind=e.kind, role=e.role,
                               payload=payload))
    store.append_many(copied)
    bus = EventBus(store, new_id)
    bus.emit("steer", "human", text=f"forked from {source.run_id} at event {upto_seq}",
             target_role="system", review_comment=False)
    if spec is not None:
        point = resume_point(copied)
        if point.spec is None:
            raise EngineError("the fork point comes before any spec: nothing to edit")
        bus.emit("approval_requested", gate="spec", message="forked with an edited spec")
        emit_approval(store, bus, Approval(gate="spec", decision=Decision.APPROVE, spec=spec,
                                           comment="edited in fork"))
    return new_id
