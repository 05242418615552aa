"""The pipeline's steps. Each one starts at a milestone of the folded state and ends by
recording the next milestone (an artifact, a gate request or a decision)."""

from __future__ import annotations

import textwrap

from agents import prompts
from agents.contracts import (
    Approval,
    Decision,
    FeatureSpec,
    Patch,
    Phase,
    ReviewIssue,
    ReviewResult,
    Role,
    RunStatus,
    TestPlan,
)
from agents.diff import parse_unified_diff
from agents.fold import NO_PATCH
from agents.patching import PatchRejected, apply_patch
from agents.redact import MASK
from workbench import gitops
from workbench.engine import repo_map as views
from workbench.engine.approvals import hunk_ids
from workbench.engine.base import ContractGaveUp, RunStopped
from workbench.engine.claims import missing_tests
from workbench.engine.evidence_bundle import build_bundle
from workbench.engine.safety_gates import SafetyGates

DEFAULT_TEST_COMMAND = ["python", "-m", "pytest", "-q"]


class Steps(SafetyGates):
    developer = Role.DEVELOPER

    @property
    def spec(self) -> FeatureSpec:
        spec = self.state.spec
        if spec is None:
            raise RunStopped(RunStatus.NEEDS_HUMAN_REVIEW, "the run has no valid spec")
        return spec

    # requirements and the spec gate ------------------------------------------------------
    async def requirements(self, comment: str, asked_by: str = "The human") -> None:
        self._phase(Phase.REQUIREMENTS, Role.REQUIREMENTS)
        text = await self.turn(
            Role.REQUIREMENTS,
            prompts.requirements_task(self.config.task, comment,
                                      views.file_list(self.wt_checked.path), asked_by))
        try:
            spec = await self.validated(Role.REQUIREMENTS, text, FeatureSpec)
        except ContractGaveUp as gave_up:  # the human writes the spec at the gate
            self.keep_draft(gave_up)
            self._phase(Phase.SPEC_GATE)
            await self.gate("spec", f"{gave_up.reason}. Write or fix the spec (the last attempt "
                            "is in the editor) and approve it, or request changes to ask again")
            return
        self._artifact("spec", Role.REQUIREMENTS, spec)

    async def spec_gate(self) -> None:
        if self.state.phase != Phase.SPEC_GATE.value:
            self._phase(Phase.SPEC_GATE)
        await self.gate("spec", "Review and approve the feature spec")

    # development and review --------------------------------------------------------------
    def cycle_feedback(self) -> str:
        s = self.state
        if s.cycle_reason == "human" and s.final_approval is not None:
            return prompts.final_feedback(s.final_approval.comment,
                                          s.final_approval.rejected_hunks)
        if s.cycle_reason == "takeover" and s.takeover is not None:
            return prompts.final_feedback(s.takeover.comment, [])
        if s.cycle_reason == "test_repair" and s.test_result is not None:
            return prompts.test_failure_feedback(s.test_result, s.test_repairs,
                                                 self.config.budgets.max_test_repairs)
        return ""

    def no_patch_feedback(self) -> str:
        return self.state.no_patch_hint or prompts.NO_PATCH_FEEDBACK

    def blocking_issues(self, review: ReviewResult) -> list[ReviewIssue]:
        """The issues that send the change back; a NEEDS_REVISION with none of them named
        counts as blocking (the reviewer gave no detail to weigh)."""
        if review.status == "APPROVED":
            return []
        blocking = set(self.config.blocking_severities)
        if not review.issues:
            return [ReviewIssue(severity="major", category="review", file="",
                                problem=review.summary or "revision requested",
                                recommended_fix="")]
        return [i for i in review.issues if i.severity in blocking]

    def review_notes(self, review: ReviewResult) -> list[ReviewIssue]:
        """The issues that do not send the change back: notes for the final gate."""
        return [i for i in review.issues if i.severity not in self.config.blocking_severities]

    def review_feedback(self) -> str:
        review = self.state.last_review
        if review is None:
            return ""
        blocking = self.blocking_issues(review)
        return prompts.review_feedback(review.model_copy(update={"issues": blocking}))

    async def develop(self, feedback: str) -> None:
        if self.state.stage != "cycle_started":  # a new cycle already said so
            self._phase(Phase.DEVELOPMENT, Role.DEVELOPER)
        summary = await self.turn(Role.DEVELOPER, prompts.developer_task(
            self.spec, feedback,
            "" if feedback else views.repo_map(self.wt_checked.path,
                                               self.spec.affected_components)))
        diff = gitops.worktree_diff(self.wt_checked)
        round_no = self.state.rounds_in_cycle + 1
        if not diff.strip():
            hint = self.text_call_hint(Role.DEVELOPER, summary)
            message = ("developer wrote a tool call as text instead of calling it" if hint
                       else "developer finished without a patch")
            self.bus.emit("error", Role.DEVELOPER.value, message=message, contract=NO_PATCH,
                          errors=[hint] if hint else [])
            return
        files = [f.path for f in parse_unified_diff(diff)]
        self._artifact("patch", Role.DEVELOPER, Patch(diff=diff, files=files, summary=summary),
                       body=True, files=files, summary_text=summary[:500], round=round_no)

    async def review(self) -> None:
        ev = self.evidence
        self._phase(Phase.REVIEW, Role.REVIEWER)
        diff = gitops.worktree_diff(self.wt_checked)
        report = await ev.static_check_report(diff)
        checks, changes = report.text, ev.changed_functions()
        self._artifact("static_checks", Role.REVIEWER, report.artifact_data(changes))
        text = await self.turn(
            Role.REVIEWER,
            prompts.reviewer_task(self.spec, diff, checks, views.changes_text(changes),
                                  views.review_context(self.wt_checked.path, diff, changes)))
        try:
            review = await self.validated(Role.REVIEWER, text, ReviewResult)
        except ContractGaveUp as gave_up:  # the human reviews instead
            self.keep_draft(gave_up)
            await self.gate("review", f"{gave_up.reason}. Approve to take the change as "
                            "reviewed, request changes to send it back, or reject")
            return
        self._artifact("review", Role.REVIEWER, review, round=self.state.rounds_in_cycle)

    async def review_gate(self) -> None:
        await self.gate("review", self.state.pending_message or "Review the change")

    def human_review(self) -> None:
        """The human's decision at the review gate, recorded as the review of this round."""
        approval = self.state.review_approval
        if approval is None or approval.decision is Decision.REJECT:
            raise RunStopped(RunStatus.REJECTED, "change rejected by the human at review")
        self.record_human_review(approval, "reviewed by the human")

    def record_human_review(self, approval: Approval, approved: str) -> None:
        """A human's approve (summary: the comment, else ``approved``) or request for
        changes, recorded as the review of this round."""
        if approval.decision is Decision.APPROVE:
            review = ReviewResult(status="APPROVED", summary=approval.comment or approved)
        else:
            review = ReviewResult(status="NEEDS_REVISION", summary="the human asked for changes",
                                  issues=[ReviewIssue(severity="major", category="human",
                                                      problem=approval.comment or
                                                      "revise the change",
                                                      recommended_fix="")])
        self._artifact("review", Role.HUMAN, review, round=self.state.rounds_in_cycle)

    # testing -----------------------------------------------------------------------------
    async def plan_tests(self, feedback: str = "") -> None:
        ev = self.evidence
        self._phase(Phase.TESTING, Role.TESTER)
        diff = gitops.worktree_diff(self.wt_checked)
        changes = ev.changed_functions()
        focus = ev.focus_tests(changes)
        task = prompts.tester_task(self.spec, diff, views.changes_text(changes),
                                   "\n".join(focus))
        text = await self.turn(Role.TESTER, f"{feedback}\n\n{task}" if feedback else task)
        try:
            plan = await self.validated(
                Role.TESTER, text, TestPlan,
                check=lambda p: missing_tests(self.wt_checked.path, p))
        except ContractGaveUp as gave_up:  # the tests still run, with the default command
            self.keep_draft(gave_up)
            self.bus.emit("error", Role.TESTER.value, contract="TestPlan",
                          message=f"{gave_up.reason}; running the default test command")
            plan = TestPlan()
        self._artifact("test_plan", Role.TESTER, plan)

    async def run_planned_tests(self) -> None:
        plan = self.state.test_plan
        command = list(plan.command if plan else DEFAULT_TEST_COMMAND)
        run = await self.evidence.run_tests(command, Role.TESTER,
                                            approved=self.remembered(command))
        self._artifact("test_result", Role.TESTER, run.result)

    # final gate and commit ---------------------------------------------------------------
    async def propose_final(self) -> None:
        self._phase(Phase.FINAL_GATE)
        diff = gitops.worktree_diff(self.wt_checked)
        files = [f.path for f in parse_unified_diff(diff)] if diff.strip() else []
        self._artifact("patch", Role.DEVELOPER, Patch(diff=diff, files=files, summary="final"),
                       body=True, files=files, summary_text="final", final=True)
        # the tests the tester added are part of it: recorded so the screen never analyses the
        # worktree itself
        changes = self.evidence.changed_functions() if files else []
        self._artifact("changed_functions", Role.DEVELOPER,
                       {"changes": [c.to_dict() for c in changes]})

    def final_diff(self) -> str:
        ref = self.state.final_patch
        diff = self.store.patch_diff(ref.artifact_id) if ref else None
        if diff is None:
            raise RunStopped(RunStatus.FAILED, "final approval without a recorded patch")
        return diff

    async def commit(self, approval: Approval) -> None:
        """Commit the approved hunks once: a commit made before a crash is adopted."""
        self._phase(Phase.COMMIT)
        wt = self.wt_checked
        sha = gitops.find_run_commit(wt)
        if sha is None:
            await self._apply_approved(approval)
            title = (self.config.task.strip().splitlines() or ["change"])[0]
            sha = gitops.commit_worktree(wt, commit_message(title, self.run_id, self.state.spec))
        self._record_evidence(sha)
        self._phase(Phase.DONE)

    def _committable_diff(self) -> str:
        """The final diff as it is in git: the stored one has its secrets masked, so where a
        mask stands in it, the diff is read again from the last worktree snapshot."""
        diff = self.final_diff()
        snapshot = self.state.snapshot
        if MASK not in diff or not snapshot:
            return diff
        gitops.restore_worktree(self.wt_checked, snapshot)
        real = gitops.worktree_diff(self.wt_checked)
        if hunk_ids(real) != hunk_ids(diff):  # not the diff the human saw: keep to what was shown
            raise RunStopped(RunStatus.NEEDS_HUMAN_REVIEW,
                             "the approved patch holds masked secrets and differs from the "
                             "worktree snapshot: commit it by hand")
        return real

    async def _apply_approved(self, approval: Approval) -> None:
        wt = self.wt_checked
        diff = self._committable_diff()
        final_seq = self.state.final_patch.seq if self.state.final_patch else 0
        gitops.restore_worktree(wt, wt.base_commit)
        if diff.strip():
            rejected = set(approval.rejected_hunks)
            try:
                applied = apply_patch(wt.path, diff, exclude_hunks=rejected)
            except PatchRejected as exc:
                raise RunStopped(RunStatus.NEEDS_HUMAN_REVIEW, f"approved patch: {exc}") from exc
            if rejected:
                recorded = [p for p in self.state.patches if p.committed and p.seq > final_seq]
                if not recorded:
                    self._artifact(
                        "patch", Role.HUMAN,
                        Patch(diff=applied.diff_text, files=list(applied.files),
                              summary="approved hunks", rejected_hunks=sorted(rejected)),
                        body=True, files=list(applied.files), summary_text="approved hunks",
                        rejected_hunks=sorted(rejected), committed=True)
                await self._retest_after_rejections()
        if not gitops.worktree_diff(wt).strip():
            raise RunStopped(RunStatus.REJECTED, "every hunk was rejected: nothing to commit")

    async def _retest_after_rejections(self) -> None:
        command = self.state.last_test_command or DEFAULT_TEST_COMMAND
        run = await self.evidence.run_tests(command, Role.TESTER)
        self._artifact("test_result", Role.TESTER, run.result, after_hunk_rejection=True)
        if run.result.status != "passed":
            raise RunStopped(
                RunStatus.NEEDS_HUMAN_REVIEW, "tests fail once the rejected hunks are left out")

    def _record_evidence(self, sha: str) -> None:
        bundle = build_bundle(self.state, sha)
        bundle.update(status=RunStatus.APPROVED.value, commit=sha, branch=self.wt_checked.branch)
        self._artifact("evidence", Role.HUMAN, bundle, body=True, commit=sha)


def commit_message(title: str, run_id: str, spec: FeatureSpec | None = None) -> str:
    """A subject of at most 72 characters, cut at a word (the spec's id and summary when there
    is a spec), the summary and acceptance criteria in the body, and the run's id."""
    if spec is not None:
        title = f"{spec.feature_id}: {spec.summary}"
    title = " ".join(title.split())
    if len(title) > 72:
        cut = title[:71].rsplit(" ", 1)[0] or title[:71]
        title = cut.rstrip(" ,;:.") + "…"
    body = ""
    if spec is not None:
        body = textwrap.fill(" ".join(spec.summary.split()), 72) + "\n\nAcceptance criteria:\n"
        body += "".join(textwrap.fill(" ".join(c.split()), 72, initial_indent="- ",
                                      subsequent_indent="  ") + "\n"
                        for c in spec.acceptance_criteria) + "\n"
    return f"{title}\n\n{body}Workbench run {run_id}\n"
