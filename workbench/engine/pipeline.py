"""The pipeline run: requirements -> spec gate -> developer <-> reviewer -> tester (-> repair)
-> final gate -> commit on ``workbench/<run_id>``. No Textual here: the TUI and the CLI drive
the same class.

The run is a loop over steps. Each step starts from the last milestone the folded events
reached (``RunState.stage``) and ends by recording the next one, so a resume after a gate or
a crash, and a fork at any event, continue from exactly where the events stop.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from agents.contracts import Approval, Decision, Phase, Role, RunStatus
from agents.events import RunFinished, RunInterrupted, RunParked, RunStarted, TraceStarted
from workbench import gitops
from workbench.engine.base import CommandBlocked, LeaseLost, RunOutcome, RunStopped
from workbench.engine.budgets import BudgetExceeded
from workbench.engine.control import WaitingForApproval
from workbench.engine.evidence import blocked_reason
from workbench.engine.lease import Lease
from workbench.engine.steps import Steps
from workbench.engine.team import worktrees_dir_for
from workbench.models import ModelSpecError, ProviderUnavailable, ScriptExhausted
from workbench.tracing import RunTracer, exporter_for

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter


class Pipeline(Steps):
    span_exporter: SpanExporter | None = None
    """Where this run's spans go; None: the ``tracing`` settings say (none by default)."""
    worker: str = ""
    """Set by a ``workbench worker`` that drives the run (recorded on ``run_started``)."""

    async def run(self) -> RunOutcome:
        if self.state.finished:  # nothing left to do: the events say how it ended
            return self._outcome()
        with Lease(self.store, self.run_id) as self.lease:
            tracer = self._tracer()
            try:
                return await self._run_leased()
            finally:
                if tracer is not None:
                    tracer.shutdown()

    def _tracer(self) -> RunTracer | None:
        exporter = self.span_exporter
        if exporter is None:
            from workbench.config import load_settings

            tracing = load_settings().tracing
            if tracing.exporter == "none":
                return None
            try:
                exporter = exporter_for(tracing.model_dump())
            except (ValueError, ImportError) as exc:
                self.bus.emit("error", message=f"tracing is off: {exc}")
                return None
        if exporter is None:
            return None
        trace_id, span_id = self.state.trace or ("", "")
        tracer = RunTracer(exporter, self.run_id, trace_id=trace_id, root_span=span_id,
                           batch=self.span_exporter is None)
        self.bus.subscribe(tracer)
        if self.state.trace is None:
            trace_id, span_id = tracer.start(time.time())
            self.bus.put(TraceStarted(trace_id=trace_id, span_id=span_id))
        return tracer

    def _outcome(self) -> RunOutcome:
        s = self.state
        return RunOutcome(self.run_id, s.status, s.finished_reason or s.parked_reason,
                          s.branch, s.commit)

    async def _run_leased(self) -> RunOutcome:
        status, reason = RunStatus.FAILED, ""
        self.store.update_run(self.run_id, status=RunStatus.RUNNING.value, finished_at=None)
        try:
            self._open_worktree()
            await self._drive()
            status, reason = RunStatus.APPROVED, "approved and committed"
        except WaitingForApproval as exc:
            status, reason = RunStatus.WAITING_FOR_APPROVAL, str(exc)
        except ProviderUnavailable as exc:
            status, reason = RunStatus.WAITING, f"provider unavailable: {exc}"
        except RunStopped as exc:
            status, reason = exc.status, exc.reason
        except BudgetExceeded as exc:
            status, reason = RunStatus.FAILED, str(exc)
        except (ScriptExhausted, ModelSpecError, gitops.GitError) as exc:
            status, reason = RunStatus.FAILED, str(exc)
        except LeaseLost:
            raise  # another engine drives the run now: record nothing more
        except (asyncio.CancelledError, KeyboardInterrupt):
            self._interrupted("stopped while running")
            raise
        except Exception as exc:  # a model or provider failure ends the run, recorded
            status, reason = RunStatus.FAILED, f"{type(exc).__name__}: {exc}".splitlines()[0]
            self.bus.emit("error", message=reason)
        return self._end(status, reason)

    def _interrupted(self, reason: str) -> None:
        self.bus.put(RunInterrupted(reason=reason))
        self.store.update_run(self.run_id, status=RunStatus.INTERRUPTED.value, reason=reason,
                              finished_at=time.time())

    def _end(self, status: RunStatus, reason: str) -> RunOutcome:
        branch = self.wt.branch if self.wt else self.state.branch
        if status in (RunStatus.WAITING_FOR_APPROVAL, RunStatus.WAITING):
            provider = status is RunStatus.WAITING
            self.bus.put(RunParked(gate="" if provider else self.state.pending_approval or "",
                                   reason=reason, waiting_on="provider" if provider else "human"))
            self.store.update_run(self.run_id, status=status.value, reason=reason,
                                  finished_at=time.time(), branch=branch)
            return RunOutcome(self.run_id, status, reason, branch, "")
        commit = self.state.commit if status is RunStatus.APPROVED else ""
        self.bus.put(RunFinished(status=status.value, reason=reason, commit=commit,
                                 branch=branch))
        self.store.update_run(self.run_id, status=status.value, reason=reason,
                              finished_at=time.time(), branch=branch)
        return RunOutcome(self.run_id, status, reason, branch, commit)

    def _open_worktree(self) -> None:
        s = self.state
        # Idempotent: a worktree left by a crash (before run_started, or gone, or registered
        # for a moved repository) is adopted, with the lock files a killed engine held.
        self.wt = gitops.ensure_worktree(self.config.repo_path, self.run_id,
                                         worktrees_dir_for(self.store.path),
                                         s.base_commit or "HEAD")
        gitops.clear_stale_locks(self.wt)
        if not s.started:
            self.bus.put(RunStarted(
                task=self.config.task, repo=str(self.config.repo_path), model=self.config.model,
                models=self.model_labels(), scripted=self.scripted, branch=self.wt.branch,
                budgets=self.config.budgets.to_dict(), worktree=str(self.wt.path),
                base_commit=self.wt.base_commit,
                mode="group" if self.config.mode == "group" else "pipeline",
                worker=self.worker))
            return
        committing = s.stage == "final_decided" and s.final_approval is not None and (
            s.final_approval.decision is Decision.APPROVE)
        if committing or s.stage == "committed":
            return  # the commit step restores what it needs (and may adopt a commit)
        if s.snapshot:
            gitops.restore_worktree(self.wt, s.snapshot)
        elif not s.patches:  # nothing was recorded yet: start again from the base
            gitops.restore_worktree(self.wt, self.wt.base_commit)

    async def _drive(self) -> None:
        while True:
            try:
                await self._step()
            except CommandBlocked as blocked:  # the step ends here; the human decides
                await self.command_gate(blocked)
            if self.state.stage == "committed":
                return

    async def _step(self) -> None:
        s = self.state
        stage = s.stage
        if stage == "committed":
            return
        if stage == "started":
            await self.requirements("")
        elif stage in ("spec_proposed", "spec_asked"):
            await self.spec_gate()
        elif stage == "spec_decided":
            await self._after_spec_decision()
        elif stage == "cycle_started":
            await self.develop(self.cycle_feedback())
        elif stage == "no_patch":
            self._bound(self.state.no_patch_rounds,
                        "the developer ended its turn without changing any file")
            await self.develop(self.no_patch_feedback())
        elif stage == "developed":
            await self.review()
        elif stage == "review_asked":
            await self.review_gate()
        elif stage == "review_decided":
            self.human_review()
        elif stage == "takeover_decided":
            await self._after_takeover()
        elif stage == "reviewed":
            await self._after_review()
        elif stage == "test_planned":
            await self.run_planned_tests()
        elif stage == "tested":
            await self._after_tests()
        elif stage in ("final_proposed", "final_asked"):
            await self.final_gate()
        elif stage == "final_decided":
            await self._after_final_decision()
        elif stage == "command_asked":
            await self.command_gate()
        elif stage == "command_decided":
            await self.after_command()
        else:
            raise RunStopped(RunStatus.FAILED, f"cannot continue from stage {stage!r}")

    async def _after_spec_decision(self) -> None:
        approval = self.state.spec_approval
        if approval is None or approval.decision is Decision.REJECT:
            raise RunStopped(RunStatus.REJECTED, "spec rejected by the human")
        if approval.decision is Decision.REQUEST_CHANGES:
            if self.state.requirements_rounds > self.config.budgets.max_review_rounds:
                raise RunStopped(RunStatus.NEEDS_HUMAN_REVIEW, "spec change requests exhausted")
            await self.requirements(approval.comment)
            return
        if self.state.spec is None:  # approved with nothing to approve: ask again
            self.bus.emit("error", message="the spec gate was approved without a valid spec")
            await self.gate("spec", "There is no valid spec yet: write one and approve it, "
                            "or request changes to ask the requirements agent again")
            return
        self._phase(Phase.DEVELOPMENT, self.developer, cycle="spec")

    def _bound(self, used: int, what: str) -> None:
        limit = self.config.budgets.max_review_rounds
        if used >= limit:
            raise RunStopped(RunStatus.NEEDS_HUMAN_REVIEW, f"{what} {used} times")

    async def _after_review(self) -> None:
        review = self.state.last_review
        if review is None or not self.blocking_issues(review):
            await self.plan_tests()  # approved, or only minor notes (shown at the final gate)
            return
        self._bound(self.state.review_rounds, "the reviewer asked for a revision")
        await self.develop(self.review_feedback())

    async def _after_tests(self) -> None:
        result = self.state.test_result
        if result is None:
            raise RunStopped(RunStatus.FAILED, "test result missing")
        if result.status == "blocked":  # the human decides at the command gate
            await self.command_gate(CommandBlocked(
                list(result.command), Role.TESTER, blocked_reason(self.state.policy), "tests"))
            return
        if result.status == "passed":
            await self.propose_final()
            return
        if self.state.test_repairs >= self.config.budgets.max_test_repairs:
            raise RunStopped(
                RunStatus.NEEDS_HUMAN_REVIEW,
                f"tests {result.status}: {result.failed} failed, exit {result.exit_code}"
                + (f" after {self.state.test_repairs} repair round(s)"
                   if self.state.test_repairs else ""))
        self._phase(Phase.DEVELOPMENT, self.developer, cycle="test_repair")

    async def _after_takeover(self) -> None:
        """A human took over a run that stopped NEEDS_HUMAN_REVIEW: their spec, their review,
        or the role they sent the work to goes on (with fresh round counts)."""
        t = self.state.takeover
        if t is None or t.decision is Decision.REJECT:
            raise RunStopped(RunStatus.REJECTED, "rejected by the human after the run stopped")
        if t.spec is not None:
            self.record_approval(Approval(gate="spec", decision=Decision.APPROVE, spec=t.spec,
                                          comment=t.comment, by=t.by))
        elif t.decision is Decision.APPROVE:
            self.record_human_review(t, "overruled by the human")
        elif t.send_to == "requirements":
            await self.requirements(t.comment)
        elif t.send_to == "tester":
            if t.comment:
                self.steer(t.comment, "tester")
            await self.plan_tests()
        else:
            self._phase(Phase.DEVELOPMENT, self.developer, cycle="takeover")

    async def _after_final_decision(self) -> None:
        approval = self.state.final_approval
        if approval is None or approval.decision is Decision.REJECT:
            raise RunStopped(RunStatus.REJECTED, "patch rejected by the human")
        if approval.decision is Decision.REQUEST_CHANGES:
            self._phase(Phase.DEVELOPMENT, self.developer, cycle="human")
            return
        await self.commit(approval)
