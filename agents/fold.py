"""The one fold: run events -> :class:`RunState`. Pure; every reader of a run uses it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring_ascii as _encode_str
from typing import Any

from agents.contracts import Approval, RunStatus
from agents.events import (
    AgentMessage,
    ApprovalGiven,
    ApprovalRequested,
    ArtifactRecorded,
    BudgetUsed,
    ErrorRecorded,
    EventBase,
    GroupMessage,
    HandoffPosted,
    InjectionSuspected,
    ModelCall,
    ModelChunk,
    ModelRetry,
    PhaseChanged,
    PolicyRecorded,
    RunFinished,
    RunInterrupted,
    RunParked,
    RunStarted,
    SpeakerSelected,
    Steer,
    ToolCall,
    ToolResult,
    TraceStarted,
    TurnStarted,
)
from agents.redact import printable
from agents.run_state import (
    CommandRequest,
    ConversationItem,
    ItemKind,
    Lazy,
    PatchRef,
    RunState,
    Stage,
    TurnRef,
    Usage,
)

NO_PATCH = "no_patch"
"""``ErrorRecorded.contract`` of a developer turn that ended without a patch."""


def fold(events: Iterable[EventBase]) -> RunState:
    state = RunState()
    for event in events:
        apply_event(state, event)
    return state


def apply_event(state: RunState, event: EventBase) -> None:
    if not state.started_ts:
        state.started_ts = event.ts
    if event.ts > state.last_ts:  # max(), without its call
        state.last_ts = event.ts
    if event.seq > state.last_seq:
        state.last_seq = event.seq
    state.event_count += 1
    if event.role not in ("system", "human"):
        state.active_role = event.role
    handler = _HANDLERS.get(type(event))
    if handler is not None:
        handler(state, event)


def _json(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def _args_inline(arguments: Any) -> str:
    if isinstance(arguments, dict):
        return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in arguments.items())
    return str(arguments)


def _scalar_json(value: Any) -> str | None:
    """``json.dumps(value)`` of a plain string, number, bool or None; ``None`` otherwise."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is float and value == value and value not in _INFINITIES:
        return float.__repr__(value)
    return None


_INFINITIES = (float("inf"), float("-inf"))


def _arguments_text(arguments: Any) -> tuple[str, str, bool]:
    """``(_args_inline(arguments), _json(arguments), clean)``; ``clean``: the second was made
    here, ASCII JSON whose only control characters are newlines (``printable`` keeps it).

    Tool-call arguments are nearly always a flat object of strings and numbers: its two texts
    are made from one encoding of each value (the C string encoder), where ``json.dumps``
    with ``indent`` runs the pure-Python encoder. Anything else goes through
    :func:`_args_inline` and :func:`_json`.
    """
    if type(arguments) is dict:
        keys: list[str] = []
        values: list[str] = []
        for key, value in arguments.items():
            text = _scalar_json(value)
            if text is None or type(key) is not str:
                break
            keys.append(key)
            values.append(text)
        else:
            inline = ", ".join([f"{k}={v}" for k, v in zip(keys, values, strict=True)])
            if not keys:
                return inline, "{}", True
            pairs = sorted(zip(keys, values, strict=True))
            body = ",\n  ".join([f"{_encode_str(k)}: {v}" for k, v in pairs])
            return inline, "{\n  " + body + "\n}", True
    return _args_inline(arguments), _json(arguments), False


def _reach(state: RunState, event: EventBase, stage: Stage) -> None:
    """A milestone: the engine continues from the step after it."""
    state.stage, state.milestone_seq = stage, event.seq


def _item(state: RunState, event: EventBase, kind: ItemKind, text: str, **extra: Any) -> None:
    """A conversation line; terminal control characters in model or tool text never reach
    the screen."""
    if isinstance(extra.get("details"), str):
        extra["details"] = _printable(extra["details"])
    state.items.append(ConversationItem(event.role, kind, _printable(text), seq=event.seq,
                                        **extra))


def _printable(text: str) -> str:
    """``printable(text)``; a text whose only control characters are newlines is returned
    as it is without its regular expressions (newlines are kept, and every character they
    remove fails ``isprintable``)."""
    if text.isprintable() or text.replace("\n", "").isprintable():
        return text
    return printable(text)


def _started(state: RunState, e: RunStarted) -> None:
    state.run_id = e.run_id
    state.started_ts = e.forked_at or e.ts  # a fork's time is its own, as in the run list
    state.task, state.repo, state.branch = e.task, e.repo, e.branch
    state.worktree, state.base_commit = e.worktree, e.base_commit
    state.model, state.models, state.scripted = e.model, dict(e.models), e.scripted
    state.mode = e.mode
    state.forked_from, state.fork_seq = e.forked_from, e.fork_seq
    state.limits = {str(k).removeprefix("max_"): float(v) for k, v in e.budgets.items()}
    state.status = RunStatus.RUNNING
    _reach(state, e, "started")


def _phase(state: RunState, e: PhaseChanged) -> None:
    state.phase = e.phase
    state.active_role = e.active_role or ""
    if e.cycle:
        state.cycle += 1
        state.cycle_reason = e.cycle
        state.rounds_in_cycle = 0
        state.review_rounds = 0
        state.no_patch_rounds = 0
        _reach(state, e, "cycle_started")
        if e.cycle == "test_repair":
            state.test_repairs += 1
    _item(state, e, "phase", e.phase + (f" ({e.cycle})" if e.cycle else ""))


def _turn(state: RunState, e: TurnStarted) -> None:
    if state.pending_approval == "step":  # a step pause left by an interrupted engine
        state.pending_approval, state.pending_message = None, ""
    state.usage.turns += 1
    state.role_usage(e.role).turns += 1
    if state.pending_steers:  # the turn took those for the next turn and for its role
        state.pending_steers = [(text, target) for text, target in state.pending_steers
                                if target not in ("next", e.role)]
    if state.status in (RunStatus.PENDING, RunStatus.INTERRUPTED, RunStatus.WAITING):
        state.status = RunStatus.RUNNING


def _model_call(state: RunState, e: ModelCall) -> None:
    state.calls_by_role[e.role] += 1
    by_model = state.usage_by_model.setdefault(e.model or "unknown", Usage())
    for usage in (state.usage, state.role_usage(e.role), by_model):
        usage.model_calls += 1
        usage.prompt_tokens += int(e.prompt_tokens or 0)
        usage.completion_tokens += int(e.completion_tokens or 0)
        usage.cost += float(e.cost or 0.0)
    if not e.error:
        state.retrying = ""
    # A failed call is told by the retry that follows it (or the park that ends the turn).


def _model_retry(state: RunState, e: ModelRetry) -> None:
    state.streaming.pop(e.role, None)  # the partial reply of the failed attempt is void
    state.retrying = (f"{e.role}: {e.error}; retry {e.attempt + 1}/{e.max_attempts} "
                      f"in {e.delay_s:.1f} s")
    how = "" if e.streamed_next else " without streaming"
    _item(state, e, "error", f"model call failed ({e.error}); attempt {e.attempt + 1} of "
          f"{e.max_attempts}{how} in {e.delay_s:.1f} s", is_error=True)


def _chunk(state: RunState, e: ModelChunk) -> None:
    state.streaming.setdefault(e.role, []).append(e.text)


def _message(state: RunState, e: AgentMessage) -> None:
    state.streaming.pop(e.role, None)
    if not e.thought:
        state.last_turn = TurnRef(e.role, e.content, e.seq)
        if e.state_artifact is not None:
            state.agent_states[e.role] = e.state_artifact
        state.model_calls_at_turn[e.role] = (
            e.model_calls if e.model_calls is not None else state.calls_by_role[e.role])
        if e.snapshot:
            state.snapshot = e.snapshot
    _item(state, e, "message", e.content)


def _tool_call(state: RunState, e: ToolCall) -> None:
    state.usage.tool_calls += 1
    state.role_usage(e.role).tool_calls += 1
    inline, details, clean = _arguments_text(e.arguments)
    state.items.append(ConversationItem(
        e.role, "tool_call", _printable(f"{e.name}({inline})"), seq=e.seq,
        details=details if clean else _printable(details), name=e.name, call_id=e.call_id))


def _tool_result(state: RunState, e: ToolResult) -> None:
    content = _json(e.content)
    first = content.strip().splitlines()[0] if content.strip() else "(empty)"
    _item(state, e, "tool_result", f"{e.name} → {first}", details=content,
          is_error=e.is_error, name=e.name, call_id=e.call_id)


def _artifact(state: RunState, e: ArtifactRecorded) -> None:
    if e.artifact_id is not None:
        state.artifact_ids[e.type] = e.artifact_id
    data = e.data or {}
    lazy = Lazy(data) if data else None
    text: str = e.type
    match e.type:
        case "worktree_diff":  # the live diff: no stage, no conversation line
            state.worktree_diff = PatchRef(e.artifact_id, list(e.files), e.summary_text,
                                           seq=e.seq)
            return
        case "spec":
            state.spec_lazy, state.spec_edited = lazy, e.edited
            state.draft = None
            if not e.edited:
                state.spec_approval = None
                state.requirements_rounds += 1
                _reach(state, e, "spec_proposed")
            if data:
                text = f"spec {data.get('feature_id', '')}: {data.get('summary', '')}"
        case "patch":
            ref = PatchRef(e.artifact_id, list(e.files), e.summary_text, e.round, e.final,
                           e.committed, list(e.rejected_hunks), e.seq)
            state.patches.append(ref)
            state.rejected_hunks = list(e.rejected_hunks)
            if e.final:
                state.final_approval = None
                _reach(state, e, "final_proposed")
            elif not e.committed:
                state.rounds_in_cycle += 1
                _reach(state, e, "developed")
            text = f"patch: {len(e.files)} file(s) {e.summary_text}"
        case "review" if lazy:
            state.review_lazies.append(lazy)
            state.draft = None
            state.review_rounds += 1
            _reach(state, e, "reviewed")
            text = f"review {data.get('status', '')}: {len(data.get('issues') or [])} issue(s)"
        case "test_plan":
            state.test_plan_lazy = lazy
            _reach(state, e, "test_planned")
            command = data.get("command")
            if isinstance(command, list) and command:
                state.last_test_command = [str(c) for c in command]
        case "test_result":
            if lazy:
                state.test_result_lazies.append(lazy)
            if not e.after_hunk_rejection:
                _reach(state, e, "tested")
            if data:
                text = (f"tests {data.get('status', '')}: {data.get('passed', 0)} passed, "
                        f"{data.get('failed', 0)} failed")
        case "draft":
            state.draft = data or None
            text = f"{(data or {}).get('contract', 'output')} draft kept for the human"
        case "static_checks" | "changed_functions":
            if e.type == "static_checks":
                state.static_checks = data or None
            state.changed_functions = list((data or {}).get("changes") or [])
            if e.type == "changed_functions":
                text = f"changed functions: {len(state.changed_functions)}"
        case "log" if e.artifact_id is not None:
            state.log_artifacts.append(e.artifact_id)
            facts = e.data if isinstance(e.data, dict) else {}
            if facts.get("backend"):
                state.sandbox = (str(facts["backend"]), bool(facts.get("jailed")))
        case "evidence":
            state.evidence_artifact = e.artifact_id
            state.commit = e.commit or state.commit
            _reach(state, e, "committed")
    _item(state, e, "artifact", text.strip())


def _approval_requested(state: RunState, e: ApprovalRequested) -> None:
    state.pending_approval, state.pending_message = e.gate, e.message
    state.status = RunStatus.WAITING_FOR_APPROVAL
    if e.gate == "spec":
        _reach(state, e, "spec_asked")
    elif e.gate == "final":
        _reach(state, e, "final_asked")
    elif e.gate == "review":
        _reach(state, e, "review_asked")
    elif e.gate == "command":
        state.command_request = CommandRequest(list(e.argv), e.blocked_role, e.message, e.resume)
        _reach(state, e, "command_asked")
    if e.gate == "final":
        state.high_risk_paths = list(e.high_risk_paths)
    _item(state, e, "approval", f"waiting for approval at the {e.gate} gate", details=e.message)


def _approval_given(state: RunState, e: ApprovalGiven) -> None:
    if state.pending_approval == e.gate:
        state.pending_approval, state.pending_message = None, ""
    if e.gate == "takeover":  # the stopped run is open again, for ``resume``
        state.status, state.finished_reason = RunStatus.INTERRUPTED, ""
    if not state.status.terminal:
        state.status = RunStatus.RUNNING
    if e.gate == "step":
        return
    approval = Approval.model_validate({
        "gate": e.gate, "decision": e.decision, "comment": e.comment or "", "spec": e.spec,
        "rejected_hunks": list(e.rejected_hunks or []), "by": e.by or "human",
        "send_to": e.send_to, "remember": e.remember,
        "high_risk_paths": list(e.high_risk_paths)})
    state.approvals.append(approval)
    if e.gate == "spec":
        state.spec_approval = approval
        _reach(state, e, "spec_decided")
        if e.spec is not None:
            state.spec_lazy, state.spec_edited = Lazy(dict(e.spec)), True
    elif e.gate == "review":
        state.review_approval = approval
        _reach(state, e, "review_decided")
    elif e.gate == "takeover":
        state.takeover = approval
        _reach(state, e, "takeover_decided")
    elif e.gate == "command":
        state.command_approval = approval
        _reach(state, e, "command_decided")
    elif e.gate == "final":
        state.final_approval = approval
        _reach(state, e, "final_decided")
        state.rejected_hunks = list(approval.rejected_hunks)
    text = f"{e.decision} at the {e.gate} gate" + (f": {e.comment}" if e.comment else "")
    _item(state, e, "approval", text, details=e.comment or "")


def _steer(state: RunState, e: Steer) -> None:
    state.steers.append((e.text, e.target_role))
    state.pending_steers.append((e.text, e.target_role or "next"))
    prefix = f"@{e.target_role} " if e.target_role else ""
    _item(state, e, "steer", prefix + e.text)


def _budget(state: RunState, e: BudgetUsed) -> None:
    """Budget reports. Stores of schema 1 have no ``turn_started``: their reports are the
    only record of the turns and tool calls used so far."""
    state.limits.setdefault(e.name, float(e.limit))
    if e.name == "turns":
        state.usage.turns = max(state.usage.turns, int(e.used))
    elif e.name == "tool_calls":
        state.usage.tool_calls = max(state.usage.tool_calls, int(e.used))


def _error(state: RunState, e: ErrorRecorded) -> None:
    if e.contract == NO_PATCH:
        state.rounds_in_cycle += 1
        state.no_patch_rounds += 1
        state.no_patch_hint = e.errors[0] if e.errors else ""
        _reach(state, e, "no_patch")
    _item(state, e, "error", e.message, is_error=True)


def _policy(state: RunState, e: PolicyRecorded) -> None:
    state.policy.append(e.message)
    details = {k: v for k, v in (("tool", e.tool), ("path", e.path), ("argv", e.argv)) if v}
    _item(state, e, "policy", e.message, details=_json(details) if details else "",
          is_error=True)


def _injection(state: RunState, e: InjectionSuspected) -> None:
    state.injections.add(f"{e.source}|{e.rule}|{e.excerpt}")
    details = {k: v for k, v in (("source", e.source), ("rule", e.rule), ("text", e.excerpt),
                                 ("tool", e.tool), ("call_id", e.call_id)) if v}
    _item(state, e, "injection", f"suspected injection in {e.source} ({e.rule}): sent as data",
          details=_json(details), is_error=True, name=e.tool or "", call_id=e.call_id or "")


def _parked(state: RunState, e: RunParked) -> None:
    provider = e.waiting_on == "provider"
    state.status = RunStatus.WAITING if provider else RunStatus.WAITING_FOR_APPROVAL
    state.parked_reason = e.reason
    state.retrying = ""
    state.streaming.clear()
    _item(state, e, "phase", f"parked ({e.reason})" if e.reason else "parked")


def _interrupted(state: RunState, e: RunInterrupted) -> None:
    state.status = RunStatus.INTERRUPTED
    state.streaming.clear()
    _item(state, e, "phase", "interrupted" + (f" ({e.reason})" if e.reason else ""))


def _finished(state: RunState, e: RunFinished) -> None:
    try:
        state.status = RunStatus(e.status)
    except ValueError:
        state.status = RunStatus.FAILED
    state.finished_reason = e.reason or ""
    state.commit = e.commit or state.commit
    state.branch = e.branch or state.branch
    state.pending_approval = None
    state.streaming.clear()
    _reach(state, e, "finished")
    text = f"run finished: {state.status.value}"
    _item(state, e, "phase", text + (f" ({state.finished_reason})" if state.finished_reason
                                     else ""))


def _speaker(state: RunState, e: SpeakerSelected) -> None:
    state.active_role = e.speaker  # the selector's turn is over
    _item(state, e, "phase", "group: " + e.summary())


def _group_message(state: RunState, e: GroupMessage) -> None:
    state.group_thread.append((e.role, e.content))
    state.group_posted = state.milestone_seq


_HANDLERS: dict[type[EventBase], Callable[[RunState, Any], None]] = {
    RunStarted: _started, PhaseChanged: _phase, TurnStarted: _turn, ModelCall: _model_call,
    ModelRetry: _model_retry, ModelChunk: _chunk, AgentMessage: _message, ToolCall: _tool_call,
    ToolResult: _tool_result,
    ArtifactRecorded: _artifact, ApprovalRequested: _approval_requested,
    ApprovalGiven: _approval_given, Steer: _steer, BudgetUsed: _budget, ErrorRecorded: _error,
    PolicyRecorded: _policy, InjectionSuspected: _injection, RunParked: _parked,
    RunInterrupted: _interrupted, RunFinished: _finished,
    TraceStarted: lambda state, e: setattr(state, "trace", (e.trace_id, e.span_id)),
    HandoffPosted: lambda state, e: _item(state, e, "artifact", e.summary()),
    SpeakerSelected: _speaker,
    GroupMessage: _group_message,
}
