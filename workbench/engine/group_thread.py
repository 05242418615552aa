"""Group mode, the pure part: who may speak at each milestone of the folded state, and what
each milestone tells the team. The group chat chooses among ``candidates``; every other
milestone (gates, decisions, the commit) is the engine's, exactly as in the pipeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agents.contracts import Decision, ReviewIssue, ReviewResult, Role
from agents.run_state import RunState

SEAT_DESCRIPTIONS: dict[Role, str] = {
    Role.REQUIREMENTS: "writes and revises the feature spec; choose it when the review shows "
                       "that the spec itself is wrong or incomplete",
    Role.DEVELOPER: "changes the code; choose it to fix what the review found",
    Role.REVIEWER: "reviews the developer's change against the spec",
    Role.TESTER: "writes and runs focused tests; choose it when the change is ready to test",
}

SELECTOR_PROMPT = """You coordinate a software team working on one change to a repository.
The roles:
{roles}

The team's conversation so far:
{history}

Choose who acts next, one of {participants}. Reply with that role's name only."""


def candidates(state: RunState, blocking: Callable[[ReviewResult], list[ReviewIssue]],
               max_rounds: int) -> list[Role]:
    """The roles that could act now (first: the pipeline's choice); empty when the next
    step is the engine's (a gate, a decision, the commit)."""
    stage = state.stage
    if stage == "started":
        return [Role.REQUIREMENTS]
    if stage == "spec_decided":
        approval = state.spec_approval
        asked = approval is not None and approval.decision is Decision.REQUEST_CHANGES
        return [Role.REQUIREMENTS] if asked else []
    if stage in ("cycle_started", "no_patch"):
        return [Role.DEVELOPER]
    if stage == "developed":
        return [Role.REVIEWER]
    if stage == "test_planned":
        return [Role.TESTER]
    if stage != "reviewed" or state.last_review is None:
        return []
    if blocking(state.last_review):  # the code or the spec: the group decides
        respec = state.requirements_rounds <= max_rounds
        return [Role.DEVELOPER, Role.REQUIREMENTS] if respec else [Role.DEVELOPER]
    # only notes: test it, or let the developer take the notes first (bounded)
    polish = state.review_rounds < max_rounds
    return [Role.TESTER, Role.DEVELOPER] if polish else [Role.TESTER]


def _review_text(review: ReviewResult) -> str:
    issues = "; ".join(f"{i.severity} {i.file}: {i.problem}" if i.file
                       else f"{i.severity}: {i.problem}" for i in review.issues[:5])
    return f"{review.status}: {review.summary}" + (f" Issues: {issues}" if issues else "")


def _decision_text(state: RunState) -> str:
    approval = state.approvals[-1] if state.approvals else None
    if approval is None:
        return ""
    verb = {"approve": "approved", "request_changes": "changes requested",
            "reject": "rejected"}.get(approval.decision.value, approval.decision.value)
    text = f"{approval.gate.capitalize()} gate: {verb} by {approval.by}."
    return text + (f" Comment: {approval.comment}" if approval.comment else "")


def milestone_post(state: RunState) -> tuple[str, str] | None:
    """(author, text) of what the milestone just reached tells the team; None when it tells
    nothing new (already posted, or a milestone that is only the engine's bookkeeping)."""
    if state.milestone_seq == state.group_posted:
        return None
    stage = state.stage
    if stage == "spec_proposed" and state.spec is not None:
        spec = state.spec
        return "requirements", (f"Spec {spec.feature_id}: {spec.summary} "
                                f"({len(spec.acceptance_criteria)} acceptance criteria)")
    if stage == "developed" and state.patches:
        ref = state.patches[-1]
        return "developer", f"{ref.summary[:500]} (changed: {', '.join(ref.files[:10])})"
    if stage == "no_patch":
        return "developer", "I ended my turn without changing any file."
    if stage == "reviewed" and state.last_review is not None:
        by_human = state.last_review.summary == "the human asked for changes" or any(
            i.category == "human" for i in state.last_review.issues)
        return ("human" if by_human else "reviewer"), _review_text(state.last_review)
    if stage == "test_planned" and state.test_plan is not None:
        plan = state.test_plan
        new = f"; new tests: {', '.join(plan.new_tests[:5])}" if plan.new_tests else ""
        return "tester", f"Test plan: run `{' '.join(plan.command)}`{new}"
    if stage == "tested" and state.test_result is not None:
        r = state.test_result
        return "tester", (f"Tests {r.status}: {r.passed} passed, {r.failed} failed "
                          f"(exit {r.exit_code})")
    if stage.endswith("_decided"):
        text = _decision_text(state)
        return ("human", text) if text else None
    return None


def news_for(role: Role, thread: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The posts since ``role`` last spoke (all of them before its first post)."""
    for i in range(len(thread) - 1, -1, -1):
        if thread[i][0] == role.value:
            return list(thread[i + 1:])
    return list(thread)
