"""Plumbing shared by the pipeline steps: the folded run state, agents, turns, validation,
gates and artifacts. Every fact about the run is an event; ``self.state`` is their fold."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from autogen_agentchat.agents import AssistantAgent
from autogen_core.tools import FunctionTool
from pydantic import BaseModel

from agents import prompts
from agents.commands import split_command
from agents.contracts import AGENT_ROLES, Approval, Decision, Phase, Role, RunStatus
from agents.events import AgentMessage, ApprovalGiven, ApprovalRequested, ArtifactRecorded
from agents.fold import apply_event, fold
from agents.output import OutputInvalid, parse_contract
from agents.patching import PatchRejected, UnsafePatch, apply_patch
from agents.redact import mask_secrets
from agents.repo_tools import RepoTools
from agents.run_state import RunState
from agents.tool_guard import text_tool_call
from workbench import gitops
from workbench.allowlist import allowed_commands
from workbench.config import SandboxSettings
from workbench.engine.approvals import emit_approval as emit_approval
from workbench.engine.budgets import check_budgets
from workbench.engine.bus import EventBus
from workbench.engine.config import RunConfig
from workbench.engine.control import RunControl, WaitingForApproval
from workbench.engine.evidence import Evidence
from workbench.engine.live_diff import LiveDiff
from workbench.engine.routing_plan import choose
from workbench.engine.team import CONTRACTS, make_agent, make_client
from workbench.engine.tools import repo_tools
from workbench.models import ModelCallRecord, ModelSpec
from workbench.models.resilient import RetryNotice
from workbench.sandbox import DEFAULT_ALLOW, Sandbox
from workbench.store import RunStore
from workbench.worktree_deps import SharedDependencies, shared_dependencies

T = TypeVar("T", bound=BaseModel)
TOOL_ROLES = (Role.DEVELOPER, Role.TESTER)


class RunStopped(Exception):
    """Ends a run with a terminal status and a one-line reason."""

    def __init__(self, status: RunStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class CommandBlocked(Exception):
    """A role's command was blocked by the policy: its step ends at the command gate."""

    def __init__(self, argv: list[str], role: Role, reason: str, resume: str) -> None:
        super().__init__(reason)
        self.argv, self.role, self.reason, self.resume = argv, role, reason, resume


class ContractGaveUp(RunStopped):
    """A role's output stayed invalid after its retries; the step hands it to the human."""

    def __init__(self, role: Role, contract: str, attempts: int, text: str,
                 errors: list[str]) -> None:
        super().__init__(RunStatus.NEEDS_HUMAN_REVIEW,
                         f"{role.value} gave an invalid {contract} {attempts} times: "
                         + "; ".join(errors))
        self.role, self.contract, self.text, self.errors = role, contract, text, errors


class LeaseLost(RuntimeError):
    """Another engine took the run over (this one looked dead): stop without recording."""


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
        state: RunState | None = None,
    ) -> None:
        """``state``: the run's events already folded (else they are read and folded here)."""
        self.store, self.run_id, self.config, self.control = store, run_id, config, control
        self.bus = bus or EventBus(store, run_id)
        self.state: RunState = state if state is not None else fold(store.iter_events(run_id))
        self.bus.subscribe(self._fold, first=True)
        self.control.restore_steers(self.state.pending_steers)  # none lost to a stop
        self._agents: dict[Role, AssistantAgent] = {}
        self._tools: dict[Role, list[FunctionTool]] = {}
        self._dirty = False
        self.live_diff = LiveDiff(store, self.bus, run_id, lambda: self.wt)
        self._first_turn = True
        self._blocked: CommandBlocked | None = None
        self._calls_start: dict[str, int] = {}
        self._calls_here: dict[str, int] = {}
        """Model calls per role: where this engine's clients started, and made since (the
        calls of a turn a killed engine never finished are not counted)."""
        """Only the first turn of an engine can be the one a crash cut off from its step."""
        self.wt: gitops.RunWorktree | None = None
        self.control.step_mode = config.step_mode or control.step_mode

    def _fold(self, event: Any) -> None:
        apply_event(self.state, event)

    # plumbing -----------------------------------------------------------------------------
    def check_budgets(self) -> None:
        """Between every step of a turn: budgets, and that this engine still owns the run."""
        lease = getattr(self, "lease", None)
        if lease is not None and lease.lost:
            raise LeaseLost(lease.lost)
        check_budgets(self.state, self.config.budgets)

    def _on_model_call(self, role: str, rec: ModelCallRecord) -> None:
        role = str(role)
        self._calls_here[role] = self._calls_here.get(role, 0) + 1
        self.bus.emit(
            "model_call", role, model=rec.model, prompt_tokens=rec.prompt_tokens,
            completion_tokens=rec.completion_tokens, latency_ms=rec.latency_ms, cost=rec.cost,
            streamed=rec.streamed, finish_reason=rec.finish_reason, error=rec.error,
            sampling=rec.sampling,
        )
        usage = self.state.usage
        self.store.update_run(self.run_id, prompt_tokens=usage.prompt_tokens,
                              completion_tokens=usage.completion_tokens, cost=usage.cost)

    def _on_retry(self, role: str, notice: RetryNotice) -> None:
        self.bus.emit("model_retry", str(role), attempt=notice.attempt,
                      max_attempts=notice.max_attempts, fault=notice.kind, error=notice.error,
                      delay_s=notice.delay_s, streamed_next=notice.streamed_next)

    def _phase(self, phase: Phase, role: Role | None = None, cycle: str | None = None) -> None:
        # The event waits for the run row's update: one transaction writes both.
        self.bus.emit("phase_changed", phase=phase.value,
                      active_role=role.value if role else None, cycle=cycle)
        self.store.update_run(self.run_id, phase=phase.value)

    def _artifact(self, type_: str, role: Role, data: BaseModel | dict[str, Any],
                  body: bool = False, **fields: Any) -> int:
        """Store an artifact and record it. ``body`` artifacts (diffs, logs, evidence) stay
        out of the event; small contracts are also carried in the event for the fold."""
        payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
        art = self.store.add_artifact(self.run_id, type_, json.dumps(payload, default=str))
        self.bus.put(ArtifactRecorded(role=role.value, type=type_,  # type: ignore[arg-type]
                                      artifact_id=art, data=None if body else payload,
                                      **fields))
        return art

    def load_artifact(self, artifact_id: int | None) -> Any:
        if artifact_id is None:
            return None
        return json.loads(self.store.artifact(artifact_id).content)

    async def agent(self, role: Role) -> AssistantAgent:
        if role not in self._agents:
            start = self.state.model_calls_at_turn.get(role.value, 0)
            self._calls_start[role.value] = start
            client, _label = make_client(
                self._model(role), role, self.config.base_url, start,
                self._on_model_call, self.config.calls, self._on_retry, CONTRACTS.get(role),
                db=str(self.store.path),
            )
            tools = None
            if role in TOOL_ROLES:
                # the developer may run the focused tests while it works (same sandbox)
                tools = repo_tools(
                    RepoTools(self.wt_checked.path, on_refusal=self._on_refusal(role)),
                    self._propose_patch(role), self._run_tests_tool(role),
                    on_change=self._mark_dirty,
                )
                self._tools[role] = list(tools)
            extra: list[Any] = []
            if self.config.mcp and role in TOOL_ROLES:  # each MCP call passes the policy
                from workbench.mcp_tools import mcp_role_tools  # the mcp client only when used

                extra = await mcp_role_tools(self.config.mcp, role.value, self._record_mcp(role),
                                             [t.name for t in tools or []],
                                             self._hold_mcp(role))
            agent = make_agent(role, client, tools, extra)
            saved = self._saved_state(role)
            if saved is not None:  # resumed or forked: the agent remembers its conversation
                await agent.load_state(saved)
            self._agents[role] = agent
        return self._agents[role]

    def _saved_state(self, role: Role) -> dict[str, Any] | None:
        art = self.state.agent_states.get(role.value)
        if art is not None:
            data = self.load_artifact(art)
            return data if isinstance(data, dict) else None
        legacy = self.state.artifact_ids.get("agent_state")  # stores of schema 1
        if legacy is not None:
            states = (self.load_artifact(legacy) or {}).get("states", {})
            state = states.get(role.value)
            return state if isinstance(state, dict) else None
        return None

    def _model(self, role: Role) -> str | ModelSpec:
        """The role's model: routed by the run's stored model settings (the approved spec's
        risk may send it to the strong model), or as the run was given."""
        if not self.config.model_settings:
            return self.config.model_for(role.value)
        return choose(role, self.state.spec, self.config.model_settings,
                      self.config.pinned_models, db=str(self.store.path),
                      base_url=self.config.base_url)

    def _mark_dirty(self) -> None:
        self._dirty = True
        self.live_diff.changed()

    def text_call_hint(self, role: Role, text: str, contract_keys: tuple[str, ...] = ()) -> str:
        """What to tell a role whose reply wrote a tool call as text ("" when it did not)."""
        tools = self._tools.get(role)
        return (text_tool_call(text, tools, contract_keys) or "") if tools else ""

    def _on_refusal(self, role: Role):  # type: ignore[no-untyped-def]
        def record(tool: str, path: str, message: str) -> None:
            self.bus.emit("policy", role.value, message=message, tool=tool, path=path)

        return record

    def _record_mcp(self, role: Role) -> Callable[[str, str, str], None]:
        def record(kind: str, message: str, tool: str) -> None:
            self.bus.emit(kind, role.value, message=message, tool=tool)

        return record

    def _hold_mcp(self, role: Role) -> Callable[[Any, str, str, str], str | None]:
        """A call the MCP policy holds ends the turn at the command gate, like a blocked
        command, unless a human allowed that tool for this repository."""
        from workbench.mcp_calls import mcp_call_argv

        def hold(server: Any, tool: str, args: str, reason: str) -> str | None:
            argv = mcp_call_argv(server.name, tool, args)
            if tool not in server.risky and self.remembered(argv[:3]):
                return None
            if (waiting := self._already_held()) is not None:
                return waiting
            self._blocked = CommandBlocked(argv, role, reason, "turn")
            return (f"BLOCKED_BY_POLICY: {reason}. The call now waits for a human decision: "
                    "end your turn with a short summary of where you are.")

        return hold

    def _propose_patch(self, role: Role):  # type: ignore[no-untyped-def]
        def propose(diff: str, summary: str) -> str:
            try:
                applied = apply_patch(self.wt_checked.path, diff)
            except UnsafePatch as exc:  # a path the policy refuses, not a malformed patch
                self.bus.emit("policy", role.value, message=str(exc), tool="propose_patch",
                              path=exc.path)
                raise
            except PatchRejected as exc:
                self.bus.emit("error", role.value, message=str(exc), tool="propose_patch")
                raise
            self._dirty = True
            files = ", ".join(applied.files)
            return f"patch applied: {len(applied.hunks_applied)} hunk(s) in {files}"

        return propose

    def _already_held(self) -> str | None:
        """One held call per turn: the text for any later call while one waits at the gate."""
        if self._blocked is None:
            return None
        return (f"not run: `{shlex.join(self._blocked.argv)}` waits for a human decision; "
                "end your turn now with a short summary")

    def remembered(self, argv: list[str]) -> bool:
        """A human added this exact command to the repository's allow-list."""
        return argv in allowed_commands(self.store.path, self.config.repo_path)

    def _run_tests_tool(self, role: Role):  # type: ignore[no-untyped-def]
        async def run(command: str | list[str]) -> str:
            try:
                argv = split_command(command)
            except ValueError as exc:  # shell text: no argv a human could approve
                self.bus.emit("policy", role.value, message=f"command refused: {exc}",
                              tool="run_tests")
                return f"BLOCKED_BY_POLICY: {exc}. Give the command as plain arguments."
            if (waiting := self._already_held()) is not None:
                return waiting
            result = await self.evidence.run_tests(argv, role, approved=self.remembered(argv))
            if not result.command.blocked:
                return result.summary_text()
            self._blocked = CommandBlocked(argv, role, result.command.reason, "turn")
            return (f"{result.summary_text()}\nThe command now waits for a human decision: "
                    "end your turn with a short summary of where you are.")

        return run

    async def turn(self, role: Role, task: str) -> str:
        """One agent turn, recorded with the agent's state and the worktree after it, so a
        resume or a fork continues from exactly here."""
        from workbench.engine.turns import run_turn, screen_turn_task

        cut, first = self.state.last_turn, self._first_turn
        self._first_turn = False
        if (first and cut is not None and cut.role == role.value
                and cut.seq > self.state.milestone_seq):
            # The run stopped after this turn but before its step recorded the outcome: the
            # turn happened (its effects are in the restored worktree and agent state).
            return cut.content
        await self.control.checkpoint(after_turn=False)
        steers = self.control.take_steers(role.value)
        if steers:
            task = "\n\n".join([*(prompts.steer_message(s) for s in steers), task])
        task = mask_secrets(task)
        task = screen_turn_task(self.bus, role.value, task, self.state.injections)
        turn_no = self.state.usage.turns + 1
        self.bus.emit("turn_started", role.value, turn=turn_no, task=task[:8000])
        self.check_budgets()
        agent = await self.agent(role)
        text = await run_turn(agent, role.value, task, self.bus, self.check_budgets, turn_no,
                              after_tools=lambda: self.live_diff.record(role.value))
        blocked, self._blocked = self._blocked, None
        state_id = self.store.add_artifact(
            self.run_id, "agent_state", json.dumps(dict(await agent.save_state()), default=str))
        snapshot = None
        if self._dirty and self.wt is not None:
            snapshot, self._dirty = gitops.snapshot_worktree(self.wt), False
        self.bus.put(AgentMessage(
            role=role.value, content=text, turn=turn_no, state_artifact=state_id, snapshot=snapshot,
            model_calls=self._calls_start.get(role.value, 0)
            + self._calls_here.get(role.value, 0)))
        self.control.turn_done()
        if self.control.step_mode:
            self.bus.put(ApprovalRequested(role=role.value, gate="step", message="turn finished"))
            await self.control.checkpoint(after_turn=True)
            self.bus.put(ApprovalGiven(role="human", gate="step", decision="approve"))
        if blocked is not None:  # the turn is recorded; its step ends at the command gate
            raise blocked
        return text

    async def validated(self, role: Role, text: str, model: type[T],
                        check: Callable[[T], list[str]] | None = None) -> T:
        """``text`` as a ``model``; an invalid one (or one ``check`` finds fault with) goes
        back to the role with the errors, up to the validation-retry budget."""
        attempts = self.config.budgets.max_validation_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                value = parse_contract(text, model)
                problems = check(value) if check else []
                if problems:
                    raise OutputInvalid(model.__name__, problems)
                return value
            except OutputInvalid as exc:
                hint = self.text_call_hint(role, text, tuple(model.model_fields))
                if hint:  # a tool call written as text: say so first
                    exc = OutputInvalid(model.__name__, [hint, *exc.errors])
                self.bus.emit("error", role.value, message=str(exc), errors=exc.errors,
                              attempt=attempt, contract=model.__name__)
                if attempt == attempts:
                    raise ContractGaveUp(role, model.__name__, attempts, text,
                                         exc.errors) from exc
                text = await self.turn(role, prompts.validation_retry(model.__name__, exc.errors))
        raise AssertionError("unreachable")

    def keep_draft(self, gave_up: ContractGaveUp) -> None:
        """Record the last invalid attempt, so the human starts from it at the gate."""
        self._artifact("draft", gave_up.role, {
            "contract": gave_up.contract, "text": gave_up.text[:20000],
            "errors": gave_up.errors[:20]})

    async def gate(self, gate: str, message: str, **details: Any) -> Approval:
        """Ask once (a resumed run already asked), then take the decision: auto-approve, the
        human in the TUI, or park the run for ``workbench approve``. ``details`` are the
        request's gate-specific fields (the blocked command, the high-risk paths)."""
        waiting = self.state.status is RunStatus.WAITING_FOR_APPROVAL
        if self.state.pending_approval != gate or not waiting:  # new, or asked again after
            # an interruption: the run is waiting at this gate again
            self.bus.put(ApprovalRequested(gate=gate, message=message, **details))  # type: ignore[arg-type]
        # Nothing to auto-approve: a spec nobody wrote, a change nobody reviewed, a command
        # the policy refused, a change to high-risk paths (unless --allow-high-risk).
        human_needed = gate in ("review", "command") or (gate == "spec" and self.state.spec
                                                         is None) or (
            gate == "final" and bool(self.state.high_risk_paths)
            and not self.config.allow_high_risk)
        if self.control.auto_approve and not human_needed:
            approval = Approval(gate=gate, decision=Decision.APPROVE, by="auto-approve",  # type: ignore[arg-type]
                                high_risk_paths=self.state.high_risk_paths if gate == "final"
                                else [])
        elif not self.control.interactive:
            raise WaitingForApproval(gate)
        else:
            self.store.update_run(self.run_id, status=RunStatus.WAITING_FOR_APPROVAL.value)
            approval = await self.control.wait_for_approval(gate)
            self.store.update_run(self.run_id, status=RunStatus.RUNNING.value)
        self.record_approval(approval)
        return approval

    def record_approval(self, approval: Approval) -> None:
        emit_approval(self.bus, approval)

    def steer(self, text: str, target: str = "next") -> None:
        """A human message for the next agent turn, recorded as a formal review comment."""
        self.control.steer(text, target)
        self.bus.emit("steer", "human", text=text, target_role=target, review_comment=True)

    @property
    def wt_checked(self) -> gitops.RunWorktree:
        if self.wt is None:
            raise gitops.GitError("the run's worktree is not open")
        return self.wt

    @property
    def scripted(self) -> bool:
        return any(self.config.model_for(r.value).startswith("scripted:") for r in AGENT_ROLES)

    def model_labels(self) -> dict[str, str]:
        """Each role's model as configured (the run list and every screen show these)."""
        return {role.value: self.config.model_for(role.value) for role in AGENT_ROLES}

    @property
    def evidence(self) -> Evidence:
        allow = (*DEFAULT_ALLOW, *(tuple(a) for a in self.config.extra_allowed))
        settings = SandboxSettings.model_validate(self.config.sandbox)
        wt = self.wt_checked
        shared = self._shared_dependencies if settings.share_dependencies else (
            SharedDependencies())
        sandbox: Sandbox
        if settings.build_worker and settings.build_host:  # commands on a build worker
            from workbench.remote_build import RemoteSandbox

            sandbox = RemoteSandbox(wt.path, settings.build_host, settings.build_worker,
                                    self.config.sandbox, timeout_s=self.config.timeout_s,
                                    allow=allow, shared=shared, **settings.sandbox_kwargs())
        else:
            sandbox = Sandbox(wt.path, timeout_s=self.config.timeout_s, allow=allow,
                              shared=shared, **settings.sandbox_kwargs())
        return Evidence(self.store, self.bus, self.run_id, wt, sandbox, self.state.policy)

    @cached_property
    def _shared_dependencies(self) -> SharedDependencies:
        """The checkout's dependency folders, found once per engine (a walk of the worktree),
        not on every use of :attr:`evidence`."""
        wt = self.wt_checked
        return shared_dependencies(wt.repo_path, wt.path)
