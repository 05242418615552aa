"""Process plumbing for the sandbox: the launcher, output capture and the network isolation
probe. The orphan registry lives in ``sandbox_orphans`` (re-exported here)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from functools import lru_cache
from typing import IO

from workbench.sandbox_orphans import (
    home_prefix,
    reap_orphans,
    register_group,
    registry_dir,
    start_ticks,
    unregister,
)

__all__ = ["LAUNCHER", "OutputBuffer", "home_prefix", "kill_group", "network_isolation_prefix",
           "reap_orphans", "register_group", "registry_dir", "start_ticks", "unregister"]

# Runs as `python -I -S -c LAUNCHER SPEC PROGRAM ARGS...`: limits are set here rather than in
# preexec_fn, which is unsafe once the parent has threads.
LAUNCHER = r"""
import json, os, resource, sys
spec = json.loads(sys.argv[1])
if sys.platform.startswith("linux"):
    try:  # die with the engine (PR_SET_PDEATHSIG = 1, SIGKILL = 9)
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != spec["parent"]:  # the engine died before the line above took effect
        os.kill(os.getpid(), 9)
if spec.get("cgroup"):  # join the command's pids cgroup before anything forks
    try:
        with open(spec["cgroup"], "w") as f:
            f.write(str(os.getpid()))
    except OSError:
        pass
if spec["lo"]:
    import fcntl, socket, struct
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            fcntl.ioctl(s, 0x8914, struct.pack("16sh22x", b"lo", 0x1 | 0x8 | 0x40))
    except OSError:
        pass
    try:  # capabilities kept only to raise loopback; the command gets none (PR_CAP_AMBIENT)
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(47, 4, 0, 0, 0)
    except (OSError, AttributeError):
        pass
for name, value in spec["limits"].items():
    res = getattr(resource, name)
    hard = resource.getrlimit(res)[1]
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(res, (value, value))
    except (ValueError, OSError):
        pass
try:
    os.execv(sys.argv[2], sys.argv[2:])
except OSError as exc:
    print(f"cannot start {sys.argv[2]}: {exc.strerror}", file=sys.stderr)
    sys.exit(127)
"""


class OutputBuffer:
    """Keeps the head and the tail of a command's output within ``cap`` bytes for the model,
    and the whole output up to ``log_limit`` bytes for the log artifact. Past ``log_limit``
    ``on_overflow`` is called once (the runner stops the command there)."""

    def __init__(self, cap: int, log_limit: int | None = None,
                 on_overflow: Callable[[], None] | None = None) -> None:
        self.half = max(1, cap // 2)
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0
        self.total = 0
        self.log_limit = log_limit
        self.log = bytearray()
        self.overflowed = False
        self.on_overflow = on_overflow

    def add(self, data: bytes) -> None:
        self.total += len(data)
        if self.log_limit is not None and not self.overflowed:
            self.log += data[: self.log_limit - len(self.log)]
            if self.total > self.log_limit:
                self.overflowed = True
                if self.on_overflow is not None:
                    self.on_overflow()
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        self.tail += data
        if len(self.tail) > 2 * self.half:  # trim in batches, not on every chunk
            self._trim()

    def _trim(self) -> None:
        cut = len(self.tail) - self.half
        if cut > 0:
            self.dropped += cut
            del self.tail[:cut]

    def pump(self, stream: IO[bytes] | None) -> None:
        if stream is None:
            return
        with stream:
            while chunk := stream.read1(65536):  # type: ignore[attr-defined]
                self.add(chunk)

    async def pump_async(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            self.add(chunk)

    def text(self) -> str:
        self._trim()
        out = self.head.decode("utf-8", "replace")
        if self.dropped:
            out += f"\n[... {self.dropped} bytes of output omitted (kept in the log) ...]\n"
        return out + self.tail.decode("utf-8", "replace")

    def full_text(self) -> str:
        """The whole output for the log artifact; empty when :meth:`text` already holds it."""
        self._trim()
        if not self.dropped and not self.overflowed or self.log_limit is None:
            return ""
        out = self.log.decode("utf-8", "replace")
        if self.overflowed:
            out += f"\n[output stopped after {len(self.log)} of {self.total} bytes]\n"
        return out


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


@lru_cache(maxsize=1)
def network_isolation_prefix() -> tuple[str, ...] | None:
    """An ``unshare`` prefix that gives a command its own empty network namespace here, or None.

    Probed once. Root can use a plain network namespace; other users need a user namespace,
    mapped to their own uid so file permissions behave as outside.
    """
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return None
    user_ns = [unshare, "--user", "--map-current-user"]
    candidates = [[*user_ns, "--keep-caps", "--net"], [*user_ns, "--net"], [unshare, "-rn"]]
    if os.geteuid() == 0:
        candidates.insert(0, [unshare, "--net"])
    for prefix in candidates:
        try:
            probe = subprocess.run([*prefix, sys.executable, "-I", "-S", "-c", "pass"],
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if probe.returncode == 0:
            return tuple(prefix)
    return None
