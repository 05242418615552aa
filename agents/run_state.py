"""RunState: everything known about a run, built only by folding its events.

The engine (resume, fork), the evidence bundle, the CLI and every pane read this one state;
``fold(events[:n])`` equals the state a live reader reached after its n-th event. Folding is
O(1) amortised per event; contract payloads stay plain dicts until first read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from agents.contracts import Approval, FeatureSpec, ReviewResult, RunStatus, TestPlan, TestResult

ItemKind = Literal[
    "message", "tool_call", "tool_result", "steer", "approval", "error", "policy", "phase",
    "artifact", "injection",
]

Stage = Literal[
    "new", "started", "spec_proposed", "spec_asked", "spec_decided", "cycle_started",
    "developed", "no_patch", "review_asked", "review_decided", "takeover_decided",
    "reviewed", "test_planned", "tested", "final_proposed", "final_asked", "final_decided",
    "command_asked", "command_decided", "committed", "finished",
]
"""The last milestone a run reached: the engine continues from the step after it."""

M = TypeVar("M", bound=BaseModel)


@dataclass
class ConversationItem:
    """One line of the conversation pane."""

    role: str
    kind: ItemKind
    text: str
    details: str = ""
    is_error: bool = False
    seq: int = 0
    name: str = ""
    """Tool name for tool calls and results."""
    call_id: str = ""


@dataclass
class Lazy:
    """A contract's raw dict with its validated model computed on first access."""

    data: dict[str, Any]
    _model: BaseModel | None = field(default=None, compare=False, repr=False)
    _failed: bool = field(default=False, compare=False, repr=False)

    def get(self, model: type[M]) -> M | None:
        if self._model is None and not self._failed:
            try:
                self._model = model.model_validate(self.data)
            except ValidationError:
                self._failed = True
        return self._model if isinstance(self._model, model) else None


@dataclass
class PatchRef:
    """A recorded patch; its diff is artifact ``artifact_id`` (read it from the store)."""

    artifact_id: int | None
    files: list[str]
    summary: str = ""
    round: int | None = None
    final: bool = False
    committed: bool = False
    rejected_hunks: list[str] = field(default_factory=list)
    seq: int = 0


@dataclass
class CommandRequest:
    """A command the policy blocked, waiting at the command gate."""

    argv: list[str]
    role: str
    reason: str
    resume: str
    """"tests": the planned test run; "turn": a ``run_tests`` call inside the role's turn."""


@dataclass
class TurnRef:
    """A completed agent turn: who, its final text, its event."""

    role: str
    content: str
    seq: int


@dataclass
class Usage:
    """What a run (or one role) has spent."""

    turns: int = 0
    tool_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    model_calls: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class RunState:
    """A run as of its last folded event."""

    run_id: str = ""
    task: str = ""
    repo: str = ""
    branch: str = ""
    worktree: str = ""
    base_commit: str = ""
    forked_from: str | None = None
    fork_seq: int | None = None
    commit: str = ""
    status: RunStatus = RunStatus.PENDING
    stage: Stage = "new"
    phase: str = ""
    active_role: str = ""
    model: str = ""
    models: dict[str, str] = field(default_factory=dict)
    scripted: bool = False
    mode: str = "pipeline"
    group_thread: list[tuple[str, str]] = field(default_factory=list)
    """Group mode: (author, text) of every message the team was told, in order."""
    group_posted: int = 0
    """Group mode: the milestone (its seq) the last group message told the team about."""
    started_ts: float = 0.0
    last_ts: float = 0.0
    last_seq: int = 0
    event_count: int = 0
    limits: dict[str, float] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    usage_by_role: dict[str, Usage] = field(default_factory=dict)
    usage_by_model: dict[str, Usage] = field(default_factory=dict)
    """Model calls, tokens and cost per model (provider string), failed attempts included."""
    # the work and its decisions
    spec_lazy: Lazy | None = None
    spec_edited: bool = False
    spec_approval: Approval | None = None
    requirements_rounds: int = 0
    patches: list[PatchRef] = field(default_factory=list)
    worktree_diff: PatchRef | None = None
    """The worktree's diff after the latest edit inside a turn (the live diff)."""
    review_lazies: list[Lazy] = field(default_factory=list)
    review_approval: Approval | None = None
    takeover: Approval | None = None
    """A human took over a run that had stopped NEEDS_HUMAN_REVIEW (the last such decision)."""
    """The human's decision at a review gate (a reviewer that gave no valid review)."""
    draft: dict[str, Any] | None = None
    """The last invalid contract a role gave up on: ``{contract, text, errors}``."""
    cycle: int = 0
    cycle_reason: str = ""
    rounds_in_cycle: int = 0
    review_rounds: int = 0
    """Reviews in the current development cycle (the budget ``max_review_rounds`` bounds it)."""
    no_patch_rounds: int = 0
    no_patch_hint: str = ""
    """Why the last developer turn changed nothing, when known (a tool call written as text)."""
    """Developer turns of the current cycle that ended with no change (bounded the same)."""
    test_repairs: int = 0
    test_plan_lazy: Lazy | None = None
    test_result_lazies: list[Lazy] = field(default_factory=list)
    last_test_command: list[str] = field(default_factory=list)
    static_checks: dict[str, Any] | None = None
    changed_functions: list[dict[str, Any]] = field(default_factory=list)
    """``[{path, qualified_name, change}, ...]`` of the worktree as last recorded (review,
    final gate): the screen shows these rather than analysing a worktree being written."""
    final_approval: Approval | None = None
    trace: tuple[str, str] | None = None
    """The OpenTelemetry trace id of the run and its first run span id, when traced."""
    sandbox: tuple[str, bool] | None = None
    """The backend the last command ran in, and whether it is a jail."""
    command_request: CommandRequest | None = None
    command_approval: Approval | None = None
    high_risk_paths: list[str] = field(default_factory=list)
    """Changed paths matching the high-risk patterns, as the final gate named them."""
    approvals: list[Approval] = field(default_factory=list)
    steers: list[tuple[str, str | None]] = field(default_factory=list)
    pending_steers: list[tuple[str, str]] = field(default_factory=list)
    """Steers no turn has taken yet, as (text, target): the engine takes them up on resume."""
    policy: list[str] = field(default_factory=list)
    injections: set[str] = field(default_factory=set)
    """``source|rule|excerpt`` of every suspected injection recorded (each is recorded once)."""
    pending_approval: str | None = None
    pending_message: str = ""
    finished_reason: str = ""
    parked_reason: str = ""
    retrying: str = ""
    """The retry under way (``developer: server error (HTTP 500), retry 2/5 in 1.2 s``);
    cleared by the next answered model call."""
    # what a resume or fork restores
    agent_states: dict[str, int] = field(default_factory=dict)
    """Per role, the artifact id of its AutoGen state after its last completed turn."""
    model_calls_at_turn: dict[str, int] = field(default_factory=dict)
    """Per role, its model calls as of its last completed turn (scripted replies resume there)."""
    calls_by_role: Counter[str] = field(default_factory=Counter)
    snapshot: str | None = None
    """The worktree after the last turn that changed it (a snapshot commit)."""
    evidence_artifact: int | None = None
    milestone_seq: int = 0
    """The event of the last milestone (``stage``)."""
    last_turn: TurnRef | None = None
    """The last completed agent turn; when it came after the last milestone, its step was cut
    short (a crash between the turn and what the step records next) and resume reuses it."""
    # the panes
    items: list[ConversationItem] = field(default_factory=list)
    streaming: dict[str, list[str]] = field(default_factory=dict)
    """Live text per role: model_chunk appends, the role's agent_message clears."""
    rejected_hunks: list[str] = field(default_factory=list)
    artifact_ids: dict[str, int] = field(default_factory=dict)
    log_artifacts: list[int] = field(default_factory=list)

    # ----------------------------------------------------------------- derived
    @property
    def started(self) -> bool:
        return self.stage != "new"

    @property
    def finished(self) -> bool:
        return self.status.terminal

    @property
    def elapsed(self) -> float:
        """Seconds between the first and the last event (the replay clock)."""
        return max(0.0, self.last_ts - self.started_ts) if self.started_ts else 0.0

    @property
    def prompt_tokens(self) -> int:
        return self.usage.prompt_tokens

    @property
    def completion_tokens(self) -> int:
        return self.usage.completion_tokens

    @property
    def total_tokens(self) -> int:
        return self.usage.tokens

    @property
    def cost(self) -> float:
        return self.usage.cost

    @property
    def model_calls(self) -> int:
        return self.usage.model_calls

    @property
    def budgets(self) -> dict[str, tuple[float, float]]:
        """Used and limit per budget, for the status bar: review rounds and test repairs
        first once they are in use, then turns, tool calls, tokens and cost."""
        used: list[tuple[str, float]] = [
            (name, value) for name, value in (("review_rounds", self.review_rounds),
                                              ("test_repairs", self.test_repairs)) if value]
        used += [("turns", self.usage.turns), ("tool_calls", self.usage.tool_calls),
                 ("tokens", self.usage.tokens), ("cost", self.usage.cost)]
        return {name: (float(value), float(self.limits[name]))
                for name, value in used if name in self.limits}

    @property
    def spec(self) -> FeatureSpec | None:
        return self.spec_lazy.get(FeatureSpec) if self.spec_lazy else None

    @property
    def spec_approved(self) -> bool:
        return self.spec_approval is not None and self.spec_approval.decision == "approve"

    @property
    def patch(self) -> PatchRef | None:
        return self.patches[-1] if self.patches else None

    @property
    def shown_diff(self) -> PatchRef | None:
        """What the diff pane shows: the newest of the last patch and the live diff."""
        live, patch = self.worktree_diff, self.patch
        if live is None or (patch is not None and patch.seq > live.seq):
            return patch
        return live

    @property
    def final_patch(self) -> PatchRef | None:
        for ref in reversed(self.patches):
            if ref.final:
                return ref
        return None

    @property
    def reviews(self) -> list[ReviewResult]:
        return [r for lazy in self.review_lazies if (r := lazy.get(ReviewResult)) is not None]

    @property
    def last_review(self) -> ReviewResult | None:
        return self.review_lazies[-1].get(ReviewResult) if self.review_lazies else None

    @property
    def test_plan(self) -> TestPlan | None:
        return self.test_plan_lazy.get(TestPlan) if self.test_plan_lazy else None

    @property
    def test_results(self) -> list[TestResult]:
        return [r for lazy in self.test_result_lazies if (r := lazy.get(TestResult)) is not None]

    @property
    def test_result(self) -> TestResult | None:
        return self.test_result_lazies[-1].get(TestResult) if self.test_result_lazies else None

    def role_usage(self, role: str) -> Usage:
        return self.usage_by_role.setdefault(role, Usage())

    def streaming_text(self, role: str) -> str:
        return "".join(self.streaming.get(role, ()))

    def apply(self, event: Any) -> None:
        """Fold one more event into this state (see :func:`agents.fold.apply_event`)."""
        from agents.fold import apply_event

        apply_event(self, event)

    @classmethod
    def from_events(cls, events: Any) -> RunState:
        from agents.fold import fold

        return fold(events)
