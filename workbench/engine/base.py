"""Plumbing shared by the pipeline phases: agents, turns, validation, gates, artifacts."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import TypeVar

from autogen_agentchat.agents import AssistantAgent
from pydantic import BaseModel

from agents import prompts
from agents.contracts import (
    AGENT_ROLES,
    Approval,
    Decision,
    Phase,
    Role,
    RunStatus,
)
from agents.output import OutputInvalid, parse_contract
from agents.patching import PatchRejected, apply_patch
from agents.redact import mask_secrets
from agents.repo_tools import RepoTools
from workbench import gitops
from workbench.engine.budgets import BudgetTracker
from workbench.engine.bus import EventBus
from workbench.engine.config import RunConfig
from workbench.engine.control import RunControl, WaitingForApproval
from workbench.engine.evidence import Evidence
from workbench.engine.state import ResumePoint, resume_point
from workbench.engine.team import make_agent, make_client, repo_tools
from workbench.models import ModelCallRecord, parse_model_spec
from workbench.sandbox import DEFAULT_ALLOW, Sandbox
from workbench.store import RunStore

T = TypeVar("T", bound=BaseModel)


class RunStopped(Exception):
    """Ends a run with a terminal status and a one-line reason."""

    def __init__(self, status: RunStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class RunOutcome:
    run_id: str
    status: RunStatus
    reason: str = ""
    branch: str = ""
    commit: str = ""


class PipelineBase:
    def __init__(
        self,
        store: RunStore,
        run_id: str,
        config: RunConfig,
        control: RunControl,
        bus: EventBus | None = None,
    ) -> None:
        self.store, self.run_id, self.config, self.control = store, run_id, config, control
        self.bus = bus or EventBus(store, run_id)
        self.budget = BudgetTracker(config.budgets, self._on_budget)
        self.point: ResumePoint = resume_point(store.events(run_id))
        self._agents: dict[Role, AssistantAgent] = {}
        self._turns = 0
        self.wt: gitops.RunWorktree | None = None
        self.control.step_mode = config.step_mode or control.step_mode

    # plumbing -----------------------------------------------------------------------------
    def _on_budget(self, name: str, used: float, limit: float) -> None:
        if name in ("turns", "tool_calls", "tokens"):
            self.bus.emit("budget", name=name, used=used, limit=limit)

    def _on_model_call(self, role: Role, rec: ModelCallRecord) -> None:
        self.bus.emit(
            "model_call",
            role.value,
            model=rec.model,
            prompt_tokens=rec.prompt_tokens,
            completion_tokens=rec.completion_tokens,
            latency_ms=rec.latency_ms,
            cost=rec.cost,
            streamed=rec.streamed,
            finish_reason=rec.finish_reason,
            error=rec.error,
        )
        self.store.add_usage(self.run_id, rec.prompt_tokens, rec.completion_tokens, rec.cost)
        self.budget.charge("tokens", rec.prompt_tokens + rec.completion_tokens)
        self.budget.charge("cost", rec.cost)

    def _phase(self, phase: Phase, role: Role | None = None) -> None:
        self.store.update_run(self.run_id, phase=phase.value)
        self.bus.emit("phase_changed", phase=phase.value, role=role.value if role else None)

    def _artifact(
        self, type_: str, role: Role, data: BaseModel | dict[str, object], **extra: object
    ) -> None:
        payload = data.model_dump() if isinstance(data, BaseModel) else data
        art = self.store.add_artifact(self.run_id, type_, json.dumps(payload, default=str))
        self.bus.emit("artifact", role.value, type=type_, artifact_id=art, data=payload, **extra)

    def agent(self, role: Role) -> AssistantAgent:
        if role not in self._agents:
            start = self.point.calls_at_checkpoint.get(role.value, 0)
            client, _label = make_client(
                self.config.model_for(role.value),
                role,
                self.config.base_url,
                start,
                self._on_model_call,
            )
            tools = None
            if role in (Role.DEVELOPER, Role.TESTER):
                assert self.wt is not None
                tools = repo_tools(
                    RepoTools(self.wt.path, on_refusal=self._on_refusal(role)),
                    self._propose_patch(role),
                    self._run_tests_tool(role) if role is Role.TESTER else None,
                )
            self._agents[role] = make_agent(role, client, tools)
        return self._agents[role]

    def _on_refusal(self, role: Role):  # type: ignore[no-untyped-def]
        def record(tool: str, path: str, message: str) -> None:
            self.bus.emit("policy", role.value, message=message, tool=tool, path=path)

        return record

    def _propose_patch(self, role: Role):  # type: ignore[no-untyped-def]
        def propose(diff: str, summary: str) -> str:
            assert self.wt is not None
            try:
                applied = apply_patch(self.wt.path, diff)
            except PatchRejected as exc:
                self.bus.emit("error", role.value, message=str(exc), tool="propose_patch")
                raise
            files = ", ".join(applied.files)
            return f"patch applied: {len(applied.hunks_applied)} hunk(s) in {files}"

        return propose

    def _run_tests_tool(self, role: Role):  # type: ignore[no-untyped-def]
        async def run(command: str) -> str:
            result = await self.evidence.run_tests(shlex.split(command), role)
            return result.summary_text()

        return run

    async def turn(self, role: Role, task: str) -> str:
        from workbench.engine.turns import run_turn

        await self.control.checkpoint(after_turn=False)
        steers = self.control.take_steers()
        if steers:
            task = "\n\n".join([*(prompts.steer_message(s) for s in steers), task])
        self._turns += 1
        task = mask_secrets(task)
        agent = self.agent(role)
        saved = self.point.agent_states.pop(role.value, None)
        if saved is not None:  # resumed: the agent remembers its conversation so far
            await agent.load_state(saved)
        text = await run_turn(agent, role.value, task, self.bus, self.budget, self._turns)
        if self.control.step_mode:
            self.bus.emit("approval_requested", role.value, gate="step", message="turn finished")
            await self.control.checkpoint(after_turn=True)
            self.bus.emit("approval_given", "human", gate="step", decision="approve")
        return text

    async def validated(self, role: Role, text: str, model: type[T]) -> T:
        attempts = self.config.budgets.max_validation_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return parse_contract(text, model)
            except OutputInvalid as exc:
                self.bus.emit(
                    "error",
                    role.value,
                    message=str(exc),
                    errors=exc.errors,
                    attempt=attempt,
                    contract=model.__name__,
                )
                if attempt == attempts:
                    raise RunStopped(
                        RunStatus.NEEDS_HUMAN_REVIEW,
                        f"{role.value} gave an invalid {model.__name__} {attempts} times: "
                        + "; ".join(exc.errors),
                    ) from exc
                text = await self.turn(role, prompts.validation_retry(model.__name__, exc.errors))
        raise AssertionError("unreachable")

    async def gate(self, gate: str, message: str) -> Approval:
        self.bus.emit("approval_requested", gate=gate, message=message)
        if self.control.auto_approve:
            approval = Approval(gate=gate, decision=Decision.APPROVE, by="auto-approve")  # type: ignore[arg-type]
        elif not self.control.interactive:
            await self.save_agent_states()
            raise WaitingForApproval(gate)
        else:
            self.store.update_run(self.run_id, status=RunStatus.WAITING_FOR_APPROVAL.value)
            approval = await self.control.wait_for_approval(gate)
            self.store.update_run(self.run_id, status=RunStatus.RUNNING.value)
        self.record_approval(approval)
        return approval

    async def save_agent_states(self) -> None:
        """AutoGen state of every agent of this run, so a resumed run continues the same
        conversations (stored as an artifact; the run's events stay the source of truth)."""
        states: dict[str, object] = dict(self.point.agent_states)
        for role, agent in self._agents.items():
            states[role.value] = dict(await agent.save_state())
        if states:
            self._artifact("agent_state", Role.SYSTEM, {"states": states})

    def record_approval(self, approval: Approval) -> None:
        emit_approval(self.store, self.bus, approval)

    def steer(self, text: str, target: str = "next") -> None:
        """A human message for the next agent turn, recorded as a formal review comment."""
        self.control.steer(text)
        self.bus.emit("steer", "human", text=text, target_role=target, review_comment=True)

    @property
    def wt_checked(self) -> gitops.RunWorktree:
        assert self.wt is not None, "worktree not open"
        return self.wt

    @property
    def scripted(self) -> bool:
        return any(self.config.model_for(r.value).startswith("scripted:") for r in AGENT_ROLES)

    def model_labels(self) -> dict[str, str]:
        labels = {}
        for role in AGENT_ROLES:
            spec = parse_model_spec(
                self.config.model_for(role.value), base_url=self.config.base_url
            )
            labels[role.value] = spec.label
        return labels

    @property
    def evidence(self) -> Evidence:
        assert self.wt is not None
        allow = (*DEFAULT_ALLOW, *(tuple(a) for a in self.config.extra_allowed))
        sandbox = Sandbox(self.wt.path, timeout_s=self.config.timeout_s, allow=allow)
        return Evidence(self.store, self.bus, self.run_id, self.wt, sandbox)


def emit_approval(store: RunStore, bus: EventBus, approval: Approval) -> None:
    """Record a gate decision; an edited spec becomes the spec artifact the developer receives."""
    bus.emit("approval_given", "human", **approval.model_dump(mode="json"))
    if approval.gate == "spec" and approval.spec is not None:
        data = approval.spec.model_dump(mode="json")
        art = store.add_artifact(bus.run_id, "spec", json.dumps(data))
        bus.emit("artifact", "human", type="spec", artifact_id=art, data=data, edited=True)
