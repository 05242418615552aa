"""The bubblewrap jail: what a command can see and write.

Nothing of the host is visible unless bound here: the system directories (read-only), the
Python runtime and the tool directories on PATH (read-only), the run's git metadata
(read-only), and the worktree, the only writable host path. /tmp and HOME are private,
size-capped tmpfs; every namespace is new (no network, so no abstract UNIX sockets either;
a new PID namespace whose processes all die with the command); no capabilities.

Host UNIX sockets (/run, /var/run/docker.sock, /tmp/.X11-unix, sockets in the user's
checkout or HOME) are simply absent: a read-only bind would not be enough, since connecting
to a socket is allowed on a read-only mount.

The user's checkout is not visible, but for the dependencies installed in it (its
``node_modules`` folders, read-only, where the worktree's package.json files expect them).
A run worktree's ``.git`` file points into the main
repository's ``.git/worktrees/NAME``; that git directory is bound read-only (its ``config``,
which may hold credentials in remote URLs, is hidden), so ``git status`` and ``git log`` work
and ``git commit`` fails. The worktree's own ``.git`` file is read-only as well, so a command
cannot re-point the engine at another repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

_SYSTEM = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")
# Secrets a root-run command could otherwise read from the system directories.
_HIDDEN_ETC = ("shadow", "shadow-", "gshadow", "gshadow-", "ssh", "ssl/private", "sudoers",
               "sudoers.d", "docker", "containerd")
TMP_SIZE = 512 << 20


def jail_home() -> str:
    """HOME inside the jail: a tmpfs at the real HOME's path, so tools find ``~`` where they
    expect it and see nothing of what is there."""
    home = os.path.expanduser("~")
    bad = not os.path.isabs(home) or home == "/" or home.split("/")[1] in _SYSTEM + ("tmp",)
    return "/home/sandbox" if bad else os.path.normpath(home)


def _covers(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip("/") + "/")


def _runtime_dirs() -> list[str]:
    """Read-only binds that make the interpreter and PATH tools work inside the jail."""
    home = os.path.normpath(os.path.expanduser("~"))
    wanted = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
              os.path.dirname(os.path.realpath(sys.executable))]
    # installed packages only: a source folder on sys.path may be the user's checkout
    wanted += [p for p in sys.path if os.path.isabs(p) and any(
        key in p for key in ("site-packages", "dist-packages", "lib-dynload", ".zip"))]
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isabs(entry):
            continue  # "" and "." would mean whatever the cwd is
        path = Path(entry)
        wanted.append(entry)
        # a tool's bin/ usually needs its lib/ (node_modules, share); ~/.local keeps other
        # state (keyrings) beside lib/, so only lib/ is taken from a prefix
        if path.name == "bin" and str(path.parent) not in ("/", "/usr", home):
            wanted.append(str(path.parent / "lib"))
    out: list[str] = []
    for raw in sorted({os.path.normpath(p) for p in wanted}, key=len):
        if raw == "/" or _covers(raw, home) or raw.split("/")[1] in _SYSTEM:
            continue  # "/" or an ancestor of HOME would expose everything under it
        if os.path.exists(raw) and not any(_covers(done, raw) for done in out):
            out.append(raw)
    return out


def git_dirs(worktree: Path) -> list[Path]:
    """The git directory a worktree's ``.git`` file points to, and its common directory."""
    marker = worktree / ".git"
    try:
        text = marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return []
    if not text.startswith("gitdir:"):
        return []
    gitdir = (worktree / text[len("gitdir:"):].strip()).resolve()
    dirs = [gitdir]
    try:
        common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
        dirs.insert(0, common)
    except (OSError, UnicodeDecodeError):
        pass
    return [d for d in dirs if d.is_dir()]


def jail_args(worktree: Path, home: str, tmp_size: int = TMP_SIZE,
              shared: Sequence[tuple[Path, Path]] = ()) -> list[str]:
    """bwrap options (everything before the command) for a jail around ``worktree``;
    ``shared``: (host folder, path in the worktree) pairs bound read-only over the worktree
    (the dependencies installed in the user's checkout, :mod:`workbench.worktree_deps`)."""
    args: list[str] = []
    for name in _SYSTEM:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in _HIDDEN_ETC:
        path = Path("/etc") / name
        if path.is_dir() and not path.is_symlink():
            args += ["--tmpfs", str(path)]
        elif path.exists():
            args += ["--ro-bind", "/dev/null", str(path)]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(tmp_size), "--tmpfs", "/tmp", "--size", str(tmp_size), "--tmpfs", home]
    for path_s in _runtime_dirs():
        args += ["--ro-bind", path_s, path_s]
    git = git_dirs(worktree)
    for gitdir in git:
        args += ["--ro-bind", str(gitdir), str(gitdir)]
    if git and (git[0] / "config").is_file():
        args += ["--ro-bind", "/dev/null", str(git[0] / "config")]
    wt = str(worktree)
    args += ["--bind", wt, wt]
    for source, target in shared:
        args += ["--ro-bind", str(source), str(target)]
    if (worktree / ".git").is_file():
        args += ["--ro-bind", str(worktree / ".git"), str(worktree / ".git")]
    args += ["--remount-ro", "/", "--chdir", wt, "--unshare-all", "--die-with-parent",
             "--new-session", "--cap-drop", "ALL", "--hostname", "sandbox"]
    return args


@lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """None when a bwrap jail starts here, else why not (one line). Probed once."""
    if not sys.platform.startswith("linux"):
        return "bubblewrap needs Linux"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bwrap is not installed (apt-get install bubblewrap)"
    with tempfile.TemporaryDirectory(prefix="workbench-probe-") as probe_root:
        cmd = [bwrap, *jail_args(Path(probe_root), jail_home(), 1 << 20), "--",
               sys.executable, "-I", "-S", "-c", "pass"]
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=20)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"bwrap does not start: {exc}"
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
        return f"bwrap does not start here: {lines[-1][:160]}"
    return None


def bwrap_path() -> str:
    found = shutil.which("bwrap")
    if found is None:
        raise FileNotFoundError("bwrap")
    return found
