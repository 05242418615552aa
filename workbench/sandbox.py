"""Sandbox v1: allow-listed commands run locally with limits, a scrubbed environment and,
where the OS allows it, no network.

Commands are argv lists, never shell text. Every command starts through a small launcher
(see ``sandbox_runtime``) that sets resource limits and brings the loopback interface up
inside the network namespace, then execs the program.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.sandbox_runtime import (
    LAUNCHER,
    OutputBuffer,
    home_prefix,
    kill_group,
    network_isolation_prefix,
    reap_orphans,
    register_group,
    unregister,
)

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
    """Kill the commands and delete the HOME folders left behind by engines that died without
    cleaning up (SIGKILL, power loss); says what it did. Cheap when there is nothing to do and
    safe to call from several processes at once: call it when an engine starts."""
    return reap_orphans(Path(tmp_dir) if tmp_dir is not None else Path(tempfile.gettempdir()))


@dataclass
class CommandResult:
    argv: list[str]
    exit_code: int | None
    output: str
    duration_s: float = 0.0
    timed_out: bool = False
    blocked: bool = False
    reason: str = ""
    network_isolated: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.blocked


@dataclass(frozen=True)
class Limits:
    """Per-process resource limits (None leaves a limit as it is)."""

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


def _arg_escapes(arg: str) -> bool:
    values = [arg, arg.split("=", 1)[1]] if "=" in arg else [arg]
    return any(v.startswith(("/", "~")) or ".." in re.split(r"[/\\]", v) for v in values)


@dataclass
class _Prepared:
    argv: list[str]
    cmd: list[str]
    env: dict[str, str]
    home: str
    isolated: bool
    started: float = field(default_factory=time.monotonic)
    note: Path | None = None  # registry entry while the command runs

    def release(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)
        unregister(self.note)


class Sandbox:
    def __init__(
        self,
        root: Path,
        timeout_s: float = 300,
        allow: Sequence[tuple[str, ...]] = DEFAULT_ALLOW,
        extra_env: Mapping[str, str] | None = None,
        *,
        limits: Limits = Limits(),
        isolate_network: bool = True,
        max_output_bytes: int = 2_000_000,
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
        self.limits = limits
        self.isolate_network = isolate_network
        self.max_output_bytes = max_output_bytes

    def check(self, argv: Sequence[str], approved: bool = False) -> str | None:
        """None when ``argv`` may run, otherwise a one-line reason. ``approved`` (a human
        said yes) lifts the allow-list and argument rules, not the basic checks."""
        if isinstance(argv, str) or not argv:
            return "a command must be a non-empty list of arguments"
        if not all(isinstance(a, str) for a in argv):
            return "every argument must be a string"
        if any("\x00" in a for a in argv):
            return "an argument contains a NUL byte"
        shown = shlex.join(argv)[:120]
        if "/" in argv[0] or "\\" in argv[0]:
            return f"run programs by name, not by path: {argv[0][:80]}"
        if approved:
            return None
        if not any(tuple(argv[: len(p)]) == p for p in self.allow):
            return f"command not in the allow-list: {shown}"
        bad = next((a for a in argv[1:] if _arg_escapes(a)), None)
        if bad is not None:
            return f"argument refers to a path outside the worktree: {bad[:80]}"
        return None

    def _env(self, home: str) -> dict[str, str]:
        venv_bin = str(Path(sys.executable).parent)
        rest = [p for p in os.environ.get("PATH", os.defpath).split(os.pathsep)
                if p and p != venv_bin]
        env = {
            "PATH": os.pathsep.join([venv_bin, *rest]), "HOME": home,
            "TMPDIR": os.path.join(home, "tmp"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
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

    def _prepare(self, argv: Sequence[str], approved: bool) -> _Prepared | CommandResult:
        reason = self.check(argv, approved)
        shown = list(argv) if not isinstance(argv, str) else [argv]
        if reason is not None:
            return CommandResult(shown, None, "", blocked=True, reason=reason)
        if not self.root.is_dir():
            return CommandResult(shown, None, "", reason=f"no such directory: {self.root}")
        home = tempfile.mkdtemp(prefix=home_prefix())  # names its owner, for cleanup_orphans
        os.mkdir(os.path.join(home, "tmp"))
        env = self._env(home)
        program = argv[0]
        if program in ("python", "python3"):
            target = [sys.executable, *argv[1:]]
        elif program == "pytest":
            target = [sys.executable, "-m", "pytest", *argv[1:]]
        else:
            found = shutil.which(program, path=env["PATH"])
            if found is None:
                shutil.rmtree(home, ignore_errors=True)
                return CommandResult(shown, None, f"command not found: {program}",
                                     reason=f"command not found: {program}")
            target = [found, *argv[1:]]
        prefix = network_isolation_prefix() if self.isolate_network else None
        spec = json.dumps({"lo": prefix is not None, "limits": self._rlimits(program),
                           "parent": os.getpid()})
        launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, spec]
        return _Prepared(shown, [*(prefix or ()), *launcher, *target], env, home,
                         prefix is not None)

    def _result(self, p: _Prepared, code: int | None, buf: OutputBuffer, timed_out: bool
                ) -> CommandResult:
        p.release()
        reason = f"timed out after {self.timeout_s:g} s" if timed_out else ""
        return CommandResult(p.argv, None if timed_out else code, buf.text(),
                             round(time.monotonic() - p.started, 3), timed_out, False,
                             reason, p.isolated)

    def _failed_start(self, p: _Prepared, exc: OSError) -> CommandResult:
        p.release()
        reason = f"cannot start {p.argv[0]}: {exc.strerror or exc}"
        return CommandResult(p.argv, None, reason, reason=reason, network_isolated=p.isolated)

    # The launcher ties each command to the engine with PR_SET_PDEATHSIG, which fires when
    # the *thread* that forked exits. Both paths fork on a thread that then waits for the
    # command (run: the caller's; run_async: the event loop's, as asyncio calls Popen inline),
    # so that thread outlives the command. Never spawn from a throwaway helper thread.
    def run(self, argv: Sequence[str], approved: bool = False) -> CommandResult:
        """Run ``argv`` if allowed; a blocked command is not executed."""
        p = self._prepare(argv, approved)
        if isinstance(p, CommandResult):
            return p
        buf = OutputBuffer(self.max_output_bytes)
        try:
            proc = subprocess.Popen(p.cmd, cwd=self.root, env=p.env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        except OSError as exc:
            return self._failed_start(p, exc)
        p.note = register_group(proc.pid, p.home, p.argv)
        reader = threading.Thread(target=buf.pump, args=(proc.stdout,), daemon=True)
        reader.start()
        timed_out = False
        try:
            code: int | None = proc.wait(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc.pid)
            code = proc.wait()
        finally:
            kill_group(proc.pid)  # leftovers (servers, watchers) die too
        reader.join(timeout=5)
        return self._result(p, code, buf, timed_out)

    async def run_async(self, argv: Sequence[str], approved: bool = False) -> CommandResult:
        """Like :meth:`run` without blocking the event loop; cancelling kills the command."""
        p = self._prepare(argv, approved)
        if isinstance(p, CommandResult):
            return p
        buf = OutputBuffer(self.max_output_bytes)
        try:
            proc = await asyncio.create_subprocess_exec(
                *p.cmd, cwd=self.root, env=p.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            return self._failed_start(p, exc)
        p.note = register_group(proc.pid, p.home, p.argv)
        assert proc.stdout is not None
        pump = asyncio.ensure_future(buf.pump_async(proc.stdout))
        timed_out = False
        try:
            code: int | None = await asyncio.wait_for(proc.wait(), self.timeout_s)
        except TimeoutError:
            timed_out = True
            kill_group(proc.pid)
            code = await proc.wait()
        except BaseException:  # cancelled: the command must not outlive the run
            kill_group(proc.pid)
            pump.cancel()
            p.release()
            raise
        kill_group(proc.pid)
        done, _ = await asyncio.wait({pump}, timeout=5)
        if not done:
            pump.cancel()
        return self._result(p, code, buf, timed_out)
