"""The sandbox's backends by name, and what every backend returns."""

from __future__ import annotations

import math
from dataclasses import dataclass

from workbench.sandbox_bwrap import bwrap_problem

BACKENDS = ("auto", "bwrap", "docker", "local")
LOCAL_WARNING = ("local runner: not a jail (the command can write outside the worktree, "
                 "read HOME and reach host sockets)")


def resolve_backend(name: str) -> str:
    """``auto`` -> ``bwrap`` when a bwrap jail starts here (probed once), else ``local``."""
    if name not in BACKENDS:
        raise ValueError(f"unknown sandbox backend {name!r}: use one of {', '.join(BACKENDS)}")
    if name == "auto":
        return "bwrap" if bwrap_problem() is None else "local"
    return name



@dataclass
class CommandResult:
    argv: list[str]
    exit_code: int | None
    output: str
    """What the model sees: the head and the tail within ``max_output_bytes``."""
    duration_s: float = 0.0
    timed_out: bool = False
    blocked: bool = False
    reason: str = ""
    network_isolated: bool = False
    backend: str = "local"
    jailed: bool = False
    """bwrap or docker: the command could write only the worktree."""
    warning: str = ""
    full_output: str = ""
    """The whole output (up to ``max_log_bytes``) when ``output`` had to be cut."""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.blocked

    @property
    def log_text(self) -> str:
        """What the log artifact keeps: everything the command printed, within the limit."""
        return self.full_output or self.output


@dataclass(frozen=True)
class Limits:
    """Per-process resource limits (None leaves a limit as it is). ``nproc`` is also the
    size of the command's pids cgroup and Docker's ``pids_limit``."""

    address_space: int | None = 4 << 30
    file_size: int | None = 1 << 30
    nproc: int | None = 4096
    cpu_s: int | None = None  # None: derived from the timeout


def docker_available(timeout_s: float = 1.0) -> bool:
    """True when a Docker engine answers; False quickly (never raises) otherwise."""
    try:
        import docker
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=max(1, math.ceil(timeout_s)))
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure to reach an engine means "no docker"
        return False


def mib(n: int) -> str:
    return f"{n / (1 << 20):g} MiB"


def stop_reasons(*, timed_out: bool, timeout_s: float, flooded: bool, log_limit: int,
                 pids_hit: bool, nproc: int | None, oom: bool, memory: int | None) -> str:
    """Why a command was stopped or failed a limit, in one line ("" when none applies)."""
    reasons = []
    if timed_out:
        reasons.append(f"timed out after {timeout_s:g} s (the command and every process it "
                       "started were killed)")
    if flooded:
        reasons.append(f"stopped: printed more than {mib(log_limit)} of output")
    if pids_hit:
        reasons.append(f"hit the process limit ({nproc} processes): forks were refused")
    if oom:
        reasons.append(f"killed: out of memory (limit {mib(memory or 0)})")
    return "; ".join(reasons)
