"""Recording a human's decision on a stored run (the headless ``approve`` and a takeover):
light enough that ``workbench approve`` never imports the agent engine."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence

from agents.contracts import Approval, Decision, FeatureSpec, RunStatus
from agents.diff import DiffParseError, parse_unified_diff
from agents.events import ApprovalGiven
from agents.fold import fold
from agents.run_state import RunState
from workbench.engine.bus import EventBus
from workbench.engine.errors import EngineError
from workbench.store import RunStore


def emit_approval(bus: EventBus, approval: Approval) -> None:
    """Record a gate decision; an edited spec travels with it and becomes the run's spec."""
    bus.put(ApprovalGiven(
        role="human", gate=approval.gate, decision=approval.decision.value,
        comment=approval.comment,
        spec=approval.spec.model_dump(mode="json") if approval.spec else None,
        rejected_hunks=list(approval.rejected_hunks), by=approval.by, send_to=approval.send_to,
        remember=approval.remember, high_risk_paths=list(approval.high_risk_paths)))


def shown(argv: Sequence[str]) -> str:
    """A command as a human reads it in one line, cut at 160 characters."""
    text = shlex.join(argv)
    return text if len(text) <= 160 else text[:157] + "..."


def _live_state(store: RunStore, run_id: str,
                takeover: bool = False) -> tuple[str, RunState]:
    """The run's folded state; a run whose events say it finished is refused (and its row,
    if a crash left it behind the events, is brought up to date), unless ``takeover`` and
    it stopped NEEDS_HUMAN_REVIEW."""
    run = store.find_run(run_id)
    state = fold(store.iter_events(run.run_id))
    if takeover and state.status is RunStatus.NEEDS_HUMAN_REVIEW:
        return run.run_id, state
    if state.finished:
        if run.status != state.status.value:
            store.update_run(run.run_id, status=state.status.value,
                             reason=state.finished_reason, finished_at=state.last_ts)
        raise EngineError(f"run {run.run_id} already finished: {state.status.value}")
    if RunStatus(run.status).terminal:
        raise EngineError(f"run {run.run_id} already finished: {run.status}")
    return run.run_id, state


def hunk_ids(diff: str) -> list[str]:
    """The hunk ids (``FILE#N``) of a diff, as the diff view and ``--reject-hunk`` name them."""
    try:
        return [h.id for f in parse_unified_diff(diff) for h in f.hunks]
    except DiffParseError:
        return []


def _take_over(store: RunStore, rid: str, state: RunState, decision: Decision, comment: str,
               spec: FeatureSpec | None, send_to: str | None) -> Approval:
    if spec is None and decision is Decision.APPROVE:
        if state.spec is None:
            raise EngineError(f"run {rid} stopped without a spec: give one with --spec FILE")
        if not state.patches:
            raise EngineError(f"run {rid} has no change to take as reviewed: send it to a "
                              "role with --request-changes --to ROLE")
    if decision is Decision.REQUEST_CHANGES:
        send_to = send_to or ("requirements" if state.spec is None else "developer")
        if send_to != "requirements" and state.spec is None:
            raise EngineError(f"run {rid} has no spec yet: give one with --spec FILE or send "
                              "it to requirements")
    approval = Approval(gate="takeover", decision=decision, comment=comment, spec=spec,
                        send_to=send_to)  # type: ignore[arg-type]
    emit_approval(EventBus(store, rid), approval)
    store.update_run(rid, status=RunStatus.INTERRUPTED.value,
                     reason="taken over by the human: resume continues")
    return approval


def approve_run(
    store: RunStore,
    run_id: str,
    decision: Decision = Decision.APPROVE,
    comment: str = "",
    spec: FeatureSpec | None = None,
    rejected_hunks: Iterable[str] = (),
    send_to: str | None = None,
    *,
    allow_command: bool = False,
    remember: bool = False,
    high_risk: Iterable[str] = (),
) -> Approval:
    """Record a human decision for a run parked at a gate (headless flow), or take over a
    run that stopped NEEDS_HUMAN_REVIEW: a spec, an overruling approval, or the role to send
    the work to (``send_to``, with the comment). At the command gate an approval must say
    ``allow_command`` (run it once) or ``remember`` (add it to the repository's allow-list);
    at a final gate that changes high-risk paths, ``high_risk`` must name every one."""
    rid, state = _live_state(store, run_id, takeover=True)
    if state.status is RunStatus.NEEDS_HUMAN_REVIEW:
        return _take_over(store, rid, state, decision, comment, spec, send_to)
    if send_to is not None:
        raise EngineError("--to only applies to a run that stopped NEEDS_HUMAN_REVIEW")
    gate = state.pending_approval
    if gate not in ("spec", "final", "review", "command"):
        raise EngineError(f"run {rid} is not waiting for approval")
    _check_safety_answer(rid, state, gate, decision, allow_command or remember, high_risk)
    if (gate == "spec" and decision is Decision.APPROVE and spec is None
            and state.spec is None):
        raise EngineError(f"run {rid} has no valid spec to approve: give one with --spec FILE "
                          "(or request changes to ask the requirements agent again)")
    if spec is not None and gate != "spec":
        raise EngineError("a spec can only be edited at the spec gate")
    hunks = list(rejected_hunks)
    if hunks:
        if gate != "final":
            raise EngineError("hunks can only be rejected at the final gate")
        ref = state.final_patch
        known = hunk_ids(store.patch_diff(ref.artifact_id if ref else None) or "")
        unknown = [h for h in hunks if h not in known]
        if unknown:
            raise EngineError(f"no such hunk: {', '.join(unknown)} (hunks: "
                              f"{', '.join(known) or 'none'})")
    approval = Approval(gate=gate, decision=decision, comment=comment,  # type: ignore[arg-type]
                        spec=spec, rejected_hunks=hunks, remember=remember,
                        high_risk_paths=list(state.high_risk_paths) if gate == "final" else [])
    emit_approval(EventBus(store, rid), approval)
    return approval


def _check_safety_answer(rid: str, state: RunState, gate: str, decision: Decision,
                         allows: bool, high_risk: Iterable[str]) -> None:
    """A blocked command and high-risk paths are approved only by name, never by default."""
    req = state.command_request
    if gate != "command" and allows:
        raise EngineError(f"run {rid} is not waiting at the command gate")
    if gate == "command" and decision is Decision.APPROVE and not allows and req is not None:
        raise EngineError(
            f"run {rid} waits at the command gate for `{shown(req.argv)}` "
            f"({req.reason}): --allow-command runs it once, --add-to-allow-list allows it for "
            "this repository, --reject stops the run, --request-changes --comment sends "
            f"the {req.role} back")
    named = set(high_risk)
    if named and gate != "final":
        raise EngineError("--approve-high-risk applies only at the final gate")
    missing = [p for p in state.high_risk_paths if p not in named]
    if gate == "final" and decision is Decision.APPROVE and missing:
        raise EngineError(
            f"the final patch of run {rid} changes high-risk paths: {', '.join(missing)[:300]}; "
            "approve each by name with --approve-high-risk PATH")
