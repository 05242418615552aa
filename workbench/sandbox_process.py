"""Runs one prepared command as a host process (the local and bwrap backends): output into an
:class:`OutputBuffer`, a wall-clock limit, and every process of the command killed at the end
(its process group, and its pids cgroup when there is one: that also catches ``setsid``)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from workbench.sandbox_cgroup import PidsGroup
from workbench.sandbox_runtime import OutputBuffer, kill_group, register_group, unregister


@dataclass
class Launch:
    argv: list[str]
    """The command as asked (shown and recorded)."""
    cmd: list[str]
    env: dict[str, str]
    cwd: Path
    host_home: str | None
    """A HOME folder on the host to delete afterwards (local runner only)."""
    group: PidsGroup | None
    started: float = field(default_factory=time.monotonic)
    pid: int = 0
    note: Path | None = None

    def kill(self) -> None:
        if self.pid:
            kill_group(self.pid)
        if self.group is not None:
            self.group.kill_all()

    def started_as(self, pid: int) -> None:
        self.pid = pid
        if self.host_home is not None:  # lets a later engine clean up if this one dies
            self.note = register_group(pid, self.host_home, self.argv)

    def release(self) -> None:
        if self.group is not None:
            self.group.remove()
        if self.host_home is not None:
            shutil.rmtree(self.host_home, ignore_errors=True)
        unregister(self.note)


@dataclass
class Outcome:
    code: int | None
    timed_out: bool = False
    start_error: str = ""


# The launcher ties each command to the engine with PR_SET_PDEATHSIG, which fires when the
# *thread* that forked exits. Both paths fork on a thread that then waits for the command
# (run: the caller's; run_async: the event loop's, as asyncio calls Popen inline), so that
# thread outlives the command. Never spawn from a throwaway helper thread.
def run_process(launch: Launch, timeout_s: float, buf: OutputBuffer) -> Outcome:
    buf.on_overflow = launch.kill
    try:
        proc = subprocess.Popen(launch.cmd, cwd=launch.cwd, env=launch.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        return Outcome(None, start_error=f"cannot start {launch.argv[0]}: {exc.strerror or exc}")
    launch.started_as(proc.pid)
    reader = threading.Thread(target=buf.pump, args=(proc.stdout,), daemon=True)
    reader.start()
    timed_out = False
    try:
        code: int | None = proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        launch.kill()
        code = proc.wait()
    finally:
        launch.kill()  # leftovers (servers, watchers, daemons) die too
    reader.join(timeout=5)
    return Outcome(code, timed_out)


async def run_process_async(launch: Launch, timeout_s: float, buf: OutputBuffer) -> Outcome:
    buf.on_overflow = launch.kill
    try:
        proc = await asyncio.create_subprocess_exec(
            *launch.cmd, cwd=launch.cwd, env=launch.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        return Outcome(None, start_error=f"cannot start {launch.argv[0]}: {exc.strerror or exc}")
    launch.started_as(proc.pid)
    assert proc.stdout is not None
    pump = asyncio.ensure_future(buf.pump_async(proc.stdout))
    timed_out = False
    try:
        code: int | None = await asyncio.wait_for(proc.wait(), timeout_s)
    except TimeoutError:
        timed_out = True
        launch.kill()
        code = await proc.wait()
    except BaseException:  # cancelled: the command must not outlive the run
        launch.kill()
        pump.cancel()
        launch.release()
        raise
    launch.kill()
    done, _ = await asyncio.wait({pump}, timeout=5)
    if not done:
        pump.cancel()
    return Outcome(code, timed_out)
