"""The pipeline run: requirements -> spec gate -> developer <-> reviewer -> tester -> final gate
-> commit on ``workbench/<run_id>``. No Textual here: the TUI and the CLI drive the same class."""

from __future__ import annotations

import time

from agents import prompts
from agents.contracts import (
    Approval,
    Decision,
    FeatureSpec,
    Patch,
    Phase,
    ReviewResult,
    Role,
    RunStatus,
    TestPlan,
)
from agents.diff import parse_unified_diff
from agents.patching import PatchRejected, apply_patch
from workbench import gitops
from workbench.engine.base import PipelineBase, RunOutcome, RunStopped
from workbench.engine.budgets import BudgetExceeded
from workbench.engine.control import WaitingForApproval
from workbench.engine.evidence import changes_text
from workbench.engine.evidence_bundle import build_bundle
from workbench.engine.team import worktrees_dir_for
from workbench.models import ModelSpecError, ScriptExhausted


class Pipeline(PipelineBase):
    async def run(self) -> RunOutcome:
        status, reason, commit = RunStatus.FAILED, "", ""
        self.store.update_run(self.run_id, status=RunStatus.RUNNING.value)
        try:
            self._open_worktree()
            commit = await self._flow()
            status, reason = RunStatus.APPROVED, "approved and committed"
        except WaitingForApproval as exc:
            status, reason = RunStatus.WAITING_FOR_APPROVAL, str(exc)
        except RunStopped as exc:
            status, reason = exc.status, exc.reason
        except BudgetExceeded as exc:
            status, reason = RunStatus.FAILED, str(exc)
        except (ScriptExhausted, ModelSpecError, gitops.GitError) as exc:
            status, reason = RunStatus.FAILED, str(exc)
        except Exception as exc:  # a model or provider failure ends the run, recorded
            status, reason = RunStatus.FAILED, f"{type(exc).__name__}: {exc}".splitlines()[0]
            self.bus.emit("error", message=reason)
        branch = self.wt.branch if self.wt else ""
        self.bus.emit(
            "run_finished", status=status.value, reason=reason, commit=commit, branch=branch
        )
        finished = None if status is RunStatus.WAITING_FOR_APPROVAL else time.time()
        self.store.update_run(
            self.run_id, status=status.value, reason=reason, finished_at=finished, branch=branch
        )
        return RunOutcome(self.run_id, status, reason, branch, commit)

    def _open_worktree(self) -> None:
        wt_dir = worktrees_dir_for(self.store.path)
        if not self.point.started:
            self.wt = gitops.create_worktree(self.config.repo_path, self.run_id, wt_dir)
            self.bus.emit(
                "run_started",
                task=self.config.task,
                repo=str(self.config.repo_path),
                model=self.config.model,
                models=self.model_labels(),
                scripted=self.scripted,
                branch=self.wt.branch,
                budgets=self.config.budgets.to_dict(),
                worktree=str(self.wt.path),
                base_commit=self.wt.base_commit,
            )
        else:
            self.wt = gitops.open_worktree(self.config.repo_path, self.run_id, wt_dir)

    async def _flow(self) -> str:
        point = self.point
        if (
            point.final_approval is None
            or point.final_approval.decision is Decision.REQUEST_CHANGES
        ):
            spec = await self._spec_phase()
            if point.final_diff is None or point.final_approval is not None:
                feedback = self._final_feedback(point.final_approval)
                if not feedback:
                    gitops.reset_worktree(self.wt_checked)
                await self._develop_and_review(spec, feedback)
                await self._test(spec)
            approval = await self._final_gate()
        else:
            approval = point.final_approval
            if point.final_diff is None:
                raise RunStopped(RunStatus.FAILED, "final approval without a recorded patch")
        return await self._commit(approval)

    # requirements and the spec gate ------------------------------------------------------
    async def _spec_phase(self) -> FeatureSpec:
        point = self.point
        approved = (
            point.spec_approval is not None and point.spec_approval.decision is Decision.APPROVE
        )
        if point.spec is not None and approved:
            return point.spec
        comment = ""
        if point.spec_approval is not None:
            if point.spec_approval.decision is Decision.REJECT:
                raise RunStopped(RunStatus.REJECTED, "spec rejected by the human")
            comment = point.spec_approval.comment
        spec = point.spec if (point.spec is not None and point.spec_approval is None) else None
        for _round in range(self.config.budgets.max_review_rounds + 1):
            if spec is None:
                spec = await self._requirements(comment)
            self._phase(Phase.SPEC_GATE)
            approval = await self.gate("spec", "Review and approve the feature spec")
            if approval.decision is Decision.REJECT:
                raise RunStopped(RunStatus.REJECTED, "spec rejected by the human")
            if approval.decision is Decision.APPROVE:
                return approval.spec or spec
            comment, spec = approval.comment, None
        raise RunStopped(RunStatus.NEEDS_HUMAN_REVIEW, "spec change requests exhausted")

    async def _requirements(self, comment: str) -> FeatureSpec:
        self._phase(Phase.REQUIREMENTS, Role.REQUIREMENTS)
        text = await self.turn(
            Role.REQUIREMENTS, prompts.requirements_task(self.config.task, comment)
        )
        spec = await self.validated(Role.REQUIREMENTS, text, FeatureSpec)
        self._artifact("spec", Role.REQUIREMENTS, spec)
        return spec

    # development and review --------------------------------------------------------------
    async def _develop_and_review(self, spec: FeatureSpec, feedback: str) -> None:
        ev = self.evidence
        for round_no in range(1, self.config.budgets.max_review_rounds + 1):
            self._phase(Phase.DEVELOPMENT, Role.DEVELOPER)
            summary = await self.turn(Role.DEVELOPER, prompts.developer_task(spec, feedback))
            diff = gitops.worktree_diff(self.wt_checked)
            if not diff.strip():
                feedback = "No change is applied yet: propose a patch with propose_patch."
                self.bus.emit(
                    "error", Role.DEVELOPER.value, message="developer finished without a patch"
                )
                continue
            files = [f.path for f in parse_unified_diff(diff)]
            self._artifact(
                "patch",
                Role.DEVELOPER,
                Patch(diff=diff, files=files, summary=summary),
                round=round_no,
            )
            self._phase(Phase.REVIEW, Role.REVIEWER)
            checks = await ev.static_checks(diff)
            changes = ev.changed_functions()
            self._artifact(
                "static_checks", Role.REVIEWER,
                {"output": checks, "changes": [c.to_dict() for c in changes]},
            )
            text = await self.turn(
                Role.REVIEWER,
                prompts.reviewer_task(
                    spec, diff, checks, changes_text(changes), ev.changed_files_text(diff)
                ),
            )
            review = await self.validated(Role.REVIEWER, text, ReviewResult)
            self._artifact("review", Role.REVIEWER, review, round=round_no)
            if review.status == "APPROVED":
                return
            feedback = prompts.review_feedback(review)
        raise RunStopped(
            RunStatus.NEEDS_HUMAN_REVIEW,
            f"review still NEEDS_REVISION after {self.config.budgets.max_review_rounds} rounds",
        )

    # testing -----------------------------------------------------------------------------
    async def _test(self, spec: FeatureSpec) -> None:
        ev = self.evidence
        self._phase(Phase.TESTING, Role.TESTER)
        diff = gitops.worktree_diff(self.wt_checked)
        changes = ev.changed_functions()
        focus = ev.focus_tests(changes)
        text = await self.turn(
            Role.TESTER, prompts.tester_task(spec, diff, changes_text(changes), "\n".join(focus))
        )
        plan = await self.validated(Role.TESTER, text, TestPlan)
        self._artifact("test_plan", Role.TESTER, plan)
        run = await ev.run_tests(plan.command, Role.TESTER)
        self._artifact("test_result", Role.TESTER, run.result)
        if run.command.blocked:
            raise RunStopped(
                RunStatus.BLOCKED_BY_POLICY, f"test command blocked: {run.command.reason}"
            )
        if run.result.status != "passed":
            raise RunStopped(
                RunStatus.NEEDS_HUMAN_REVIEW,
                f"tests {run.result.status}: {run.result.failed} failed, exit "
                f"{run.result.exit_code}",
            )
        self._last_test_command = plan.command

    # final gate and commit ---------------------------------------------------------------
    async def _final_gate(self) -> Approval:
        self._phase(Phase.FINAL_GATE)
        diff = gitops.worktree_diff(self.wt_checked)
        files = [f.path for f in parse_unified_diff(diff)] if diff.strip() else []
        self._artifact(
            "patch", Role.DEVELOPER, Patch(diff=diff, files=files, summary="final"), final=True
        )
        self.point.final_diff = diff
        approval = await self.gate(
            "final", "Approve the final patch (reject hunks to leave them out)"
        )
        if approval.decision is Decision.REJECT:
            raise RunStopped(RunStatus.REJECTED, "patch rejected by the human")
        if approval.decision is Decision.REQUEST_CHANGES:
            # Loop back once per request; budgets bound the total work.
            self.point.final_approval = approval
            spec = self.point.spec
            assert spec is not None
            await self._develop_and_review(spec, self._final_feedback(approval))
            await self._test(spec)
            return await self._final_gate()
        return approval

    def _final_feedback(self, approval: Approval | None) -> str:
        if approval is None or approval.decision is not Decision.REQUEST_CHANGES:
            return ""
        parts = [f"The human requested changes: {approval.comment or '(no comment)'}"]
        if approval.rejected_hunks:
            parts.append(
                "These hunks were rejected and must not come back: "
                + ", ".join(approval.rejected_hunks)
            )
        return "\n".join(parts)

    async def _commit(self, approval: Approval) -> str:
        self._phase(Phase.COMMIT)
        wt = self.wt_checked
        diff = self.point.final_diff or ""
        if approval.rejected_hunks:
            reason = approval.comment or "rejected by the human"
            self.bus.emit(
                "steer",
                "human",
                target_role=Role.DEVELOPER.value,
                review_comment=True,
                text=f"Hunks rejected ({reason}): " + ", ".join(approval.rejected_hunks),
            )
        gitops.reset_worktree(wt)
        if diff.strip():
            try:
                applied = apply_patch(wt.path, diff, exclude_hunks=set(approval.rejected_hunks))
            except PatchRejected as exc:
                raise RunStopped(RunStatus.NEEDS_HUMAN_REVIEW, f"approved patch: {exc}") from exc
            if approval.rejected_hunks:
                self._artifact(
                    "patch",
                    Role.HUMAN,
                    Patch(
                        diff=applied.diff_text,
                        files=list(applied.files),
                        summary="approved hunks",
                        rejected_hunks=list(approval.rejected_hunks),
                    ),
                    committed=True,
                )
                await self._retest_after_rejections()
        if not gitops.worktree_diff(wt).strip():
            raise RunStopped(RunStatus.REJECTED, "every hunk was rejected: nothing to commit")
        spec = self.point.spec
        title = spec.summary if spec else self.config.task.splitlines()[0]
        message = f"{title[:72]}\n\nWorkbench run {self.run_id}\n"
        sha = gitops.commit_worktree(wt, message)
        bundle = build_bundle(self.run_id, self.store.events(self.run_id))
        bundle.update(status=RunStatus.APPROVED.value, commit=sha, branch=wt.branch)
        self._artifact("evidence", Role.HUMAN, bundle)
        self._phase(Phase.DONE)
        return sha

    async def _retest_after_rejections(self) -> None:
        command = getattr(self, "_last_test_command", None) or ["python", "-m", "pytest", "-q"]
        run = await self.evidence.run_tests(command, Role.TESTER)
        self._artifact("test_result", Role.TESTER, run.result, after_hunk_rejection=True)
        if run.result.status != "passed":
            raise RunStopped(
                RunStatus.NEEDS_HUMAN_REVIEW, "tests fail once the rejected hunks are left out"
            )
