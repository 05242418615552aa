"""Sandbox commands on a build worker: the seed's BuildRequest/BuildResult contract over the
gRPC runtime of :mod:`workbench.distributed`. The policy (allow-list, human approvals) is
checked here, before anything is sent; the worker runs the command in its own sandbox of the
configured backend, on the same worktree path (a shared filesystem)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.sandbox import Sandbox
from workbench.sandbox_backends import CommandResult
from workbench.worktree_deps import SharedDependencies


@dataclass
class BuildRequest:
    worktree: str
    argv: list[str]
    timeout_s: float
    settings: dict[str, Any] = field(default_factory=dict)
    """The run's sandbox settings (backend, limits, image)."""
    shared: list[list[str]] = field(default_factory=list)
    """The checkout's dependency folders shown in the worktree: [host folder, worktree path]."""


BuildResult = CommandResult
"""The reply: the worker's own sandbox result, as a local run would have it."""


async def run_build(request: BuildRequest) -> BuildResult:
    """On the worker: the command in this machine's sandbox (already allowed by the run)."""
    from workbench.config_models import SandboxSettings

    try:
        settings = SandboxSettings.model_validate(request.settings)
        shared = SharedDependencies(tuple((Path(a), Path(b)) for a, b in request.shared))
        sandbox = Sandbox(Path(request.worktree), timeout_s=request.timeout_s,
                          allow=(tuple(request.argv),), shared=shared,
                          **settings.sandbox_kwargs())
        cmd = await sandbox.run_async(request.argv, approved=True)
    except (ValueError, OSError) as exc:
        return CommandResult(list(request.argv), None, "", reason=f"build worker: {exc}")
    return cmd


class RemoteSandbox(Sandbox):
    """A sandbox whose allowed commands run on a build worker."""

    def __init__(self, root: Path, host: str, worker: str, settings: dict[str, Any],
                 **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.host, self.worker, self.settings = host, worker, settings

    async def run_async(self, argv: Sequence[str], approved: bool = False) -> CommandResult:
        blocked = self._blocked(argv, approved)
        if blocked is not None:
            return blocked
        from workbench.distributed import first_line, send_build

        request = BuildRequest(str(self.root), list(argv), self.timeout_s, self.settings,
                               [[str(a), str(b)] for a, b in self.shared.pairs])
        try:
            result = await send_build(self.host, self.worker, request)
        except Exception as exc:  # noqa: BLE001 - the command did not run: say why, in one line
            return self._fail(list(argv), f"build worker {self.worker} at {self.host}: "
                              + first_line(exc))
        return dataclasses.replace(result, backend=f"{result.backend}@{self.worker}")
