"""One pids cgroup per command: the process limit that also holds for root.

The kernel never applies RLIMIT_NPROC to uid 0, so as root a fork bomb is only stopped by a
cgroup's ``pids.max``. The group also names every process of the command, however it
detached (``setsid``, double fork), so the runner can kill them all. Used when this process
may create child cgroups (cgroup v1's pids hierarchy, or a v2 cgroup with ``pids`` delegated);
otherwise commands run without one and RLIMIT_NPROC is the only process limit.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import signal
from functools import lru_cache
from pathlib import Path

from workbench.sandbox_orphans import owner_alive, owner_tag

_NAME_RE = re.compile(r"workbench-(\d+)-(\d+)-\d+\Z")
_counter = itertools.count()


def _own_paths() -> dict[str, str]:
    """Controller (``pids``, or ``""`` for cgroup v2) -> this process's cgroup path."""
    out: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                out[name] = path
    return out


def _mounts() -> list[tuple[str, str, str]]:
    """(mount point, file system type, super options) of every cgroup mount."""
    found = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            fstype, _, options = right.split(" ", 2)
            if fstype in ("cgroup", "cgroup2"):
                found.append((left.split(" ")[4], fstype, options))
    return found


@lru_cache(maxsize=1)
def pids_base() -> Path | None:
    """The cgroup under which per-command groups can be made here, or None."""
    own = _own_paths()
    for point, fstype, options in _mounts():
        if fstype == "cgroup" and "pids" in options.split(",") and "pids" in own:
            base = Path(point + own["pids"].rstrip("/"))
        elif fstype == "cgroup2" and "" in own:
            base = Path(point + own[""].rstrip("/"))
            try:  # a v2 group may hand pids to children only when that is delegated to it
                if "pids" not in (base / "cgroup.subtree_control").read_text().split():
                    continue
            except OSError:
                continue
        else:
            continue
        if os.access(base, os.W_OK | os.X_OK):
            return base
    return None


class PidsGroup:
    def __init__(self, path: Path, limit: int) -> None:
        self.path, self.limit = path, limit

    @classmethod
    def create(cls, limit: int) -> PidsGroup | None:
        """A new group holding at most ``limit`` processes (threads count), or None."""
        base = pids_base()
        if base is None:
            return None
        path = base / f"workbench-{owner_tag()}-{next(_counter)}"
        try:
            path.mkdir()
        except OSError:
            return None
        try:
            (path / "pids.max").write_text(str(limit))
        except OSError:
            with contextlib.suppress(OSError):
                path.rmdir()
            return None
        return cls(path, limit)

    @property
    def procs_file(self) -> str:
        return str(self.path / "cgroup.procs")

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def hit_limit(self) -> bool:
        """A fork failed because the group was full."""
        try:
            events = (self.path / "pids.events").read_text().split()
        except OSError:
            return False
        return "max" in events and events[events.index("max") + 1] != "0"

    def kill_all(self) -> None:
        kill = self.path / "cgroup.kill"  # v2: atomic, also catches processes mid-fork
        if kill.exists():
            with contextlib.suppress(OSError):
                kill.write_text("1")
        for _ in range(100):  # v1: a forking group may add members between reads
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def remove(self) -> bool:
        """Kill what is left and delete the group; False when it could not be deleted."""
        for _ in range(200):  # killed processes leave the group once the kernel reaps them
            self.kill_all()
            try:
                self.path.rmdir()
                return True
            except FileNotFoundError:
                return True
            except OSError:
                os.sched_yield()
        return False


def reap_groups() -> list[str]:
    """Remove the groups of engines that died without cleaning up."""
    base = pids_base()
    if base is None:
        return []
    done = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(base):
            m = _NAME_RE.match(entry.name)
            dead = m is not None and not owner_alive(int(m[1]), int(m[2]))
            if dead and entry.is_dir() and PidsGroup(Path(entry.path), 0).remove():
                done.append(f"removed process cgroup {entry.name}")
    return done
