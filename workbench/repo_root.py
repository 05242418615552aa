"""The git repository a directory belongs to, found without loading git: the app's start-up
looks for it, and importing pygit2 would cost a good part of a bare Textual app's start."""

from __future__ import annotations

from pathlib import Path


def repo_root(start: Path) -> Path | None:
    """The top level of the working tree holding ``start`` (walking up), or ``None``.

    A ``.git`` directory or file counts (a linked worktree or a submodule has a file)."""
    try:
        here = start.expanduser().resolve()
        if not here.is_dir():  # a mistyped path is not the repository above it
            return None
    except (OSError, RuntimeError):
        return None
    for folder in (here, *here.parents):
        try:
            if (folder / ".git").exists():
                return folder
        except OSError:
            return None
    return None


def current_repo_root() -> Path | None:
    """:func:`repo_root` of the working directory (``None`` if it is gone or unreadable)."""
    try:
        return repo_root(Path.cwd())
    except OSError:
        return None
