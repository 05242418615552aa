"""Evidence for reviewer, tester and human: static checks, changed functions, real test runs."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agents.contracts import Role, TestResult
from agents.diff import parse_unified_diff
from workbench import gitops
from workbench.engine.build_checks import (
    StaticChecks,
    check_text,
    dotnet_checks,
    typescript_checks,
)
from workbench.engine.bus import EventBus
from workbench.sandbox import CommandResult, Sandbox
from workbench.store import RunStore

if TYPE_CHECKING:
    from analysis import FunctionChange
    from analysis.build_findings import BuildFinding

MAX_SLICE = 4000


BLOCKED = "command blocked: "
"""How a policy event that blocked a command begins (the fold keeps the messages)."""


def blocked_message(reason: str) -> str:
    return BLOCKED + reason


def blocked_reason(policy: list[str]) -> str:
    """The reason of the last blocked command among a run's policy messages."""
    last = next((m for m in reversed(policy) if m.startswith(BLOCKED)), None)
    return last.removeprefix(BLOCKED) if last is not None else "blocked by the policy"


@dataclass
class TestRun:
    __test__ = False

    result: TestResult
    command: CommandResult

    def summary_text(self) -> str:
        r = self.result
        head = (
            f"{r.status}: exit {r.exit_code}, {r.passed} passed, {r.failed} failed, "
            f"{r.errors} errors, {r.skipped} skipped"
        )
        if self.command.blocked:
            return f"BLOCKED_BY_POLICY: {self.command.reason}"
        tail = self.command.output[-3000:]
        return f"{head}\n{r.failure_slice or tail}"


def parse_test_output(cmd: CommandResult, log_artifact: int | None) -> TestResult:
    from analysis import failure_slices

    parsed = failure_slices(cmd.output, None)
    status: str
    if cmd.blocked:
        status = "blocked"
    elif cmd.timed_out:
        status = "timeout"
    elif cmd.exit_code == 0:
        status = "passed"
    elif parsed.failed or parsed.failed_tests:
        status = "failed"
    else:
        status = "error"
    slices = "\n\n".join(f"{f.test_id}\n{f.slice}" for f in parsed.failures)
    return TestResult(
        status=status,  # type: ignore[arg-type]
        exit_code=cmd.exit_code,
        passed=parsed.passed,
        failed=parsed.failed,
        errors=parsed.errors,
        skipped=parsed.skipped,
        failed_tests=list(parsed.failed_tests),
        log_artifact=log_artifact,
        failure_slice=slices[:MAX_SLICE],
        command=list(cmd.argv),
        duration_s=round(cmd.duration_s, 3),
    )


def command_facts(cmd: CommandResult) -> dict[str, object]:
    """What a command event records about how the command ran."""
    facts: dict[str, object] = {"backend": cmd.backend, "jailed": cmd.jailed,
                                "duration_s": cmd.duration_s}
    if cmd.reason:
        facts["reason"] = cmd.reason
    if cmd.warning:
        facts["warning"] = cmd.warning
    return facts


class Evidence:
    def __init__(
        self, store: RunStore, bus: EventBus, run_id: str, wt: gitops.RunWorktree, sandbox: Sandbox,
        recorded_policy: Sequence[str] = (),
    ) -> None:
        """``recorded_policy``: the run's policy messages, kept current by the run's fold (so
        the local runner's warning is recorded once per run, across resumes too)."""
        self.store, self.bus, self.run_id, self.wt, self.sandbox = store, bus, run_id, wt, sandbox
        self.recorded_policy = recorded_policy
        self._warned = False  # for an Evidence used without a run's fold

    async def run_tests(self, argv: Sequence[str], role: Role, record: bool = True,
                        approved: bool = False) -> TestRun:
        """``approved``: a human allowed this exact command (at the command gate, or in the
        repository's allow-list), so the allow-list does not apply to it."""
        cmd = await self.sandbox.run_async(list(argv), approved=approved)
        if cmd.blocked:
            self.bus.emit(
                "policy", role.value, message=blocked_message(cmd.reason), argv=list(argv)
            )
        elif cmd.warning and not self._warned and cmd.warning not in self.recorded_policy:
            self._warned = True
            self.bus.emit("policy", role.value, message=cmd.warning, argv=list(argv))
        # the log keeps the whole output (within the sandbox's log limit); the model gets
        # the head and the tail (cmd.output)
        log = cmd.log_text
        log_id = self.store.add_artifact(self.run_id, "log", log) if record else None
        result = parse_test_output(cmd, log_id)
        if record:
            self.bus.emit(
                "artifact",
                role.value,
                type="log",
                artifact_id=log_id,
                data={"argv": list(argv), "chars": len(log), **command_facts(cmd)},
            )
        return TestRun(result, cmd)

    def changed_functions(self) -> list[FunctionChange]:
        from analysis import changed_functions_between

        try:
            return changed_functions_between(
                self.wt.path, self.wt.base_commit, None, worktree=True
            )
        except Exception as exc:  # analysis must never stop a run
            self.bus.emit("error", message=f"changed-function analysis failed: {exc}")
            return []

    def focus_tests(self, changes: list[FunctionChange]) -> list[str]:
        try:
            from analysis import focus_tests

            return list(focus_tests(self.wt.path, changes))
        except Exception as exc:
            self.bus.emit("error", message=f"test focus failed: {exc}")
            return []

    async def static_checks(self, diff: str) -> str:
        """The text of :meth:`static_check_report`."""
        return (await self.static_check_report(diff)).text

    async def static_check_report(self, diff: str) -> StaticChecks:
        """ruff on the changed Python files; tsc and the lint script of a TypeScript
        project; dotnet build and dotnet format of a C# project. Each only when installed
        and when the change touches its files."""
        try:
            files = [f.path for f in parse_unified_diff(diff) if f.new_path]
        except ValueError:
            return StaticChecks("(diff did not parse)")
        py = [f for f in files if f.endswith(".py")]
        out: list[str] = []
        if py and _tool_available("ruff"):
            res = await self.sandbox.run_async(["ruff", "check", "--no-cache", *py])
            out.append(f"$ ruff check (exit {res.exit_code})")
            out.append(res.output.strip()[-3000:])
        elif py:
            out.append("ruff: not installed, skipped")
        findings: list[BuildFinding] = []
        root = self.wt.path
        modules = self.sandbox.shared.host_path(root / "node_modules")
        for checks, notes in (typescript_checks(root, files, _tool_available, modules),
                              dotnet_checks(root, files, _tool_available)):
            out.extend(notes)
            for check in checks:
                # fixed command lines of the engine's own, not a model's: the agents'
                # allow-list does not apply; they run in the same sandbox as every command
                res = await self.sandbox.run_async(check.argv, approved=True)
                found = check.parse(res.log_text, str(root)) if not res.blocked else []
                findings += found
                out.append(check_text(check, res, found))
        return StaticChecks("\n".join(out) or "(no checks apply to the changed files)",
                            findings)

    def changed_files_text(self, diff: str, limit: int = 12000) -> str:
        parts: list[str] = []
        try:
            files = parse_unified_diff(diff)
        except ValueError:
            return ""
        for f in files:
            if not f.new_path:
                continue
            path = self.wt.path / f.new_path
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            parts.append(f"--- {f.new_path}\n{text}")
        joined = "\n".join(parts)
        return joined[:limit]


def _tool_available(name: str) -> bool:
    """On PATH, or beside the interpreter (the sandbox puts that directory first)."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return shutil.which(name, path=search) is not None


def changes_text(changes: list[FunctionChange]) -> str:
    """One line per change; empty when there are none (the prompt then says so)."""
    return "\n".join(f"{c.change}: {c.path} {c.qualified_name} ({c.kind})" for c in changes)
