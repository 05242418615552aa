"""Typed contracts that agents must produce and the engine consumes.

Every contract is a pydantic model; agent output that fails validation is sent back to the
same agent with the validation errors (see ``workbench.engine``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.commands import split_command


class RunStatus(StrEnum):
    """Lifecycle and terminal statuses of a run."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    WAITING_FOR_APPROVAL = "WAITING_FOR_APPROVAL"
    INTERRUPTED = "INTERRUPTED"
    """The engine stopped mid-run (the app quit, a signal, a crash); ``resume`` continues."""
    WAITING = "WAITING"
    """Parked until something outside the run is back (a model provider); ``resume``
    continues from the turn that could not be made."""
    APPROVED = "APPROVED"
    NEEDS_HUMAN_REVIEW = "NEEDS_HUMAN_REVIEW"
    BLOCKED_BY_POLICY = "BLOCKED_BY_POLICY"
    REJECTED = "REJECTED"
    FAILED = "FAILED"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {
        RunStatus.APPROVED,
        RunStatus.NEEDS_HUMAN_REVIEW,
        RunStatus.BLOCKED_BY_POLICY,
        RunStatus.REJECTED,
        RunStatus.FAILED,
    }
)


class Phase(StrEnum):
    """Pipeline phases, in order."""

    REQUIREMENTS = "requirements"
    SPEC_GATE = "spec_gate"
    DEVELOPMENT = "development"
    REVIEW = "review"
    TESTING = "testing"
    FINAL_GATE = "final_gate"
    COMMIT = "commit"
    DONE = "done"


class Role(StrEnum):
    REQUIREMENTS = "requirements"
    DEVELOPER = "developer"
    REVIEWER = "reviewer"
    TESTER = "tester"
    HUMAN = "human"
    SYSTEM = "system"


AGENT_ROLES: tuple[Role, ...] = (Role.REQUIREMENTS, Role.DEVELOPER, Role.REVIEWER, Role.TESTER)

RiskLevel = Literal["low", "medium", "high"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeatureSpec(_Strict):
    """What the requirements agent produces and the human approves before any code is written."""

    feature_id: str = Field(min_length=1, description="Short stable id, e.g. FEAT-042.")
    summary: str = Field(min_length=1, description="One or two sentences.")
    risk_level: RiskLevel
    in_scope: list[str] = Field(min_length=1)
    out_of_scope: list[str] = Field(default_factory=list)
    affected_components: list[str] = Field(default_factory=list)
    acceptance_criteria: list[str] = Field(min_length=1)
    technical_constraints: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    requires_human_approval: bool = True


class Patch(_Strict):
    """A unified diff proposed by the developer, relative to the worktree root."""

    diff: str
    files: list[str] = Field(default_factory=list)
    summary: str = ""
    rejected_hunks: list[str] = Field(
        default_factory=list, description="Hunk ids the human left out (file#index)."
    )


Severity = Literal["blocker", "major", "minor", "nit"]


SEVERITY_ALIASES: dict[str, Severity] = {
    "critical": "blocker", "high": "blocker", "blocking": "blocker", "medium": "major",
    "moderate": "major", "low": "minor", "trivial": "nit", "info": "nit", "style": "nit",
}
"""Words models use for severity, read as the contract's own levels."""


class ReviewIssue(_Strict):
    severity: Severity
    category: str = "general"
    file: str = ""
    line: int | None = None
    problem: str
    recommended_fix: str = ""

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: object) -> object:
        if isinstance(value, str):
            word = value.strip().lower()
            return SEVERITY_ALIASES.get(word, word)
        return value


class ReviewResult(_Strict):
    status: Literal["APPROVED", "NEEDS_REVISION"]
    summary: str = ""
    issues: list[ReviewIssue] = Field(default_factory=list)


class TestPlan(_Strict):
    __test__ = False  # not a pytest class

    targets: list[str] = Field(default_factory=list, description="Changed functions under test.")
    focus_tests: list[str] = Field(default_factory=list, description="Existing tests to run first.")
    new_tests: list[str] = Field(default_factory=list, description="Tests the tester adds.")
    command: list[str] = Field(default_factory=lambda: ["python", "-m", "pytest", "-q"])

    @field_validator("command", mode="before")
    @classmethod
    def _argv(cls, value: object) -> object:
        # Models often write the command as one string; anything else is pydantic's to judge.
        if isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(a, str) for a in value)
        ):
            return split_command(value)
        return value


class TestResult(_Strict):
    __test__ = False

    status: Literal["passed", "failed", "error", "blocked", "timeout"]
    exit_code: int | None
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failed_tests: list[str] = Field(default_factory=list)
    log_artifact: int | None = Field(default=None, description="Artifact id of the full log.")
    failure_slice: str = ""
    command: list[str] = Field(default_factory=list)
    duration_s: float = 0.0


class Decision(StrEnum):
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"


class Approval(_Strict):
    """A human's answer at a gate."""

    gate: Literal["spec", "final", "command", "review", "takeover"]
    decision: Decision
    comment: str = ""
    spec: FeatureSpec | None = Field(default=None, description="Edited spec, when changed.")
    rejected_hunks: list[str] = Field(default_factory=list)
    by: str = "human"
    send_to: Literal["requirements", "developer", "tester"] | None = Field(
        default=None, description="Taking over a stopped run: the role that goes on.")
    remember: bool = Field(
        default=False, description="At the command gate: add the command to the repository's "
        "allow-list, not only run it once.")
    high_risk_paths: list[str] = Field(
        default_factory=list, description="At the final gate: the high-risk paths the human "
        "approved by name.")
