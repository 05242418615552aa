"""Run worktrees and run branches, through pygit2 only.

Agents never write the user's checkout: each run gets branch ``workbench/<run_id>`` and a git
worktree on it. The base commit is kept in ``refs/workbench/base/<run_id>`` so a resumed run
knows what to diff against (and the commit cannot be garbage-collected meanwhile).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import DiffOption, FileStatus, ResetMode

BRANCH_PREFIX = "workbench/"
BASE_REF_PREFIX = "refs/workbench/base/"
_RUN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class GitError(RuntimeError):
    """A git operation failed; the message is one line meant for the user."""


@dataclass
class RunWorktree:
    repo_path: Path
    path: Path
    branch: str
    base_commit: str

    @property
    def run_id(self) -> str:
        return self.branch.removeprefix(BRANCH_PREFIX)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_repo(path: Path | str) -> pygit2.Repository:
    """Open the repository containing ``path`` (a checkout or any folder inside one)."""
    if not Path(path).exists():
        raise GitError(f"no such directory: {path}")
    try:
        return pygit2.Repository(str(path))
    except (pygit2.GitError, KeyError, ValueError):
        raise GitError(f"not a git repository: {path}") from None


def _head_commit(repo: pygit2.Repository, base: str) -> pygit2.Commit:
    if base == "HEAD" and repo.head_is_unborn:
        raise GitError("repository has no commits")
    try:
        obj = repo.revparse_single(base)
        commit = obj.peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise GitError(f"unknown revision: {base}") from None
    assert isinstance(commit, pygit2.Commit)
    return commit


def _check_run_id(run_id: str) -> None:
    if not _RUN_ID_RE.match(run_id) or ".." in run_id or run_id.endswith((".lock", ".")):
        raise GitError(f"invalid run id (use letters, digits, '-', '_', '.'): {run_id!r}")


def _repo_root(repo: pygit2.Repository) -> Path:
    return Path(os.path.realpath(repo.workdir or repo.path))


def default_worktrees_dir(repo_path: Path) -> Path:
    """Where run worktrees go by default: inside the repository's git directory, so they never
    show up in the user's ``git status``."""
    return Path(open_repo(repo_path).path) / "workbench-worktrees"


def _prune_stale(repo: pygit2.Repository, name: str) -> None:
    if name in repo.list_worktrees():
        wt = repo.lookup_worktree(name)
        if not Path(wt.path).exists():
            wt.prune(True)
        else:
            raise GitError(f"a worktree named {name} already exists at {wt.path}")


def create_worktree(
    repo_path: Path, run_id: str, worktrees_dir: Path, base: str = "HEAD"
) -> RunWorktree:
    """Create branch ``workbench/<run_id>`` at ``base`` and a worktree on it under
    ``worktrees_dir/<run_id>``. The user's checkout, index and HEAD are not touched."""
    _check_run_id(run_id)
    repo = open_repo(repo_path)
    commit = _head_commit(repo, base)
    branch = BRANCH_PREFIX + run_id
    if repo.branches.local.get(branch) is not None:
        raise GitError(f"branch already exists: {branch}")
    path = Path(worktrees_dir) / run_id
    if path.exists():
        raise GitError(f"worktree path already exists: {path}")
    _prune_stale(repo, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    ref = repo.branches.local.create(branch, commit)
    repo.references.create(BASE_REF_PREFIX + run_id, commit.id, force=True)
    try:
        repo.add_worktree(run_id, str(path), ref)
    except (pygit2.GitError, OSError) as exc:
        ref.delete()
        raise GitError(f"could not create worktree at {path}: {_first_line(exc)}") from None
    return RunWorktree(_repo_root(repo), Path(os.path.realpath(path)), branch, str(commit.id))


def open_worktree(
    repo_path: Path, run_id: str, worktrees_dir: Path, base_commit: str | None = None
) -> RunWorktree:
    """Reopen a run's worktree (to resume a run), recreating it from the run branch if the
    directory is gone."""
    _check_run_id(run_id)
    repo = open_repo(repo_path)
    branch = BRANCH_PREFIX + run_id
    ref = repo.branches.local.get(branch)
    if ref is None:
        raise GitError(f"no run branch: {branch}")
    if base_commit is None:
        base_ref = repo.references.get(BASE_REF_PREFIX + run_id)
        if base_ref is None:
            raise GitError(f"base commit of run {run_id} is unknown")
        base_commit = str(base_ref.target)
    path = Path(worktrees_dir) / run_id
    if not path.exists():
        if run_id in repo.list_worktrees():
            repo.lookup_worktree(run_id).prune(True)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            repo.add_worktree(run_id, str(path), ref)
        except (pygit2.GitError, OSError) as exc:
            raise GitError(f"could not recreate worktree at {path}: {_first_line(exc)}") from None
    return RunWorktree(_repo_root(repo), Path(os.path.realpath(path)), branch, base_commit)


def _wt_repo(wt: RunWorktree) -> pygit2.Repository:
    repo = open_repo(wt.path)
    if repo.workdir is None or Path(os.path.realpath(repo.workdir)) != Path(
        os.path.realpath(wt.path)
    ):
        raise GitError(f"not a run worktree: {wt.path}")
    return repo


def worktree_diff(wt: RunWorktree) -> str:
    """Unified diff (a/ b/ prefixes) of the worktree files against the run's base commit,
    including new untracked files and leaving out ignored ones."""
    repo = _wt_repo(wt)
    flags = (DiffOption.INCLUDE_UNTRACKED | DiffOption.RECURSE_UNTRACKED_DIRS
             | DiffOption.SHOW_UNTRACKED_CONTENT)
    try:
        diff = repo.diff(wt.base_commit, None, flags=flags)
    except (KeyError, ValueError, pygit2.GitError) as exc:
        raise GitError(f"cannot diff against {wt.base_commit}: {_first_line(exc)}") from None
    return diff.patch or ""


def _remove_untracked(repo: pygit2.Repository, root: Path) -> None:
    for rel, flags in repo.status(untracked_files="all").items():
        if flags & FileStatus.WT_NEW:
            target = root / rel
            if target.is_symlink() or target.is_file():
                target.unlink()
            parent = target.parent
            while parent != root and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent


def reset_worktree(wt: RunWorktree) -> None:
    """Put the worktree and its branch back at the base commit, deleting untracked files
    (ignored files such as build output are kept)."""
    repo = _wt_repo(wt)
    try:
        repo.reset(pygit2.Oid(hex=wt.base_commit), ResetMode.HARD)
    except (KeyError, ValueError, pygit2.GitError) as exc:
        raise GitError(f"cannot reset to {wt.base_commit}: {_first_line(exc)}") from None
    _remove_untracked(repo, Path(os.path.realpath(wt.path)))


def commit_worktree(
    wt: RunWorktree,
    message: str,
    author_name: str = "Workbench",
    author_email: str = "workbench@localhost",
) -> str:
    """Stage everything in the worktree (new, changed and deleted files) and commit it on the
    run branch. Returns the commit sha."""
    repo = _wt_repo(wt)
    index = repo.index
    deleted = [p for p, st in repo.status().items() if st & FileStatus.WT_DELETED]
    index.add_all()
    for rel in deleted:  # older libgit2 add_all leaves deleted files in the index
        if rel in index:
            index.remove(rel)
    index.write()
    tree = index.write_tree()
    parent = repo.head.peel(pygit2.Commit)
    if tree == parent.tree_id:
        raise GitError("nothing to commit")
    sig = pygit2.Signature(author_name, author_email)
    oid = repo.create_commit("HEAD", sig, sig, message, tree, [parent.id])
    return str(oid)


def remove_worktree(wt: RunWorktree) -> None:
    """Delete the worktree directory and its registration; the run branch is kept."""
    repo = open_repo(wt.repo_path)
    name = wt.path.name
    if name not in repo.list_worktrees():
        raise GitError(f"not a registered worktree: {wt.path}")
    registered = repo.lookup_worktree(name)
    if Path(os.path.realpath(registered.path)) != Path(os.path.realpath(wt.path)):
        raise GitError(f"worktree {name} is registered at another path: {registered.path}")
    shutil.rmtree(wt.path, ignore_errors=True)
    registered.prune(True)


def read_branch_file(repo_path: Path, branch: str, path: str) -> str | None:
    """Text of ``path`` at the tip of ``branch``, or None when the file is not there."""
    tree = _branch_tree(repo_path, branch)
    try:
        obj = tree[path]
    except KeyError:
        return None
    return obj.data.decode("utf-8", "replace") if isinstance(obj, pygit2.Blob) else None


def branch_files(repo_path: Path, branch: str) -> dict[str, str]:
    """Every file at the tip of ``branch`` as path -> text (for checks and tests)."""
    out: dict[str, str] = {}

    def walk(tree: pygit2.Tree, prefix: str) -> None:
        for entry in tree:
            if isinstance(entry, pygit2.Tree):
                walk(entry, f"{prefix}{entry.name}/")
            elif isinstance(entry, pygit2.Blob):
                out[f"{prefix}{entry.name}"] = entry.data.decode("utf-8", "replace")

    walk(_branch_tree(repo_path, branch), "")
    return out


def _branch_tree(repo_path: Path, branch: str) -> pygit2.Tree:
    repo = open_repo(repo_path)
    ref = repo.branches.local.get(branch)
    if ref is None:
        raise GitError(f"no such branch: {branch}")
    return ref.peel(pygit2.Commit).tree
