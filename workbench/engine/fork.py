"""Fork: a new run that keeps a past run's events up to seq N and continues from the state
right after N (the worktree, the agents' conversations and the budgets as they were)."""

from __future__ import annotations

import time

from agents.contracts import Approval, Decision, FeatureSpec, RunStatus
from agents.events import TRANSIENT_KINDS, RunStarted
from agents.fold import fold
from workbench import gitops
from workbench.engine.base import emit_approval
from workbench.engine.bus import EventBus
from workbench.engine.config import RunConfig
from workbench.engine.runner import EngineError, new_run_id
from workbench.engine.team import worktrees_dir_for
from workbench.store import RunStore

_NOT_COPIED = frozenset({"run_finished", "run_parked", "run_interrupted", *TRANSIENT_KINDS})


def fork_run(
    store: RunStore,
    run_id: str,
    upto_seq: int,
    spec: FeatureSpec | None = None,
    model: str | None = None,
) -> str:
    """Copy events 1..upto_seq of ``run_id`` into a new run, give it its own worktree and
    branch in the state of event ``upto_seq``, and leave it ready for ``open_pipeline``.
    With ``spec``, that spec is recorded as approved at the spec gate. Returns the new id."""
    source = store.find_run(run_id)
    events = store.events(source.run_id, upto_seq=upto_seq)
    if not events or not isinstance(events[0], RunStarted):
        raise EngineError(f"cannot fork {source.run_id} at {upto_seq}: no run_started before it")
    kept = [e for e in events if e.kind not in _NOT_COPIED]
    state = fold(kept)
    if spec is not None and state.spec is None:
        raise EngineError("the fork point comes before any spec: nothing to edit")
    try:
        config = RunConfig.from_json(source.config)
    except ValueError as exc:
        raise EngineError(f"run {source.run_id}: {exc}") from None
    if model:
        config.model, config.role_models = model, {}
    new_id = new_run_id()
    started = events[0]
    wt = gitops.ensure_worktree(config.repo_path, new_id, worktrees_dir_for(store.path),
                                started.base_commit or "HEAD")
    snapshot = None
    if state.snapshot:  # the worktree as it was at event N, kept reachable from the fork
        gitops.restore_worktree(wt, state.snapshot)
        snapshot = gitops.snapshot_worktree(wt)
    forked_at = time.time()
    usage = state.usage  # the copied turns' tokens and cost are the fork's too
    store.create_run(
        new_id, source.task, source.repo, config.model, config=config.to_json(),
        parent_run_id=source.run_id, fork_seq=upto_seq, branch=wt.branch,
        status=RunStatus.PENDING.value, started_at=forked_at,
        prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
        cost=usage.cost,
    )
    copied = []
    for n, e in enumerate(kept, 1):
        update: dict[str, object] = {"run_id": new_id, "seq": n}
        if isinstance(e, RunStarted):
            update.update(branch=wt.branch, worktree=str(wt.path), base_commit=wt.base_commit,
                          forked_from=source.run_id, fork_seq=upto_seq, forked_at=forked_at)
            if model:
                update.update(model=model)
        copied.append(e.model_copy(update=update))
    if snapshot is not None:
        last = max((i for i, e in enumerate(copied) if getattr(e, "snapshot", None)), default=None)
        if last is not None:
            copied[last] = copied[last].model_copy(update={"snapshot": snapshot})
    store.append_many(copied)
    if spec is not None:
        emit_approval(EventBus(store, new_id), Approval(
            gate="spec", decision=Decision.APPROVE, spec=spec, comment="edited in fork"))
    return new_id
