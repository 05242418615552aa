"""Run events: the single source of truth for live view, replay, resume and fork.

One pydantic class per event kind, tagged by ``kind`` (a discriminated union, :data:`RunEvent`).
Every class shares the envelope (run id, seq, time, role); its own fields are the payload
stored as JSON beside the envelope columns. Large bodies (diffs, logs, agent state) are never
in an event: they live once in the artifacts table and events carry their ids.

Stored rows carry :data:`EVENT_SCHEMA_VERSION`; :func:`upgrade_payload` turns rows written by
older versions into the current shape (see ``docs`` in :mod:`agents._event_upgrade`).
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents._event_upgrade import upgrade_payload

EVENT_SCHEMA_VERSION = 2
"""Version 1: free-form payload dicts (0.1.0). Version 2: one typed class per kind."""

ENVELOPE = ("run_id", "seq", "ts", "kind", "role")


class EventBase(BaseModel):
    """The envelope every event shares."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = ""
    seq: int = 0
    ts: float = Field(default_factory=time.time)
    role: str = "system"
    kind: str

    def payload(self) -> dict[str, Any]:
        """The kind's own fields, as stored in the ``payload`` column."""
        return self.model_dump(mode="json", exclude=set(ENVELOPE))

    def dump(self) -> dict[str, Any]:
        """The row the store writes (payload as JSON text)."""
        return {"run_id": self.run_id, "seq": self.seq, "ts": self.ts, "kind": self.kind,
                "role": self.role,
                "payload": json.dumps(self.payload(), sort_keys=True, default=str)}

    def summary(self) -> str:
        """A one-line human description, used by lists and the CLI."""
        return json.dumps(self.payload(), default=str)[:120]


class RunStarted(EventBase):
    kind: Literal["run_started"] = "run_started"
    task: str = ""
    repo: str = ""
    model: str = ""
    models: dict[str, str] = Field(default_factory=dict)
    scripted: bool = False
    branch: str = ""
    budgets: dict[str, float] = Field(default_factory=dict)
    worktree: str = ""
    base_commit: str = ""
    forked_from: str | None = None
    fork_seq: int | None = None
    forked_at: float | None = None
    """When the fork was made: a fork's clock starts here, not at the copied start."""
    mode: Literal["pipeline", "group"] = "pipeline"
    """``group``: the roles take turns in an AutoGen group chat (see :class:`SpeakerSelected`)."""
    worker: str = ""
    """The ``workbench worker`` that started driving the run ("": the process that made it)."""

    def summary(self) -> str:
        return (f"{self.model} on {self.branch}"
                + (" (group chat)" if self.mode == "group" else "")
                + (f" by worker {self.worker}" if self.worker else ""))


class PhaseChanged(EventBase):
    kind: Literal["phase_changed"] = "phase_changed"
    phase: str
    active_role: str | None = None
    cycle: str | None = None
    """Why a development cycle starts: "spec", "review", "human" or "test_repair"."""

    def summary(self) -> str:
        return f"phase -> {self.phase}" + (f" ({self.cycle})" if self.cycle else "")


class TurnStarted(EventBase):
    kind: Literal["turn_started"] = "turn_started"
    turn: int
    task: str = ""

    def summary(self) -> str:
        return f"turn {self.turn}"


class ModelCall(EventBase):
    kind: Literal["model_call"] = "model_call"
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    cost: float = 0.0
    streamed: bool = False
    finish_reason: str | None = None
    error: str | None = None
    sampling: dict[str, Any] = Field(default_factory=dict)
    """max_tokens, temperature and seed the call was made with."""

    def summary(self) -> str:
        return (f"{self.model} {self.prompt_tokens}+{self.completion_tokens} tok "
                f"{self.latency_ms:.0f} ms")


class ModelRetry(EventBase):
    """A model call failed and will be tried again after ``delay_s``."""

    kind: Literal["model_retry"] = "model_retry"
    attempt: int
    max_attempts: int
    fault: str = ""
    """timeout, rate_limit, server, connection, stream or reply."""
    error: str = ""
    delay_s: float = 0.0
    streamed_next: bool = True
    """False when the next attempt asks for the whole reply, a stream being unreadable."""

    def summary(self) -> str:
        return (f"attempt {self.attempt}/{self.max_attempts} failed ({self.error}); "
                f"retry in {self.delay_s:.1f} s")


class ModelChunk(EventBase):
    """Streamed text; live only, never stored."""

    kind: Literal["model_chunk"] = "model_chunk"
    text: str = ""


class AgentMessage(EventBase):
    kind: Literal["agent_message"] = "agent_message"
    content: str = ""
    turn: int = 0
    task: str = ""
    """Set by stores of schema 1 only: the turn's input is on its ``turn_started``."""
    thought: bool = False
    state_artifact: int | None = None
    """The agent's AutoGen state after this turn (artifact id): resume and fork load it."""
    snapshot: str | None = None
    """The worktree after this turn (a snapshot commit), so a resume can restore it."""
    model_calls: int | None = None
    """Model calls this role has made in the run after this turn."""

    def summary(self) -> str:
        return self.content[:120].replace("\n", " ")


class ToolCall(EventBase):
    kind: Literal["tool_call"] = "tool_call"
    name: str = ""
    arguments: dict[str, Any] = Field(default_factory=dict)
    call_id: str = ""

    def summary(self) -> str:
        return f"{self.name}({json.dumps(self.arguments, default=str)[:80]})"


class ToolResult(EventBase):
    kind: Literal["tool_result"] = "tool_result"
    name: str = ""
    call_id: str = ""
    content: str = ""
    is_error: bool = False

    def summary(self) -> str:
        flag = "error: " if self.is_error else ""
        return f"{self.name} -> {flag}{self.content[:80]}".replace("\n", " ")


ArtifactType = Literal["spec", "patch", "review", "test_plan", "test_result", "static_checks",
                       "log", "agent_state", "evidence", "draft", "changed_functions",
                       "worktree_diff"]
"""``worktree_diff``: the worktree against the base after an edit inside a turn (the live
diff); ``patch``: what a developer turn, or the final gate, delivered."""


class ArtifactRecorded(EventBase):
    """A product of the run. Small contracts (spec, review, test plan and result, static
    checks) are in ``data``; bodies (diff, log, agent state, evidence) only in the artifact."""

    kind: Literal["artifact"] = "artifact"
    type: ArtifactType
    artifact_id: int | None = None
    data: dict[str, Any] | None = None
    files: list[str] = Field(default_factory=list)
    summary_text: str = ""
    round: int | None = None
    final: bool = False
    committed: bool = False
    edited: bool = False
    after_hunk_rejection: bool = False
    rejected_hunks: list[str] = Field(default_factory=list)
    commit: str = ""

    def summary(self) -> str:
        return f"{self.type} #{self.artifact_id}"


Gate = Literal["spec", "final", "command", "step", "review", "takeover"]


class ApprovalRequested(EventBase):
    kind: Literal["approval_requested"] = "approval_requested"
    gate: Gate
    message: str = ""
    argv: list[str] = Field(default_factory=list)
    """At the command gate: the exact command the policy blocked."""
    blocked_role: str = ""
    """At the command gate: the role whose command it was."""
    resume: Literal["", "tests", "turn"] = ""
    """At the command gate: what the command blocked (the planned test run, or a turn)."""
    high_risk_paths: list[str] = Field(default_factory=list)
    """At the final gate: changed paths that match the high-risk patterns."""

    def summary(self) -> str:
        return f"{self.gate} gate: {self.message}"


class ApprovalGiven(EventBase):
    kind: Literal["approval_given"] = "approval_given"
    gate: Gate
    decision: Literal["approve", "request_changes", "reject"] = "approve"
    comment: str = ""
    spec: dict[str, Any] | None = None
    rejected_hunks: list[str] = Field(default_factory=list)
    by: str = "human"
    send_to: str | None = None
    """At the takeover of a stopped run: the role that goes on."""
    remember: bool = False
    """At the command gate: the command joins the repository's allow-list."""
    high_risk_paths: list[str] = Field(default_factory=list)
    """At the final gate: the high-risk paths approved by name."""

    def summary(self) -> str:
        return f"{self.decision} at the {self.gate} gate" + (
            f": {self.comment}" if self.comment else "")


class Steer(EventBase):
    kind: Literal["steer"] = "steer"
    text: str = ""
    target_role: str | None = None
    review_comment: bool = True

    def summary(self) -> str:
        return f"@{self.target_role or 'next'} {self.text}"[:120]


class BudgetUsed(EventBase):
    kind: Literal["budget"] = "budget"
    name: str
    used: float = 0
    limit: float = 0

    def summary(self) -> str:
        return f"{self.name} {self.used:g}/{self.limit:g}"


class ErrorRecorded(EventBase):
    kind: Literal["error"] = "error"
    message: str = ""
    tool: str | None = None
    errors: list[str] = Field(default_factory=list)
    attempt: int | None = None
    contract: str | None = None

    def summary(self) -> str:
        return self.message


class PolicyRecorded(EventBase):
    kind: Literal["policy"] = "policy"
    message: str = ""
    tool: str | None = None
    path: str | None = None
    argv: list[str] | None = None

    def summary(self) -> str:
        return self.message


class InjectionSuspected(EventBase):
    """Text that entered a prompt looks like instructions to the agents; it was sent on as
    fenced data. ``source``: ``task``, ``path:line`` or ``tool:CALL_ID``."""

    kind: Literal["injection_suspected"] = "injection_suspected"
    source: str = ""
    rule: str = ""
    excerpt: str = ""
    call_id: str | None = None
    tool: str | None = None

    def summary(self) -> str:
        return f"suspected injection in {self.source}: {self.rule}"


class RunParked(EventBase):
    """The run waits at a gate with no engine attached; ``approve`` + ``resume`` go on."""

    kind: Literal["run_parked"] = "run_parked"
    gate: str = ""
    reason: str = ""
    waiting_on: Literal["human", "provider"] = "human"
    """``provider``: a model provider failed every attempt; ``resume`` tries again."""

    def summary(self) -> str:
        return f"parked: {self.reason}"


class RunInterrupted(EventBase):
    """The engine stopped mid-run (the app quit, a signal); ``resume`` goes on."""

    kind: Literal["run_interrupted"] = "run_interrupted"
    reason: str = ""

    def summary(self) -> str:
        return f"interrupted: {self.reason}"


class TraceStarted(EventBase):
    """The run is traced (OpenTelemetry): a resume continues this trace."""

    kind: Literal["trace_started"] = "trace_started"
    trace_id: str
    span_id: str

    def summary(self) -> str:
        return f"trace {self.trace_id}"


class HandoffPosted(EventBase):
    """The run's result was sent to another system (``workbench export --post``)."""

    kind: Literal["handoff"] = "handoff"
    format: str
    host: str
    status_code: int
    attempts: int = 1

    def summary(self) -> str:
        return f"{self.format} posted to {self.host}: HTTP {self.status_code}"


class SpeakerSelected(EventBase):
    """Group mode: who the group chat gave the next turn to, and among whom it chose."""

    kind: Literal["speaker_selected"] = "speaker_selected"
    speaker: str
    candidates: list[str] = Field(default_factory=list)
    by: Literal["selector", "only", "fallback"] = "only"
    """``selector``: the selector model chose among several; ``only``: one could act;
    ``fallback``: the selector named none of them, so the first candidate speaks."""

    def summary(self) -> str:
        among = ", ".join(self.candidates)
        if self.by == "selector":
            return f"{self.speaker} speaks next (chosen from {among})"
        if self.by == "fallback":
            return f"{self.speaker} speaks next (the selector named none of {among})"
        return f"{self.speaker} speaks next"


class GroupMessage(EventBase):
    """Group mode: what one participant (a role or the human at a gate) told the team; the
    thread every role reads and the selector chooses from. ``role`` is the author."""

    kind: Literal["group_message"] = "group_message"
    content: str

    def summary(self) -> str:
        return self.content[:120]


class RunFinished(EventBase):
    kind: Literal["run_finished"] = "run_finished"
    status: str
    reason: str = ""
    commit: str = ""
    branch: str = ""

    def summary(self) -> str:
        return f"{self.status}: {self.reason}"


RunEvent = Annotated[
    RunStarted | PhaseChanged | TurnStarted | ModelCall | ModelRetry | ModelChunk | AgentMessage
    | ToolCall | ToolResult | ArtifactRecorded | ApprovalRequested | ApprovalGiven | Steer
    | BudgetUsed | ErrorRecorded | PolicyRecorded | InjectionSuspected | RunParked
    | RunInterrupted | TraceStarted | HandoffPosted | SpeakerSelected | GroupMessage
    | RunFinished,
    Field(discriminator="kind"),
]
"""Any run event."""

EVENT_CLASSES: dict[str, type[EventBase]] = {
    cls.model_fields["kind"].default: cls
    for cls in (RunStarted, PhaseChanged, TurnStarted, ModelCall, ModelRetry, ModelChunk,
                AgentMessage,
                ToolCall, ToolResult, ArtifactRecorded, ApprovalRequested, ApprovalGiven, Steer,
                BudgetUsed, ErrorRecorded, PolicyRecorded, InjectionSuspected, RunParked,
                RunInterrupted, TraceStarted, HandoffPosted, SpeakerSelected, GroupMessage,
                RunFinished)
}
EVENT_KINDS: tuple[str, ...] = tuple(EVENT_CLASSES)
TRANSIENT_KINDS: frozenset[str] = frozenset({"model_chunk"})

def make_event(kind: str, /, **fields: Any) -> EventBase:
    """Build and validate an event of ``kind`` (the engine's and tests' constructor)."""
    cls = EVENT_CLASSES.get(kind)
    if cls is None:
        raise ValueError(f"unknown event kind: {kind}")
    return cls.model_validate(fields)


def build_event(run_id: str, seq: int, ts: float, kind: str, role: str,
                payload: dict[str, Any], version: int = EVENT_SCHEMA_VERSION) -> EventBase:
    """An event from a stored row. Rows of older schema versions are upgraded first; rows
    of this version were validated when written, so they are built without validating
    again (reading a 50,000-event run must stay fast)."""
    if version < EVENT_SCHEMA_VERSION:
        kind, payload = upgrade_payload(kind, payload, version)
    cls = EVENT_CLASSES.get(kind)
    if cls is None:  # a kind this version does not know: keep it visible as an error
        return ErrorRecorded(run_id=run_id, seq=seq, ts=ts, role=role,
                             message=f"unknown event kind {kind!r} in the store")
    if version < EVENT_SCHEMA_VERSION:
        return cls.model_validate({**payload, "run_id": run_id, "seq": seq, "ts": ts,
                                   "role": role, "kind": kind})
    return _construct(cls, run_id, seq, ts, role, payload)


_new = object.__new__
_ENVELOPE_SET = frozenset({"run_id", "seq", "ts", "role"})
_set = object.__setattr__
_PLANS: dict[type[EventBase], tuple[dict[str, Any], tuple[tuple[str, Any], ...],
                                    frozenset[str]]] = {}


def _plan(cls: type[EventBase]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...],
                                         frozenset[str]]:
    """Per class: plain defaults, default factories, and every field name."""
    plan = _PLANS.get(cls)
    if plan is None:
        defaults: dict[str, Any] = {}
        factories: list[tuple[str, Any]] = []
        for name, info in cls.model_fields.items():
            if info.default_factory is not None:
                factories.append((name, info.default_factory))
            elif not info.is_required():
                defaults[name] = info.default
        plan = _PLANS[cls] = (defaults, tuple(factories), frozenset(cls.model_fields))
    return plan


def _fast(cls: type[EventBase], run_id: str, seq: int, ts: float, role: str,
          payload: dict[str, Any]) -> EventBase:
    """What ``model_construct`` builds from a stored row, with less generic work per event."""
    defaults, factories, names = _plan(cls)
    values = dict(defaults)
    for name, factory in factories:
        if name not in payload:
            values[name] = factory()
    given = payload if names.issuperset(payload) else {
        k: v for k, v in payload.items() if k in names}
    values.update(given)
    values.update(run_id=run_id, seq=seq, ts=ts, role=role)
    event: EventBase = _new(cls)
    _set(event, "__dict__", values)
    _set(event, "__pydantic_fields_set__", {*given, *_ENVELOPE_SET})
    _set(event, "__pydantic_extra__", None)
    _set(event, "__pydantic_private__", None)
    return event


def _slow(cls: type[EventBase], run_id: str, seq: int, ts: float, role: str,
          payload: dict[str, Any]) -> EventBase:
    return cls.model_construct(run_id=run_id, seq=seq, ts=ts, role=role, **payload)


_construct_fn: list[Any] = []


def _construct(cls: type[EventBase], run_id: str, seq: int, ts: float, role: str,
               payload: dict[str, Any]) -> EventBase:
    """``_fast`` when it builds exactly what ``model_construct`` does (checked once, so a
    pydantic upgrade that changes the internals falls back to the public path)."""
    if not _construct_fn:
        row = ("r", 1, 1.0, "human", {"text": "x"})
        fast, slow = _fast(Steer, *row), _slow(Steer, *row)
        same = (fast == slow and fast.__dict__ == slow.__dict__
                and fast.model_fields_set == slow.model_fields_set)
        _construct_fn.append(_fast if same else _slow)
    built: EventBase = _construct_fn[0](cls, run_id, seq, ts, role, payload)
    return built


def load_event(row: dict[str, Any]) -> EventBase:
    """An event from a row dict as the store returns it (payload as JSON text or dict)."""
    payload = row.get("payload") or "{}"
    data = json.loads(payload) if isinstance(payload, str) else dict(payload)
    return build_event(str(row["run_id"]), int(row.get("seq") or 0), float(row.get("ts") or 0),
                       str(row["kind"]), str(row.get("role") or "system"), data,
                       int(row.get("v") or EVENT_SCHEMA_VERSION))
