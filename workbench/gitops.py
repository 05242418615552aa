"""Run worktrees and run branches, through pygit2 only.

Agents never write the user's checkout: each run gets branch ``workbench/<run_id>`` and a git
worktree on it. The base commit is kept in ``refs/workbench/base/<run_id>`` so a resumed run
knows what to diff against (and the commit cannot be garbage-collected meanwhile). Snapshots of
the worktree files after each agent turn are commits chained under ``refs/workbench/snap/<run_id>``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import CheckoutStrategy, DiffOption, FileStatus, ResetMode

BRANCH_PREFIX = "workbench/"
BASE_REF_PREFIX = "refs/workbench/base/"
SNAP_REF_PREFIX = "refs/workbench/snap/"
_SIG = ("Workbench", "workbench@localhost")
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


def _adopt_base(
    repo: pygit2.Repository, run_id: str, branch: pygit2.Branch | None, base: str
) -> pygit2.Oid:
    """The run's base commit: its base ref; else, when an interrupted attempt made only the
    branch, the branch tip, provided the branch has no commits of its own; else ``base``."""
    base_ref = repo.references.get(BASE_REF_PREFIX + run_id)
    if base_ref is not None:
        return _commit_of(repo, str(base_ref.target)).id
    wanted = _head_commit(repo, base).id
    if branch is None:
        return wanted
    tip = branch.peel(pygit2.Commit).id
    if tip != wanted and not repo.descendant_of(wanted, tip):
        raise GitError(f"run branch {branch.shorthand} has commits of its own "
                       f"but its base commit is unknown")
    return tip


def _clear_leftover(path: Path) -> None:
    """Remove a worktree directory an interrupted attempt left unregistered, if it holds
    nothing but (at most) a ``.git`` link; anything else is not ours to delete."""
    entries = list(path.iterdir()) if path.is_dir() else None
    if entries is None or any(e.name != ".git" or not e.is_file() for e in entries):
        raise GitError(f"worktree path already exists: {path}")
    shutil.rmtree(path)


def _attach_worktree(
    repo: pygit2.Repository, run_id: str, path: Path, branch: pygit2.Branch
) -> None:
    """Make ``path`` a worktree on ``branch``, completing or replacing what is left of one."""
    admin = Path(repo.path) / "worktrees" / run_id
    try:
        registered = repo.lookup_worktree(run_id) if run_id in repo.list_worktrees() else None
    except pygit2.GitError:  # a registration written for another location of the repo
        registered = None
    if registered is not None:
        where = Path(os.path.realpath(registered.path))
        if where == Path(os.path.realpath(path)) and (path / ".git").is_file():
            wt_repo = open_repo(path)
            if wt_repo.lookup_reference("HEAD").target != branch.name:
                raise GitError(f"worktree {path} is not on its run branch {branch.shorthand}")
            if not (admin / "index").exists():  # add_worktree stopped before its checkout
                wt_repo.checkout_head(  # type: ignore[no-untyped-call]
                    strategy=CheckoutStrategy.FORCE)
            return
        if where != Path(os.path.realpath(path)) and where.exists():
            raise GitError(f"worktree {run_id} is registered at another path: {where}")
        # A registration made by a copy of the repo elsewhere cannot prune: dropped below.
        with contextlib.suppress(pygit2.GitError):
            registered.prune(True)
    if admin.exists():  # add_worktree stopped early, or the repo was moved since
        shutil.rmtree(admin)
    if path.exists() or path.is_symlink():
        _clear_leftover(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        repo.add_worktree(run_id, str(path), branch)
    except (pygit2.GitError, OSError) as exc:
        raise GitError(f"could not create worktree at {path}: {_first_line(exc)}") from None


def ensure_worktree(
    repo_path: Path, run_id: str, worktrees_dir: Path, base: str = "HEAD"
) -> RunWorktree:
    """:func:`create_worktree`, safe to repeat: whatever an interrupted earlier attempt of the
    same run left (branch, base ref, worktree, in any combination) is adopted and completed,
    and a second call returns the same worktree. The user's checkout, index and HEAD are not
    touched."""
    _check_run_id(run_id)
    repo = open_repo(repo_path)
    name = BRANCH_PREFIX + run_id
    branch = repo.branches.local.get(name)
    base_oid = _adopt_base(repo, run_id, branch, base)
    if repo.references.get(BASE_REF_PREFIX + run_id) is None:
        repo.references.create(BASE_REF_PREFIX + run_id, base_oid)
    if branch is None:
        branch = repo.branches.local.create(name, _commit_of(repo, str(base_oid)))
    path = Path(worktrees_dir) / run_id
    _attach_worktree(repo, run_id, path, branch)
    return RunWorktree(_repo_root(repo), Path(os.path.realpath(path)), name, str(base_oid))


def _commit_of(repo: pygit2.Repository, sha: str) -> pygit2.Commit:
    try:
        commit = repo.revparse_single(sha).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise GitError(f"unknown commit: {sha}") from None
    assert isinstance(commit, pygit2.Commit)
    return commit


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
    author_name: str = _SIG[0],
    author_email: str = _SIG[1],
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


def clear_stale_locks(wt: RunWorktree) -> list[str]:
    """Remove the lock files a killed engine left on this run's worktree index, HEAD and run
    refs (git refuses to touch a locked file). Only the engine holding the run's lease calls
    this, so no live writer owns them; the repository's shared locks are never touched."""
    repo = open_repo(wt.repo_path)
    common = Path(repo.path)
    admin = common / "worktrees" / wt.path.name
    run = wt.run_id
    candidates = [admin / "index.lock", admin / "HEAD.lock",
                  common / "refs" / "heads" / f"{BRANCH_PREFIX}{run}.lock",
                  common / f"{BASE_REF_PREFIX}{run}.lock", common / f"{SNAP_REF_PREFIX}{run}.lock"]
    removed = []
    for lock in candidates:
        if lock.is_file():
            lock.unlink()
            removed.append(str(lock))
    return removed


def snapshot_worktree(wt: RunWorktree) -> str:
    """Record the worktree files (tracked and untracked, not ignored; deletions included) as a
    commit chained on the run's previous snapshot (or its base commit) under
    ``refs/workbench/snap/<run_id>``; return its sha. The branch, HEAD, files and the index
    file are left as they were. An unchanged worktree gives the previous snapshot back."""
    repo = _wt_repo(wt)
    index = repo.index
    deleted = [p for p, st in repo.status().items() if st & FileStatus.WT_DELETED]
    try:
        index.add_all()  # in memory only: re-read from disk below, never written
        for rel in deleted:
            if rel in index:
                index.remove(rel)
        tree = index.write_tree()
    finally:
        index.read(True)
    ref_name = SNAP_REF_PREFIX + wt.run_id
    previous = repo.references.get(ref_name)
    parent = _commit_of(repo, str(previous.target) if previous else wt.base_commit)
    if previous is not None and parent.tree_id == tree:
        return str(parent.id)
    sig = pygit2.Signature(*_SIG)
    oid = repo.create_commit(None, sig, sig, f"Workbench snapshot of run {wt.run_id}\n",
                             tree, [parent.id])
    repo.references.create(ref_name, oid, force=True)
    return str(oid)


def restore_worktree(wt: RunWorktree, snapshot_sha: str) -> None:
    """Make the worktree files equal to a snapshot (or to any commit, such as the base):
    changed, new and deleted files alike; ignored files are kept. HEAD stays at the branch
    tip and the index matches it, so :func:`worktree_diff` reads as when the snapshot was
    taken."""
    repo = _wt_repo(wt)
    tree = _commit_of(repo, snapshot_sha).tree
    try:
        repo.checkout_tree(  # type: ignore[no-untyped-call]
            tree, strategy=CheckoutStrategy.FORCE | CheckoutStrategy.REMOVE_UNTRACKED)
    except (pygit2.GitError, OSError) as exc:
        raise GitError(f"cannot restore {snapshot_sha[:10]}: {_first_line(exc)}") from None
    index = repo.index
    index.read_tree(repo.head.peel(pygit2.Commit).tree)
    index.write()


def find_run_commit(wt: RunWorktree) -> str | None:
    """The sha of the run branch tip when it is the commit :func:`commit_worktree` made for
    this run (its message names the run, its parent is the base commit), else None."""
    repo = open_repo(wt.repo_path)
    ref = repo.branches.local.get(wt.branch)
    if ref is None:
        return None
    tip = ref.peel(pygit2.Commit)
    marker = f"Workbench run {wt.run_id}"
    named = any(line.strip() == marker for line in tip.message.splitlines())
    if named and [str(p) for p in tip.parent_ids] == [wt.base_commit]:
        return str(tip.id)
    return None


def remove_run(
    repo_path: Path, run_id: str, worktrees_dir: Path, *, dry_run: bool = False
) -> list[str]:
    """Delete what a run left in a repository: its worktree (directory and registration), its
    branch and its base and snapshot refs. Returns what was removed (or, with ``dry_run``,
    would be), one short phrase each; pieces already gone are skipped. Refuses when the
    user's checkout is on the run branch."""
    _check_run_id(run_id)
    repo = open_repo(repo_path)
    branch = BRANCH_PREFIX + run_id
    if not repo.head_is_unborn and repo.head.name == "refs/heads/" + branch:
        raise GitError(f"{repo_path} has {branch} checked out; switch branches first")
    path = Path(worktrees_dir) / run_id
    removed: list[str] = []
    registered = repo.lookup_worktree(run_id) if run_id in repo.list_worktrees() else None
    where = Path(os.path.realpath(registered.path)) if registered else None
    if where is not None and where != Path(os.path.realpath(path)) and where.exists():
        raise GitError(f"worktree {run_id} is registered at another path: {where}")
    if path.exists() and where is None and not (path / ".git").is_file():
        raise GitError(f"not a worktree, left in place: {path}")
    if path.exists() or registered is not None:
        removed.append(f"worktree {path}")
        if not dry_run:
            shutil.rmtree(path, ignore_errors=True)
            if registered is not None:
                registered.prune(True)
    for name in ("refs/heads/" + branch, BASE_REF_PREFIX + run_id, SNAP_REF_PREFIX + run_id):
        if repo.references.get(name) is not None:
            removed.append(f"branch {branch}" if name.startswith("refs/heads/") else f"ref {name}")
            if not dry_run:
                _delete_ref(repo, name)
    return removed


def _delete_ref(repo: pygit2.Repository, name: str) -> None:
    try:
        if name.startswith("refs/heads/"):
            repo.branches.local.delete(name.removeprefix("refs/heads/"))
        else:
            repo.references.delete(name)
    except (pygit2.GitError, KeyError) as exc:
        raise GitError(f"cannot delete {name}: {_first_line(exc)}") from None


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
