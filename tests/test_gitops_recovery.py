"""Interrupted runs: worktree set-up that can be repeated, snapshots, commit adoption, removal."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest

from agents.patching import apply_patch
from tests.test_gitops import FIX, make_repo, snapshot
from workbench.gitops import (
    BASE_REF_PREFIX,
    SNAP_REF_PREFIX,
    GitError,
    RunWorktree,
    commit_worktree,
    create_worktree,
    ensure_worktree,
    find_run_commit,
    remove_run,
    reset_worktree,
    restore_worktree,
    snapshot_worktree,
    worktree_diff,
)

SIG = pygit2.Signature("Tester", "tester@example.com")
FILES = {"app.py": "def add(a, b):\n    return a - b\n", "README.md": "demo\n",
         ".gitignore": "*.log\n", "pkg/util.py": "X = 1\n"}


@pytest.fixture
def repo(tmp_path: Path) -> pygit2.Repository:
    return make_repo(tmp_path / "repo", FILES)


@pytest.fixture
def wts(tmp_path: Path) -> Path:
    return tmp_path / "wts"


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def head_sha(repo: pygit2.Repository) -> str:
    return str(repo.head.target)


# Each builder leaves what a run killed at some point of its set-up would leave behind.
def _nothing(repo: pygit2.Repository, wts: Path) -> None:
    pass


def _branch_only(repo: pygit2.Repository, wts: Path) -> None:
    repo.branches.local.create("workbench/r1", repo.head.peel(pygit2.Commit))


def _base_ref_only(repo: pygit2.Repository, wts: Path) -> None:
    repo.references.create(BASE_REF_PREFIX + "r1", repo.head.target)


def _branch_and_base(repo: pygit2.Repository, wts: Path) -> None:
    _branch_only(repo, wts)
    _base_ref_only(repo, wts)


def _everything(repo: pygit2.Repository, wts: Path) -> None:
    create_worktree(Path(repo.workdir), "r1", wts)


def _dir_deleted(repo: pygit2.Repository, wts: Path) -> None:
    create_worktree(Path(repo.workdir), "r1", wts)
    shutil.rmtree(wts / "r1")


def _empty_dir_left(repo: pygit2.Repository, wts: Path) -> None:
    _branch_and_base(repo, wts)
    (wts / "r1").mkdir(parents=True)


def _half_registered(repo: pygit2.Repository, wts: Path) -> None:
    _branch_and_base(repo, wts)
    (Path(repo.path) / "worktrees" / "r1").mkdir(parents=True)


def _checkout_cut_short(repo: pygit2.Repository, wts: Path) -> None:
    create_worktree(Path(repo.workdir), "r1", wts)
    for item in (wts / "r1").iterdir():
        if item.name != ".git":
            shutil.rmtree(item) if item.is_dir() else item.unlink()
    (Path(repo.path) / "worktrees" / "r1" / "index").unlink()


def _branch_deleted(repo: pygit2.Repository, wts: Path) -> None:
    create_worktree(Path(repo.workdir), "r1", wts)
    repo.references.delete("refs/heads/workbench/r1")
    repo.references.delete(BASE_REF_PREFIX + "r1")


LEFTOVERS = [_nothing, _branch_only, _base_ref_only, _branch_and_base, _everything, _dir_deleted,
             _empty_dir_left, _half_registered, _checkout_cut_short, _branch_deleted]


@pytest.mark.parametrize("leave", LEFTOVERS, ids=lambda f: f.__name__.strip("_"))
def test_ensure_worktree_completes_an_interrupted_setup_and_can_repeat(
    repo: pygit2.Repository, wts: Path, leave: Callable[[pygit2.Repository, Path], None]
) -> None:
    before = snapshot(repo)
    base = head_sha(repo)
    leave(repo, wts)
    wt = ensure_worktree(Path(repo.workdir), "r1", wts)
    assert wt.base_commit == base and wt.branch == "workbench/r1"
    assert wt.path == (wts / "r1").resolve()
    assert files_of(wt.path) == {k: v.encode() for k, v in FILES.items()}
    assert worktree_diff(wt) == ""
    assert str(repo.branches.local["workbench/r1"].target) == base
    assert str(repo.references[BASE_REF_PREFIX + "r1"].target) == base
    assert repo.list_worktrees() == ["r1"]
    assert ensure_worktree(Path(repo.workdir), "r1", wts) == wt
    assert snapshot(repo) == before


def test_ensure_worktree_adopts_a_committed_run_whose_worktree_is_gone(
    repo: pygit2.Repository, wts: Path
) -> None:
    wt = create_worktree(Path(repo.workdir), "r1", wts)
    apply_patch(wt.path, FIX)
    sha = commit_worktree(wt, "Fix add\n\nWorkbench run r1\n")
    shutil.rmtree(wt.path)
    again = ensure_worktree(Path(repo.workdir), "r1", wts)
    assert again == wt
    assert "a + b" in (again.path / "app.py").read_text()
    assert find_run_commit(again) == sha


def test_ensure_worktree_keeps_the_run_base_when_the_user_committed_meanwhile(
    repo: pygit2.Repository, wts: Path
) -> None:
    original = head_sha(repo)
    _branch_only(repo, wts)  # killed before the base ref was written
    (Path(repo.workdir) / "README.md").write_text("changed by the user\n")
    repo.index.add_all()
    repo.index.write()
    repo.create_commit("HEAD", SIG, SIG, "user work", repo.index.write_tree(), [repo.head.target])
    wt = ensure_worktree(Path(repo.workdir), "r1", wts)
    assert wt.base_commit == original
    assert (wt.path / "README.md").read_text() == "demo\n"


def test_ensure_worktree_refuses_a_branch_with_its_own_commits_and_no_base(
    repo: pygit2.Repository, wts: Path
) -> None:
    wt = create_worktree(Path(repo.workdir), "r1", wts)
    apply_patch(wt.path, FIX)
    commit_worktree(wt, "Fix\n\nWorkbench run r1\n")
    repo.references.delete(BASE_REF_PREFIX + "r1")
    with pytest.raises(GitError, match="has commits of its own"):
        ensure_worktree(Path(repo.workdir), "r1", wts)


def test_ensure_worktree_leaves_a_foreign_directory_alone(
    repo: pygit2.Repository, wts: Path
) -> None:
    (wts / "r1").mkdir(parents=True)
    (wts / "r1" / "mine.txt").write_text("keep me\n")
    with pytest.raises(GitError, match="already exists"):
        ensure_worktree(Path(repo.workdir), "r1", wts)
    assert (wts / "r1" / "mine.txt").read_text() == "keep me\n"


def edit(wt: RunWorktree) -> None:
    """A turn's worth of work: a change, a deletion, new files and an ignored file."""
    apply_patch(wt.path, FIX)
    (wt.path / "README.md").unlink()
    (wt.path / "notes").mkdir()
    (wt.path / "notes" / "plan.txt").write_text("plan\n")
    (wt.path / "build.log").write_text("ignored output\n")


def scribble(wt: RunWorktree) -> None:
    """A later turn that never completed."""
    (wt.path / "app.py").unlink()
    (wt.path / "README.md").write_text("back again\n")
    (wt.path / "pkg" / "util.py").write_text("X = 2\n")
    (wt.path / "pkg" / "extra.py").write_text("Y = 3\n")
    (wt.path / "notes" / "plan.txt").write_text("rewritten\n")
    (wt.path / "build.log").write_text("newer ignored output\n")


def test_snapshot_records_the_worktree_without_touching_it_and_restore_brings_it_back(
    repo: pygit2.Repository, wts: Path
) -> None:
    wt = create_worktree(Path(repo.workdir), "r1", wts)
    wt_repo = pygit2.Repository(str(wt.path))
    edit(wt)
    diff, files, status = worktree_diff(wt), files_of(wt.path), wt_repo.status()
    sha = snapshot_worktree(wt)
    assert (worktree_diff(wt), files_of(wt.path), wt_repo.status()) == (diff, files, status)
    assert str(repo.branches.local["workbench/r1"].target) == wt.base_commit
    assert pygit2.Repository(str(wt.path)).head.name == "refs/heads/workbench/r1"
    snap = repo[sha].peel(pygit2.Commit)
    assert [str(p) for p in snap.parent_ids] == [wt.base_commit]
    assert "README.md" not in snap.tree and "notes/plan.txt" in snap.tree
    assert "build.log" not in snap.tree
    assert str(repo.references[SNAP_REF_PREFIX + "r1"].target) == sha

    scribble(wt)
    restore_worktree(wt, sha)
    assert worktree_diff(wt) == diff
    expected = dict(files, **{"build.log": b"newer ignored output\n"})  # ignored: left alone
    assert files_of(wt.path) == expected
    assert pygit2.Repository(str(wt.path)).status() == status
    assert str(pygit2.Repository(str(wt.path)).head.target) == wt.base_commit


def test_snapshots_chain_and_an_unchanged_worktree_reuses_the_last_one(
    repo: pygit2.Repository, wts: Path
) -> None:
    wt = create_worktree(Path(repo.workdir), "r1", wts)
    edit(wt)
    first = snapshot_worktree(wt)
    assert snapshot_worktree(wt) == first
    (wt.path / "notes" / "plan.txt").write_text("plan, revised\n")
    second = snapshot_worktree(wt)
    assert [str(p) for p in repo[second].peel(pygit2.Commit).parent_ids] == [first]
    restore_worktree(wt, first)
    assert (wt.path / "notes" / "plan.txt").read_text() == "plan\n"
    restore_worktree(wt, second)
    assert (wt.path / "notes" / "plan.txt").read_text() == "plan, revised\n"


def test_a_resumed_run_gets_its_last_turn_back_in_a_recreated_worktree(
    repo: pygit2.Repository, wts: Path
) -> None:
    wt = ensure_worktree(Path(repo.workdir), "r1", wts)
    edit(wt)
    diff, sha = worktree_diff(wt), snapshot_worktree(wt)
    shutil.rmtree(wt.path)  # the machine went down with the worktree
    again = ensure_worktree(Path(repo.workdir), "r1", wts)
    restore_worktree(again, sha)
    assert worktree_diff(again) == diff


def test_restore_keeps_head_on_a_committed_branch_tip(repo: pygit2.Repository, wts: Path) -> None:
    wt = create_worktree(Path(repo.workdir), "r1", wts)
    apply_patch(wt.path, FIX)
    tip = commit_worktree(wt, "Fix\n\nWorkbench run r1\n")
    (wt.path / "notes.txt").write_text("after the commit\n")
    diff, sha = worktree_diff(wt), snapshot_worktree(wt)
    (wt.path / "notes.txt").unlink()
    restore_worktree(wt, sha)
    assert worktree_diff(wt) == diff
    assert str(pygit2.Repository(str(wt.path)).head.target) == tip


def test_restore_to_the_base_commit_equals_reset(repo: pygit2.Repository, wts: Path) -> None:
    one = create_worktree(Path(repo.workdir), "one", wts)
    two = create_worktree(Path(repo.workdir), "two", wts)
    for wt in (one, two):
        edit(wt)
    restore_worktree(one, one.base_commit)
    reset_worktree(two)
    states = []
    for wt in (one, two):
        wt_repo = pygit2.Repository(str(wt.path))
        states.append((files_of(wt.path), wt_repo.status(), str(wt_repo.head.target),
                       worktree_diff(wt)))
    assert states[0] == states[1]
    assert states[0][0]["build.log"] == b"ignored output\n" and states[0][3] == ""


def test_find_run_commit_adopts_only_this_runs_commit(repo: pygit2.Repository, wts: Path) -> None:
    wt = create_worktree(Path(repo.workdir), "r1", wts)
    assert find_run_commit(wt) is None
    apply_patch(wt.path, FIX)
    sha = commit_worktree(wt, "Fix add\n\nWorkbench run r1\n")
    assert find_run_commit(wt) == sha
    (wt.path / "more.txt").write_text("more\n")
    commit_worktree(wt, "Another\n\nWorkbench run r1\n")  # its parent is not the base
    assert find_run_commit(wt) is None

    other = create_worktree(Path(repo.workdir), "r", wts)
    apply_patch(other.path, FIX)
    commit_worktree(other, "Fix add\n\nWorkbench run r1\n")  # names another run
    assert find_run_commit(other) is None


def test_remove_run_removes_worktree_branch_and_refs_and_can_repeat(
    repo: pygit2.Repository, wts: Path
) -> None:
    before = snapshot(repo)
    wt = create_worktree(Path(repo.workdir), "r1", wts)
    edit(wt)
    snapshot_worktree(wt)
    commit_worktree(wt, "Fix\n\nWorkbench run r1\n")
    listed = remove_run(Path(repo.workdir), "r1", wts, dry_run=True)
    assert wt.path.exists() and "workbench/r1" in repo.branches.local
    removed = remove_run(Path(repo.workdir), "r1", wts)
    assert removed == listed == [f"worktree {wts / 'r1'}", "branch workbench/r1",
                                 f"ref {BASE_REF_PREFIX}r1", f"ref {SNAP_REF_PREFIX}r1"]
    assert not wt.path.exists() and repo.list_worktrees() == []
    assert "workbench/r1" not in repo.branches.local
    assert not [r for r in repo.references if r.startswith("refs/workbench/")]
    assert remove_run(Path(repo.workdir), "r1", wts) == []
    assert snapshot(repo) == before


def test_remove_run_refuses_when_the_user_is_on_the_run_branch(
    repo: pygit2.Repository, wts: Path
) -> None:
    _branch_and_base(repo, wts)
    repo.set_head("refs/heads/workbench/r1")
    with pytest.raises(GitError, match="checked out"):
        remove_run(Path(repo.workdir), "r1", wts)
    assert "workbench/r1" in repo.branches.local


def test_remove_run_leaves_a_directory_that_is_not_a_worktree(
    repo: pygit2.Repository, wts: Path
) -> None:
    (wts / "r1").mkdir(parents=True)
    (wts / "r1" / "mine.txt").write_text("keep me\n")
    with pytest.raises(GitError, match="not a worktree"):
        remove_run(Path(repo.workdir), "r1", wts)
    assert (wts / "r1" / "mine.txt").exists()
