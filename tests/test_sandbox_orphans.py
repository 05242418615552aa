"""A sandboxed command must not outlive its engine, and a later engine cleans up what a killed
one left behind. Real processes throughout; every wait polls the real condition."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workbench.sandbox import Sandbox, cleanup_orphans
from workbench.sandbox_runtime import registry_dir, start_ticks

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")

SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]
# Answers one "ping" per line: proof that it is still alive after a cleanup returned.
ECHO = [sys.executable, "-c", "import sys\nfor _ in sys.stdin: print('pong', flush=True)"]

# The engine side, as the TUI runs it: an event loop on a worker thread drives run_async.
ENGINE = r"""
import asyncio, sys, threading
from pathlib import Path
from workbench.sandbox import Sandbox
box = Sandbox(Path(sys.argv[1]), timeout_s=600, allow=[("python", "-c")], backend="local")
worker = threading.Thread(target=lambda: asyncio.run(box.run_async(["python", "-c", sys.argv[2]])))
worker.start()
worker.join()
"""
# The sandboxed command: starts a child of its own, reports both pids, then waits.
COMMAND = r"""
import os, subprocess, sys, time
kid = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open("ready.part", "w") as f:
    f.write(f"{os.getpid()} {os.getpgrp()} {kid.pid} {os.environ['HOME']}")
os.rename("ready.part", "ready")
time.sleep(600)
"""


def gone(pid: int) -> bool:
    """The process no longer runs (a zombie waiting to be reaped counts as gone)."""
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


def wait_for(cond: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def dead_pid() -> tuple[int, int]:
    """The pid and start time of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                            stdin=subprocess.PIPE)
    start = start_ticks(proc.pid)
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait()
    return proc.pid, start


def write_note(tmp: Path, *, owner: tuple[int, int], pgid: int, leader_start: int,
               home: Path) -> Path:
    folder = registry_dir(tmp)
    folder.mkdir(mode=0o700, exist_ok=True)
    note = folder / f"{owner[0]}-{pgid}.json"
    note.write_text(json.dumps({"pgid": pgid, "owner": owner[0], "owner_start": owner[1],
                                "leader_start": leader_start, "home": str(home),
                                "cmd": "python -c ...", "created": time.time()}))
    return note


def make_home(tmp: Path, owner: tuple[int, int]) -> Path:
    home = tmp / f"workbench-home-{owner[0]}-{owner[1]}-test"
    (home / "tmp").mkdir(parents=True)
    (home / "tmp" / "leftover.txt").write_text("x")
    return home


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    (tmp_path / "tmp").mkdir()
    return tmp_path / "tmp"


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:  # whatever the outcome, nothing from a test keeps running
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def kill_group_quietly(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


def test_a_command_gets_the_parent_death_signal_and_leaves_nothing(tmp_path: Path) -> None:
    code = ("import ctypes; v = ctypes.c_int(); ctypes.CDLL(None).prctl(2, ctypes.byref(v)); "
            "print(v.value)")
    for isolate in (True, False):
        result = Sandbox(tmp_path, allow=[("python", "-c")], isolate_network=isolate).run(
            ["python", "-c", code])
        assert result.output.strip() == str(signal.SIGKILL.value), result.output
    assert not list(registry_dir(Path(tempfile.gettempdir())).glob(f"{os.getpid()}-*.json"))


def test_killing_the_engine_kills_its_command(tmp_path: Path, tmp: Path) -> None:
    worktree = tmp_path / "wt"
    worktree.mkdir()
    engine = subprocess.Popen([sys.executable, "-c", ENGINE, str(worktree), COMMAND],
                              env={**os.environ, "TMPDIR": str(tmp)})
    pgid = ""
    try:
        ready = worktree / "ready"
        assert wait_for(lambda: ready.exists(), 60), "the sandboxed command never started"
        leader, pgid, kid, home = ready.read_text().split(" ", 3)
        note = registry_dir(tmp) / f"{engine.pid}-{pgid}.json"
        assert note.exists() and Path(home).is_dir()
        assert Path(home).name.startswith(f"workbench-home-{engine.pid}-")
        os.kill(engine.pid, signal.SIGKILL)
        engine.wait()
        assert wait_for(lambda: gone(int(leader)), 5), "the command outlived its engine"
        # Its own child has no parent-death signal; the next engine's cleanup catches it.
        report = cleanup_orphans(tmp)
        assert any(f"process group {pgid} " in line for line in report), report
        assert wait_for(lambda: gone(int(kid)), 5)
        assert not Path(home).exists() and not note.exists()
        assert cleanup_orphans(tmp) == []
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait()
        if pgid:  # the test failed half-way: leave nothing running
            kill_group_quietly(int(pgid))


@pytest.mark.parametrize("leader_alive", [True, False])
def test_cleanup_kills_the_group_of_a_dead_owner(
        tmp: Path, procs: list[subprocess.Popen[bytes]], leader_alive: bool) -> None:
    owner = dead_pid()
    home = make_home(tmp, owner)
    # A group of our own, as the sandbox makes it (setsid, HOME pointing at its folder);
    # the leader either waits or leaves its child behind, as a parent-death signal would.
    keep = "time.sleep(600)" if leader_alive else "pass"
    body = (f"import subprocess, sys, time\n"
            f"kid = subprocess.Popen({SLEEPER!r})\nprint(kid.pid, flush=True)\n{keep}\n")
    leader = subprocess.Popen(["setsid", sys.executable, "-c", body], stdout=subprocess.PIPE,
                              env={**os.environ, "HOME": str(home)})
    procs.append(leader)
    assert leader.stdout is not None
    kid = int(leader.stdout.readline())
    try:
        assert os.getpgid(kid) == leader.pid
        leader_start = start_ticks(leader.pid)
        if not leader_alive:
            leader.wait()
        note = write_note(tmp, owner=owner, pgid=leader.pid, leader_start=leader_start,
                          home=home)
        report = cleanup_orphans(tmp)
        assert any(f"killed process group {leader.pid} " in line for line in report), report
        assert f"removed {home}" in report
        assert wait_for(lambda: gone(kid), 5) and wait_for(lambda: gone(leader.pid), 5)
        assert not home.exists() and not note.exists()
    finally:
        kill_group_quietly(leader.pid)


def _alive_after_cleanup(proc: subprocess.Popen[bytes]) -> bool:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"ping\n")
    proc.stdin.flush()
    return proc.stdout.readline() == b"pong\n"


def test_a_reused_pid_is_never_killed(tmp: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    owner = dead_pid()
    home = make_home(tmp, owner)
    unrelated = subprocess.Popen(ECHO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 start_new_session=True)
    procs.append(unrelated)
    # The note's group had this pid once, but it started earlier than the process now here.
    note = write_note(tmp, owner=owner, pgid=unrelated.pid,
                      leader_start=start_ticks(unrelated.pid) - 1, home=home)
    report = cleanup_orphans(tmp)
    assert not any("killed" in line for line in report), report
    assert _alive_after_cleanup(unrelated)
    assert not note.exists() and not home.exists()


def test_a_group_without_our_home_is_never_killed(
        tmp: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    # The leader is gone and the group's members carry another HOME: not provably ours.
    owner = dead_pid()
    home = make_home(tmp, owner)
    body = (f"import subprocess, sys\nkid = subprocess.Popen({ECHO!r})\n"
            "print(kid.pid, flush=True)\n")
    leader = subprocess.Popen(["setsid", sys.executable, "-c", body], stdout=subprocess.PIPE)
    procs.append(leader)
    assert leader.stdout is not None
    kid = int(leader.stdout.readline())
    leader_start = start_ticks(leader.pid)
    leader.wait()
    try:
        write_note(tmp, owner=owner, pgid=leader.pid, leader_start=leader_start, home=home)
        report = cleanup_orphans(tmp)
        assert not any("killed" in line for line in report), report
        assert not gone(kid)
    finally:
        kill_group_quietly(leader.pid)


def test_live_owners_and_foreign_folders_are_left_alone(
        tmp: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    me = (os.getpid(), start_ticks(os.getpid()))
    mine = make_home(tmp, me)
    group = subprocess.Popen(ECHO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             start_new_session=True, env={**os.environ, "HOME": str(mine)})
    procs.append(group)
    note = write_note(tmp, owner=me, pgid=group.pid, leader_start=start_ticks(group.pid),
                      home=mine)
    old_style = tmp / "workbench-home-abc123xy"  # no owner in the name: unknown, kept
    old_style.mkdir()
    dead = make_home(tmp, dead_pid())
    assert cleanup_orphans(tmp) == [f"removed {dead}"]
    assert _alive_after_cleanup(group)
    assert mine.exists() and note.exists() and old_style.exists() and not dead.exists()


def test_nothing_to_clean_costs_nothing(tmp: Path) -> None:
    assert cleanup_orphans(tmp) == []
    assert list(tmp.iterdir()) == []  # no registry folder, no lock file made


def test_concurrent_cleaners_each_item_once(tmp: Path) -> None:
    homes = [make_home(tmp, dead_pid()) for _ in range(3)]
    code = ("import json, sys\nfrom pathlib import Path\n"
            "from workbench.sandbox import cleanup_orphans\n"
            "print(json.dumps(cleanup_orphans(Path(sys.argv[1]))))\n")
    cleaners = [subprocess.Popen([sys.executable, "-c", code, str(tmp)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE) for _ in range(4)]
    reports = []
    for proc in cleaners:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        reports += json.loads(out)
    assert sorted(reports) == sorted(f"removed {h}" for h in homes)
    assert not any(h.exists() for h in homes)
