"""The two gates the safety model adds: a command the policy blocked waits for a human (run it
once, allow it for the repository, send the role back, or stop), and a change that touches
high-risk paths needs a human approval that names them, even under ``--auto-approve``."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Sequence

from agents.contracts import Decision, Phase, ReviewIssue, ReviewResult, Role, RunStatus
from workbench.allowlist import allow_command
from workbench.engine.approvals import shown
from workbench.engine.base import CommandBlocked, PipelineBase, RunStopped
from workbench.engine.config import DEFAULT_HIGH_RISK
from workbench.mcp_calls import is_mcp_call

__all__ = ["DEFAULT_HIGH_RISK", "CommandBlocked", "SafetyGates", "high_risk_paths"]


def high_risk_paths(files: Iterable[str], patterns: Sequence[str]) -> list[str]:
    """The changed ``files`` that match a high-risk pattern (case-insensitive)."""
    found = []
    for path in files:
        low = path.replace("\\", "/").lower()
        parts = low.split("/")
        for pattern in (p.lower().strip("/") for p in patterns if p.strip("/")):
            if "/" in pattern:
                hit = fnmatch.fnmatchcase(low, pattern) or low.startswith(pattern.rstrip("*"))
            else:
                hit = any(fnmatch.fnmatchcase(part, pattern) for part in parts)
            if hit:
                found.append(path)
                break
    return found


class SafetyGates(PipelineBase):
    async def command_gate(self, blocked: CommandBlocked | None = None) -> None:
        """Ask about a blocked command (or ask again after a resume)."""
        req = self.state.command_request
        if blocked is not None:
            argv, role, reason, resume = blocked.argv, blocked.role.value, blocked.reason, \
                blocked.resume
        elif req is not None:
            argv, role, reason, resume = req.argv, req.role, req.reason, req.resume
        else:
            raise RunStopped(RunStatus.FAILED, "command gate without a blocked command")
        await self.gate("command", reason, argv=argv, blocked_role=role, resume=resume)

    async def after_command(self) -> None:
        req, approval = self.state.command_request, self.state.command_approval
        if req is None or approval is None or approval.decision is Decision.REJECT:
            argv = shown(req.argv) if req else "the command"
            raise RunStopped(RunStatus.BLOCKED_BY_POLICY,
                             f"{argv} refused by the human: {req.reason if req else ''}".strip())
        role = Role(req.role) if req.role in {r.value for r in Role} else Role.TESTER
        if approval.decision is Decision.REQUEST_CHANGES:
            feedback = (f"The human refused the command `{shown(req.argv)}` ({req.reason})."
                        + (f" They said: {approval.comment}" if approval.comment else "")
                        + " Use a command the policy allows.")
            await self._back_to(role, req.resume, feedback)
            return
        if is_mcp_call(req.argv):
            await self._held_mcp_call(req.argv, role, req.resume, approval.remember, approval.by)
            return
        if approval.remember:
            allow_command(self.store.path, self.config.repo_path, req.argv, approval.by)
        run = await self.evidence.run_tests(req.argv, role, approved=True)
        if req.resume == "tests":
            self._artifact("test_result", Role.TESTER, run.result)
            return
        await self._back_to(role, req.resume, (
            f"The human approved the command `{shown(req.argv)}` once and it ran:\n"
            f"{run.summary_text()}\nGo on with your task."))

    async def _held_mcp_call(self, argv: list[str], role: Role, resume: str, remember: bool,
                             by: str) -> None:
        """The MCP call the human approved runs once (and its tool is allowed for the
        repository when asked, unless the server marks it risky: those ask every time)."""
        from workbench.mcp_tools import McpCallFailed, call_held, find_server

        _, server, tool, args = argv
        configured = find_server(self.config.mcp, server)
        if remember and configured is not None and tool not in configured.risky:
            allow_command(self.store.path, self.config.repo_path, argv[:3], by)
        call_id = f"held-{self.state.last_seq}"
        self.bus.emit("tool_call", role.value, name=tool, arguments=json.loads(args),
                      call_id=call_id)
        try:
            text = await call_held(self.config.mcp, server, tool, args)
            self.bus.emit("tool_result", role.value, name=tool, content=text[:8000],
                          call_id=call_id)
            outcome = f"ran, and returned:\n{text[:4000]}"
        except McpCallFailed as exc:
            self.bus.emit("error", role.value, message=str(exc))
            outcome = f"could not be made: {exc}"
        await self._back_to(role, resume, (
            f"The human approved the MCP call `{shown(argv)}` once; it {outcome}\n"
            "Go on with your task."))

    async def _back_to(self, role: Role, resume: str, feedback: str) -> None:
        if role is Role.DEVELOPER:
            self._phase(Phase.DEVELOPMENT, Role.DEVELOPER)
            await self.develop(feedback)
        else:
            await self.plan_tests(feedback)

    async def develop(self, feedback: str) -> None:
        raise NotImplementedError

    async def plan_tests(self, feedback: str = "") -> None:
        raise NotImplementedError

    def review_notes(self, review: ReviewResult) -> list[ReviewIssue]:
        raise NotImplementedError

    async def final_gate(self) -> None:
        if self.state.phase != Phase.FINAL_GATE.value:
            self._phase(Phase.FINAL_GATE)
        message = "Approve the final patch (reject hunks to leave them out)"
        ref = self.state.final_patch
        risky = high_risk_paths(ref.files if ref else [], self.config.high_risk_patterns)
        if risky:
            message = ("HIGH-RISK paths changed: " + ", ".join(risky)[:300]
                       + ". Approving approves these paths by name. " + message)
        review = self.state.last_review
        notes = self.review_notes(review) if review else []
        if notes:
            message += f"; {len(notes)} reviewer note(s): " + "; ".join(
                f"{i.file}: {i.problem}" if i.file else i.problem for i in notes)[:400]
        await self.gate("final", message, high_risk_paths=risky)
