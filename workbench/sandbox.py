"""Sandbox v2: allow-listed commands, each run by one of three backends behind one interface.

- ``bwrap`` (the default on Linux when bubblewrap works here): a jail, see ``sandbox_bwrap``.
- ``docker``: a fresh container per command, see ``sandbox_docker``.
- ``local``: a plain host process with limits, a scrubbed environment and, where the OS
  allows it, no network. Not a jail: every result says so (``CommandResult.warning``).

All: rlimits (CPU time, address space, file size, processes) set by a launcher (see
``sandbox_runtime``), a pids cgroup where one can be made (a process limit that holds for
root), a wall-clock limit that kills every process of the command, a scrubbed environment,
output capped for the model (head and tail in ``output``; everything up to ``max_log_bytes``
in ``full_output`` for the log artifact; past that the command is stopped). Commands are argv
lists, never shell text. ``isolate_network`` applies to the local runner: jails never have
a network.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from agents.command_policy import check_command
from workbench.sandbox_backends import (
    BACKENDS,
    LOCAL_WARNING,
    CommandResult,
    Limits,
    docker_available,
    resolve_backend,
    stop_reasons,
)
from workbench.sandbox_bwrap import bwrap_path, bwrap_problem, jail_args, jail_home
from workbench.sandbox_cgroup import PidsGroup, reap_groups
from workbench.sandbox_docker import HOME as DOCKER_HOME
from workbench.sandbox_docker import DockerJob, DockerOptions, DockerOutcome
from workbench.sandbox_process import Launch, Outcome, run_process, run_process_async
from workbench.sandbox_runtime import (
    LAUNCHER,
    OutputBuffer,
    home_prefix,
    network_isolation_prefix,
    reap_orphans,
)
from workbench.worktree_deps import SharedDependencies

__all__ = ["BACKENDS", "DEFAULT_ALLOW", "LOCAL_WARNING", "CommandResult", "DockerOptions",
           "Limits", "Sandbox", "cleanup_orphans", "docker_available", "is_secret_name",
           "resolve_backend"]

DEFAULT_ALLOW: tuple[tuple[str, ...], ...] = (
    ("pytest",), ("python", "-m", "pytest"), ("python3", "-m", "pytest"),
    ("ruff",), ("python", "-m", "ruff"), ("python3", "-m", "ruff"),
    ("mypy",), ("python", "-m", "mypy"), ("python3", "-m", "mypy"),
    ("npm", "test"), ("npx", "vitest"), ("npx", "jest"), ("node", "--test"),
    ("dotnet", "build"), ("dotnet", "test"),
)
_SECRET_RE = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|^OPENAI_|^AZURE_|^AWS_"
                        r"|^ANTHROPIC_", re.IGNORECASE)
# V8 (WebAssembly) and CoreCLR reserve far more address space than they use; a cap on it
# stops them (measured: node's fetch fails under 4 GiB).
_NO_ADDRESS_CAP = frozenset({"node", "npm", "npx", "dotnet"})


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_RE.search(name))


def cleanup_orphans(tmp_dir: Path | None = None) -> list[str]:
    """Kill the commands and delete the HOME folders and cgroups left behind by engines that
    died without cleaning up (SIGKILL, power loss); says what it did. Cheap when there is
    nothing to do and safe to call from several processes at once: call it when an engine
    starts. (Containers of dead engines are removed before each Docker command.)"""
    done = reap_orphans(Path(tmp_dir) if tmp_dir is not None else Path(tempfile.gettempdir()))
    return done + reap_groups()


class Sandbox:
    def __init__(
        self,
        root: Path,
        timeout_s: float = 300,
        allow: Sequence[tuple[str, ...]] = DEFAULT_ALLOW,
        extra_env: Mapping[str, str] | None = None,
        *,
        limits: Limits | None = None,
        isolate_network: bool = True,
        max_output_bytes: int = 2_000_000,
        max_log_bytes: int = 16 << 20,
        backend: str = "auto",
        docker: DockerOptions | None = None,
        shared: SharedDependencies | None = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        secrets = [k for k in (extra_env or {}) if is_secret_name(k)]
        if secrets:
            raise ValueError(f"extra_env may not carry secret-looking variables: {secrets[0]}")
        self.root = Path(root)
        self.timeout_s = timeout_s
        self.allow = tuple(tuple(p) for p in allow)
        self.extra_env = dict(extra_env or {})
        self.limits = limits or Limits()
        self.isolate_network = isolate_network
        self.max_output_bytes = max_output_bytes
        self.max_log_bytes = max_log_bytes
        self.backend = resolve_backend(backend)
        self.docker = docker or DockerOptions()
        self.shared = shared or SharedDependencies()
        """The checkout's installed dependencies, shown read-only in the worktree (jails
        only: a command outside a jail would write through them)."""

    @property
    def jailed(self) -> bool:
        return self.backend != "local"

    def _isolated(self) -> bool:
        return self.jailed or (self.isolate_network and network_isolation_prefix() is not None)

    @property
    def warning(self) -> str:
        """Shown beside every result of a sandbox that is not a jail."""
        return LOCAL_WARNING if self.backend == "local" else ""

    def check(self, argv: Sequence[str], approved: bool = False) -> str | None:
        """None when ``argv`` may run, otherwise a one-line reason. ``approved`` (a human
        said yes) lifts the allow-list and argument rules, not the basic checks."""
        if isinstance(argv, str) or not argv:
            return "a command must be a non-empty list of arguments"
        if not all(isinstance(a, str) for a in argv):
            return "every argument must be a string"
        if any("\x00" in a for a in argv):
            return "an argument contains a NUL byte"
        if "/" in argv[0] or "\\" in argv[0]:
            return f"run programs by name, not by path: {argv[0][:80]}"
        if approved:
            return None
        # the built-in programs have their own argument rules; configured extras are argv
        # prefixes whose remaining arguments pass the generic checks
        extra = [p for p in self.allow if p not in DEFAULT_ALLOW]
        return check_command(argv, extra)

    def _env(self, home: str, tmpdir: str) -> dict[str, str]:
        venv_bin = str(Path(sys.executable).parent)
        rest = [p for p in os.environ.get("PATH", os.defpath).split(os.pathsep)
                if p and p != venv_bin]
        env = {
            "PATH": os.pathsep.join([venv_bin, *rest]), "HOME": home,
            "TMPDIR": tmpdir, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "TERM": "dumb",
            "NO_COLOR": "1", "CI": "1", "PYTHONUNBUFFERED": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
        }
        env.update(self.extra_env)
        return env

    def _rlimits(self, program: str) -> dict[str, int]:
        lim = self.limits
        cpu = lim.cpu_s if lim.cpu_s is not None else math.ceil(self.timeout_s) * 2 + 10
        out = {"RLIMIT_CPU": cpu, "RLIMIT_CORE": 0}
        if lim.address_space is not None and program not in _NO_ADDRESS_CAP:
            out["RLIMIT_AS"] = lim.address_space
        if lim.file_size is not None:
            out["RLIMIT_FSIZE"] = lim.file_size
        if lim.nproc is not None:
            out["RLIMIT_NPROC"] = lim.nproc
        return out

    def _blocked(self, argv: Sequence[str], approved: bool) -> CommandResult | None:
        reason = self.check(argv, approved)
        shown = list(argv) if not isinstance(argv, str) else [argv]
        if reason is not None:
            return self._fail(shown, reason, blocked=True)
        if not self.root.is_dir():
            return self._fail(shown, f"no such directory: {self.root}")
        if self.backend == "bwrap" and (problem := bwrap_problem()) is not None:
            return self._fail(shown, f"bwrap backend unavailable: {problem}")
        return None

    def _fail(self, argv: list[str], reason: str, *, blocked: bool = False,
              output: str = "") -> CommandResult:
        return CommandResult(argv, None, output, blocked=blocked, reason=reason,
                             network_isolated=self.jailed, backend=self.backend,
                             jailed=self.jailed, warning=self.warning)

    def _prepare(self, argv: Sequence[str]) -> Launch | CommandResult:
        """A local or bwrap command ready to start (argv already checked)."""
        jail = self.backend == "bwrap"
        host_home = None if jail else tempfile.mkdtemp(prefix=home_prefix())  # names its owner
        home = jail_home() if jail else str(host_home)
        if host_home is not None:
            os.mkdir(os.path.join(host_home, "tmp"))
        env = self._env(home, "/tmp" if jail else os.path.join(home, "tmp"))
        program = argv[0]
        if program in ("python", "python3"):
            target = [sys.executable, *argv[1:]]
        elif program == "pytest":
            target = [sys.executable, "-m", "pytest", *argv[1:]]
        else:
            found = shutil.which(program, path=env["PATH"])
            if found is None:
                if host_home is not None:
                    shutil.rmtree(host_home, ignore_errors=True)
                return self._fail(list(argv), f"command not found: {program}",
                                  output=f"command not found: {program}")
            target = [found, *argv[1:]]
        prefix = network_isolation_prefix() if self.isolate_network and not jail else None
        group = PidsGroup.create(self.limits.nproc) if self.limits.nproc else None
        spec = json.dumps({"lo": prefix is not None, "limits": self._rlimits(program),
                           "parent": os.getpid(), "cgroup": group.procs_file if group else None})
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, spec]
        if jail:
            self.shared.mount_points()
            cmd = [*launcher, bwrap_path(),
                   *jail_args(self.root.resolve(), home, shared=self.shared.pairs), "--",
                   *target]
        else:
            cmd = [*(prefix or ()), *launcher, *target]
        return Launch(list(argv), cmd, env, self.root, host_home, group)

    def _docker_job(self, argv: Sequence[str], buf: OutputBuffer) -> DockerJob:
        env = {k: v for k, v in self._env(DOCKER_HOME, "/tmp").items() if k != "PATH"}
        limits = {"cpu": self._rlimits(argv[0])["RLIMIT_CPU"], "core": 0}
        if self.limits.address_space is not None and argv[0] not in _NO_ADDRESS_CAP:
            limits["data"] = self.limits.address_space  # docker has no "as" ulimit
        if self.limits.file_size is not None:
            limits["fsize"] = self.limits.file_size
        self.shared.mount_points()
        job = DockerJob(self.docker, self.root.resolve(), list(argv), env, self.timeout_s,
                        limits, self.limits.nproc, buf, self.shared.pairs)
        buf.on_overflow = job.kill_soon
        return job

    def _buffer(self) -> OutputBuffer:
        return OutputBuffer(self.max_output_bytes, self.max_log_bytes)

    def _result(self, argv: list[str], started: float, outcome: Outcome | DockerOutcome,
                buf: OutputBuffer, pids_hit: bool) -> CommandResult:
        oom = isinstance(outcome, DockerOutcome) and outcome.oom
        reason = stop_reasons(
            timed_out=outcome.timed_out, timeout_s=self.timeout_s, flooded=buf.overflowed,
            log_limit=self.max_log_bytes, pids_hit=pids_hit, nproc=self.limits.nproc,
            oom=oom, memory=self.docker.memory)
        stopped = outcome.timed_out or buf.overflowed
        return CommandResult(
            argv, None if stopped else outcome.code, buf.text(),
            round(time.monotonic() - started, 3), outcome.timed_out, False, reason,
            self._isolated(), self.backend, self.jailed, self.warning,
            buf.full_text())

    def run(self, argv: Sequence[str], approved: bool = False) -> CommandResult:
        """Run ``argv`` if allowed; a blocked command is not executed."""
        blocked = self._blocked(argv, approved)
        if blocked is not None:
            return blocked
        started, buf = time.monotonic(), self._buffer()
        if self.backend == "docker":
            return self._docker_done(argv, started, self._docker_job(argv, buf).run(), buf)
        launch = self._prepare(argv)
        if isinstance(launch, CommandResult):
            return launch
        try:
            outcome = run_process(launch, self.timeout_s, buf)
            return self._process_done(launch, outcome, buf)
        finally:
            launch.release()

    async def run_async(self, argv: Sequence[str], approved: bool = False) -> CommandResult:
        """Like :meth:`run` without blocking the event loop; cancelling kills the command."""
        blocked = self._blocked(argv, approved)
        if blocked is not None:
            return blocked
        started, buf = time.monotonic(), self._buffer()
        if self.backend == "docker":
            job = self._docker_job(argv, buf)
            task = asyncio.ensure_future(asyncio.to_thread(job.run))
            try:
                outcome = await asyncio.shield(task)
            except asyncio.CancelledError:
                job.kill()  # the container is removed by the thread as it finishes
                raise
            return self._docker_done(argv, started, outcome, buf)
        launch = self._prepare(argv)
        if isinstance(launch, CommandResult):
            return launch
        try:
            outcome_p = await run_process_async(launch, self.timeout_s, buf)
            return self._process_done(launch, outcome_p, buf)
        finally:
            launch.release()

    def _process_done(self, launch: Launch, outcome: Outcome, buf: OutputBuffer
                      ) -> CommandResult:
        if outcome.start_error:
            return self._fail(launch.argv, outcome.start_error, output=outcome.start_error)
        hit = launch.group.hit_limit() if launch.group is not None else False
        return self._result(launch.argv, launch.started, outcome, buf, hit)

    def _docker_done(self, argv: Sequence[str], started: float, outcome: DockerOutcome,
                     buf: OutputBuffer) -> CommandResult:
        if outcome.problem:
            return self._fail(list(argv), f"docker backend: {outcome.problem}",
                              output=outcome.problem)
        return self._result(list(argv), started, outcome, buf, outcome.pids_hit)
