"""The orphan registry: lets a later engine clean up the local runner's commands and HOME
folders after one that was killed (SIGKILL, power loss) without cleaning up."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shlex
import shutil
import signal
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Orphan registry ---------------------------------------------------------------------------
# Every command leaves a note, <tmp>/workbench-sandbox-<uid>/<owner>-<pgid>.json, and gets a
# HOME named workbench-home-<owner pid>-<owner start>-*, so both can be traced to their engine.
HOME_PREFIX = "workbench-home-"
_HOME_RE = re.compile(r"workbench-home-(\d+)-(\d+)-[^/]+\Z")
_HAS_PROC = os.path.isdir("/proc/self")


@dataclass(frozen=True)
class _Stat:
    state: str
    pgrp: int
    start: int  # clock ticks since boot: with the pid, it names one process for good


def _stat(pid: int) -> _Stat | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
        rest = raw[raw.rindex(b")") + 2:].split()  # the name in (...) may hold spaces
        return _Stat(rest[0].decode(), int(rest[2]), int(rest[19]))
    except (OSError, ValueError, IndexError):
        return None


def start_ticks(pid: int) -> int:
    """When ``pid`` started, in clock ticks since boot; 0 when unknown."""
    st = _stat(pid)
    return st.start if st else 0


@lru_cache(maxsize=4)  # keyed by pid: a forked child is another owner
def _owner_start(pid: int) -> int:
    return start_ticks(pid)


def owner_tag() -> str:
    """``<pid>-<start>`` of this engine: names what it leaves behind (homes, cgroups)."""
    return f"{os.getpid()}-{_owner_start(os.getpid())}"


def home_prefix() -> str:
    return f"{HOME_PREFIX}{owner_tag()}-"


def registry_dir(tmp: Path) -> Path:
    return tmp / f"workbench-sandbox-{os.getuid()}"


def _alive(pid: int, start: int) -> bool:
    """The process that had ``pid`` and started at ``start`` (0: unknown) still runs."""
    if pid <= 0:
        return False
    if _HAS_PROC:
        st = _stat(pid)
        return st is not None and st.state != "Z" and start in (0, st.start)
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return not isinstance(exc, ProcessLookupError)  # EPERM: alive, someone else's
    return True


def owner_alive(pid: int, start: int) -> bool:
    return _alive(pid, start)


def _private_dir(path: Path) -> bool:
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    st = path.lstat()  # /tmp is shared: never follow a link or use someone else's folder
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()


def register_group(pgid: int, home: str, argv: Sequence[str]) -> Path | None:
    """Note a started command beside its HOME; None when that fails (the command still runs)."""
    folder = registry_dir(Path(home).parent)
    note = folder / f"{os.getpid()}-{pgid}.json"
    record = {"pgid": pgid, "owner": os.getpid(), "owner_start": _owner_start(os.getpid()),
              "leader_start": start_ticks(pgid), "home": home,
              "cmd": shlex.join(argv)[:200], "created": time.time()}
    try:
        if not _private_dir(folder):
            return None
        part = folder / f".{note.name}.part"
        part.write_text(json.dumps(record))
        os.replace(part, note)  # a cleaner never reads half a note
    except OSError:
        return None
    return note


def unregister(note: Path | None) -> None:
    if note is not None:
        with contextlib.suppress(OSError):
            note.unlink(missing_ok=True)


def _members(pgid: int) -> list[int]:
    stats = {int(n): _stat(int(n)) for n in os.listdir("/proc") if n.isdigit()}
    return [pid for pid, st in stats.items() if st and st.pgrp == pgid and st.state != "Z"]


def _has_home(pid: int, home: str) -> bool:
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"\0HOME={home}\0".encode() in b"\0" + env


def _kill_if_ours(pgid: int, leader_start: int, home: str) -> bool:
    """SIGKILL the group only if it is provably the one in the note."""
    if not _HAS_PROC or pgid <= 1 or pgid == os.getpgrp() or leader_start <= 0:
        return False
    members = _members(pgid)
    if not members:
        return False
    leader = _stat(pgid)
    if leader is not None:  # a pid and its start time name one process
        ours = leader.start == leader_start
    else:  # the leader died (its parent-death signal); its children still carry our HOME
        ours = any(_has_home(pid, home) for pid in members)
    if ours:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
            return True
    return False


def _remove_home(home: str) -> bool:
    if not _HOME_RE.match(os.path.basename(home)):
        return False  # a note names only folders the sandbox made
    try:
        st = os.lstat(home)
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        return False
    for _ in range(3):  # a process killed mid-write may add a file after the first pass
        shutil.rmtree(home, ignore_errors=True)
        if not os.path.lexists(home):
            return True
    return False


def _reap_note(note: Path) -> list[str]:
    try:
        rec = json.loads(note.read_text())
        pgid, owner, home = int(rec["pgid"]), int(rec["owner"]), str(rec["home"])
        owner_start, leader_start = int(rec["owner_start"]), int(rec["leader_start"])
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError):
        unregister(note)  # notes are written whole, so this one is junk
        return [f"dropped unreadable note {note.name}"]
    if _alive(owner, owner_start):
        return []
    done = []
    if _kill_if_ours(pgid, leader_start, home):
        cmd = " ".join(str(rec.get("cmd", "")).split())[:80]
        done.append(f"killed process group {pgid} of dead engine {owner}: {cmd}")
    if _remove_home(home):
        done.append(f"removed {home}")
    unregister(note)
    return done


def _dead_homes(tmp: Path) -> list[str]:
    try:
        found = [_HOME_RE.match(e.name) for e in os.scandir(tmp) if e.name.startswith(HOME_PREFIX)]
    except OSError:
        return []
    return [str(tmp / m[0]) for m in found if m and not _alive(int(m[1]), int(m[2]))]


def _notes(reg: Path) -> list[Path]:
    try:
        return sorted(Path(e.path) for e in os.scandir(reg) if e.name.endswith(".json"))
    except OSError:
        return []


def _try_lock(reg: Path) -> int | None:
    """One cleaner at a time; the others skip it, since the holder does the work."""
    try:
        if not _private_dir(reg):
            return None
        fd = os.open(reg / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def reap_orphans(tmp: Path) -> list[str]:
    """Clean up after dead engines whose notes and HOME folders are under ``tmp``."""
    reg = registry_dir(tmp)
    if not _notes(reg) and not _dead_homes(tmp):
        return []  # the common case: two directory scans, no lock, nothing written
    fd = _try_lock(reg)
    if fd is None:
        return []
    try:
        done: list[str] = []
        for note in _notes(reg):  # listed again: an earlier holder may have done some
            done += _reap_note(note)
        done += [f"removed {home}" for home in _dead_homes(tmp) if _remove_home(home)]
        return done
    finally:
        os.close(fd)
