"""Bringing an approved run's commit onto the branch the user has checked out.

The merge is computed in memory first, so a conflict or a dirty tree is refused before a single
file of the user's checkout is touched. A fast-forward when the branch has not moved since the
run started, otherwise a cherry-pick of the run's commit (its author and message kept).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import CheckoutStrategy, FileStatus

from workbench.gitops import GitError

_CLEAN_ENOUGH = FileStatus.WT_NEW | FileStatus.IGNORED  # untracked files are the user's own


@dataclass(frozen=True)
class ApplyPlan:
    repo: Path
    branch: str
    """The user's checked-out branch (short name)."""
    head: str
    commit: str
    """The run's commit."""
    mode: str
    """"fast-forward" or "cherry-pick"."""
    files: tuple[str, ...]
    tree: str
    """The tree the branch will have."""

    def describe(self) -> str:
        return (f"{self.mode} {self.commit[:10]} onto {self.branch} ({self.head[:10]}) in "
                f"{self.repo}: {len(self.files)} file(s): {', '.join(self.files)[:300]}")


def _open(repo_path: Path) -> pygit2.Repository:
    try:
        return pygit2.Repository(str(repo_path))
    except (pygit2.GitError, KeyError) as exc:
        raise GitError(f"not a git repository: {repo_path} ({exc})") from None


def _changed_files(commit: pygit2.Commit) -> tuple[str, ...]:
    diff = commit.parents[0].tree.diff_to_tree(commit.tree)
    return tuple(sorted({d.new_file.path for d in diff.deltas}
                        | {d.old_file.path for d in diff.deltas}))


def plan_apply(repo_path: Path, run_branch: str) -> ApplyPlan:
    """What applying ``run_branch``'s commit would do, or a :class:`GitError` saying why it
    cannot be done (detached HEAD, a dirty tree, an untracked file in the way, a conflict)."""
    repo = _open(repo_path)
    ref = repo.references.get(f"refs/heads/{run_branch}")
    if ref is None:
        raise GitError(f"the run's branch {run_branch} is gone (pruned?)")
    commit = ref.peel(pygit2.Commit)
    if repo.head_is_detached or repo.head_is_unborn:
        raise GitError("HEAD is not on a branch: check out the branch to bring the change to")
    branch = repo.head.shorthand
    if branch == run_branch:
        raise GitError(f"{run_branch} is checked out: check out the branch to bring it to")
    dirty = sorted(p for p, st in repo.status().items() if st & ~_CLEAN_ENOUGH)
    if dirty:
        raise GitError(f"the working tree has uncommitted changes ({', '.join(dirty)[:200]}): "
                       "commit or stash them first")
    head = repo.head.peel(pygit2.Commit)
    if not commit.parents:
        raise GitError("the run's commit has no parent to cherry-pick from")
    files = _changed_files(commit)
    root = Path(repo.workdir)
    tracked = {entry.path for entry in repo.index}
    in_the_way = [f for f in files if f not in tracked and os.path.lexists(root / f)]
    if in_the_way:
        raise GitError(f"untracked files would be overwritten: {', '.join(in_the_way)[:200]}")
    if head.id == commit.id or repo.descendant_of(head.id, commit.id):
        raise GitError(f"{branch} already contains {commit.short_id}")
    if commit.parents[0].id == head.id or repo.descendant_of(commit.id, head.id):
        return ApplyPlan(root, branch, str(head.id), str(commit.id), "fast-forward", files,
                         str(commit.tree_id))
    merged = repo.merge_trees(commit.parents[0].tree, head.tree, commit.tree)
    if merged.conflicts is not None:
        # each conflict is (ancestor, ours, theirs) index entries, any of them None
        paths = sorted({next(e.path for e in entries if e is not None)
                        for entries in merged.conflicts})
        raise GitError(f"the change conflicts with {branch} in {', '.join(paths)[:200]}: "
                       f"merge {run_branch} by hand")
    tree = merged.write_tree(repo)
    return ApplyPlan(root, branch, str(head.id), str(commit.id), "cherry-pick", files, str(tree))


def apply_plan(plan: ApplyPlan) -> str:
    """Carry out ``plan`` (made by :func:`plan_apply` just before); returns the new HEAD."""
    repo = _open(plan.repo)
    head = repo.head.peel(pygit2.Commit)
    if str(head.id) != plan.head:
        raise GitError(f"{plan.branch} moved since the plan was made: apply again")
    commit = repo[pygit2.Oid(hex=plan.commit)]
    assert isinstance(commit, pygit2.Commit)
    tree = repo[pygit2.Oid(hex=plan.tree)]
    if plan.mode == "fast-forward":
        target = commit.id
    else:
        committer = repo.default_signature if _has_identity(repo) else commit.committer
        target = repo.create_commit(None, commit.author, committer, commit.message,
                                    tree.id, [head.id])
    repo.checkout_tree(tree, strategy=CheckoutStrategy.SAFE)  # refuses to clobber edits
    repo.references[f"refs/heads/{plan.branch}"].set_target(
        target, f"workbench apply: {plan.mode} {commit.short_id}")
    return str(target)


def _has_identity(repo: pygit2.Repository) -> bool:
    try:
        repo.default_signature  # noqa: B018 - raises when user.name/email are not set
    except (KeyError, pygit2.GitError):
        return False
    return True
