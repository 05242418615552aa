"""Where the run store lives and the file modes it keeps (private to the user)."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path


def default_db_path() -> Path:
    """``WORKBENCH_DB`` if set, otherwise ``runs.db`` under the user data dir."""
    env = os.environ.get("WORKBENCH_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("workbench", appauthor=False)) / "runs.db"


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` (and missing parents) as 0700 whatever the umask."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for created in missing:
        with suppress(OSError):  # mkdir's mode is filtered by the umask
            created.chmod(0o700)


def make_private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would use 0644 & ~umask);
    tighten an existing one (0.1.0 created it world-readable). SQLite gives -wal and -shm
    the database file's mode."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # read-only or not ours: SQLite reports what it can't do
    try:
        with suppress(OSError):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def tighten_side_files(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        with suppress(OSError):  # absent (not created yet) or not ours
            Path(f"{path}{suffix}").chmod(0o600)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True
