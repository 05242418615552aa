from pathlib import Path

import pygit2
import pytest

from agents.patching import apply_patch
from workbench.gitops import (
    GitError,
    RunWorktree,
    branch_files,
    commit_worktree,
    create_worktree,
    default_worktrees_dir,
    open_repo,
    open_worktree,
    read_branch_file,
    remove_worktree,
    reset_worktree,
    worktree_diff,
)

SIG = pygit2.Signature("Tester", "tester@example.com")


def make_repo(path: Path, files: dict[str, str]) -> pygit2.Repository:
    repo = pygit2.init_repository(str(path), initial_head="main")
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    repo.index.add_all()
    repo.index.write()
    repo.create_commit("HEAD", SIG, SIG, "initial", repo.index.write_tree(), [])
    return repo


def snapshot(repo: pygit2.Repository) -> tuple[object, ...]:
    """Everything a user would notice about their checkout."""
    root = Path(repo.workdir)
    contents = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and ".git" not in p.relative_to(root).parts}
    index = sorted((e.path, str(e.id)) for e in pygit2.Repository(repo.workdir).index)
    return (repo.head.name, str(repo.head.target), repo.status(), index, contents)


@pytest.fixture
def repo(tmp_path: Path) -> pygit2.Repository:
    return make_repo(tmp_path / "repo", {
        "app.py": "def add(a, b):\n    return a - b\n",
        "README.md": "demo\n",
        ".gitignore": "*.log\n",
    })


FIX = """diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -1,2 +1,2 @@
 def add(a, b):
-    return a - b
+    return a + b
diff --git a/test_app.py b/test_app.py
new file mode 100644
--- /dev/null
+++ b/test_app.py
@@ -0,0 +1,2 @@
+from app import add
+assert add(1, 2) == 3
"""


def test_run_happens_on_its_branch_and_leaves_the_user_checkout_alone(
    repo: pygit2.Repository, tmp_path: Path
) -> None:
    root = Path(repo.workdir)
    (root / "README.md").write_text("user edit in progress\n")
    (root / "notes.txt").write_text("untracked user file\n")
    (root / "staged.txt").write_text("staged\n")
    repo.index.add("staged.txt")
    repo.index.write()
    before = snapshot(repo)

    wt = create_worktree(root, "run1", tmp_path / "wts")
    assert wt.branch == "workbench/run1" and wt.path == (tmp_path / "wts" / "run1").resolve()
    assert (wt.path / "README.md").read_text() == "demo\n"  # committed content, not the edit
    applied = apply_patch(wt.path, FIX)
    assert applied.files == ["app.py", "test_app.py"]
    sha = commit_worktree(wt, "Fix add")

    assert str(repo.branches.local["workbench/run1"].target) == sha
    tip = branch_files(root, "workbench/run1")
    assert tip["app.py"].endswith("return a + b\n")
    assert "test_app.py" in tip and "notes.txt" not in tip
    assert read_branch_file(root, "main", "app.py") == "def add(a, b):\n    return a - b\n"
    assert snapshot(repo) == before


def test_worktree_diff_has_new_files_but_not_ignored_ones(
    repo: pygit2.Repository, tmp_path: Path
) -> None:
    wt = create_worktree(Path(repo.workdir), "run2", tmp_path / "wts")
    apply_patch(wt.path, FIX)
    (wt.path / "debug.log").write_text("ignored\n")
    (wt.path / "README.md").unlink()
    diff = worktree_diff(wt)
    assert "diff --git a/app.py b/app.py" in diff
    assert "+++ b/test_app.py" in diff and "+assert add(1, 2) == 3" in diff
    assert "deleted file mode" in diff and "--- a/README.md" in diff
    assert "debug.log" not in diff


def test_commit_includes_deletions_and_reset_returns_to_base(
    repo: pygit2.Repository, tmp_path: Path
) -> None:
    wt = create_worktree(Path(repo.workdir), "run3", tmp_path / "wts")
    (wt.path / "README.md").unlink()
    commit_worktree(wt, "drop readme")
    assert "README.md" not in branch_files(Path(repo.workdir), wt.branch)

    (wt.path / "new_dir").mkdir()
    (wt.path / "new_dir" / "x.py").write_text("x = 1\n")
    (wt.path / "app.py").write_text("broken\n")
    (wt.path / "keep.log").write_text("ignored build output\n")
    reset_worktree(wt)
    assert (wt.path / "README.md").read_text() == "demo\n"
    assert (wt.path / "app.py").read_text().startswith("def add")
    assert not (wt.path / "new_dir").exists()
    assert (wt.path / "keep.log").exists()
    assert worktree_diff(wt) == ""
    assert str(repo.branches.local[wt.branch].target) == wt.base_commit


def test_nothing_to_commit_is_an_error(repo: pygit2.Repository, tmp_path: Path) -> None:
    wt = create_worktree(Path(repo.workdir), "run4", tmp_path / "wts")
    with pytest.raises(GitError, match="nothing to commit"):
        commit_worktree(wt, "empty")


def test_remove_keeps_branch_and_open_recreates(repo: pygit2.Repository, tmp_path: Path) -> None:
    root = Path(repo.workdir)
    wt = create_worktree(root, "run5", tmp_path / "wts")
    apply_patch(wt.path, FIX)
    sha = commit_worktree(wt, "fix")
    remove_worktree(wt)
    assert not wt.path.exists()
    assert "run5" not in repo.list_worktrees()
    assert str(repo.branches.local["workbench/run5"].target) == sha

    again = open_worktree(root, "run5", tmp_path / "wts")
    assert again == RunWorktree(wt.repo_path, wt.path, wt.branch, wt.base_commit)
    assert (again.path / "app.py").read_text().endswith("return a + b\n")
    assert "+    return a + b" in worktree_diff(again)
    # Reopening an existing worktree changes nothing.
    assert open_worktree(root, "run5", tmp_path / "wts") == again


def test_default_worktrees_dir_is_invisible_to_status(repo: pygit2.Repository) -> None:
    root = Path(repo.workdir)
    before = repo.status()
    wt = create_worktree(root, "run6", default_worktrees_dir(root))
    apply_patch(wt.path, FIX)
    assert repo.status() == before


def test_clear_errors(tmp_path: Path, repo: pygit2.Repository) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="^not a git repository: "):
        open_repo(plain)
    empty = tmp_path / "empty"
    pygit2.init_repository(str(empty))
    with pytest.raises(GitError, match="^repository has no commits$"):
        create_worktree(empty, "r", tmp_path / "wts")
    root = Path(repo.workdir)
    with pytest.raises(GitError, match="invalid run id"):
        create_worktree(root, "a/b", tmp_path / "wts")
    with pytest.raises(GitError, match="unknown revision: nope"):
        create_worktree(root, "r", tmp_path / "wts", base="nope")
    create_worktree(root, "dup", tmp_path / "wts")
    with pytest.raises(GitError, match="branch already exists: workbench/dup"):
        create_worktree(root, "dup", tmp_path / "other")
    with pytest.raises(GitError, match="no run branch: workbench/missing"):
        open_worktree(root, "missing", tmp_path / "wts")


def test_worktree_diff_round_trips_through_reset_and_apply(
    repo: pygit2.Repository, tmp_path: Path
) -> None:
    # The approval flow: diff the worktree, reset it, re-apply only the accepted hunks.
    wt = create_worktree(Path(repo.workdir), "run7", tmp_path / "wts")
    apply_patch(wt.path, FIX)
    (wt.path / "README.md").unlink()
    (wt.path / "pkg").mkdir()
    (wt.path / "pkg" / "no_newline.py").write_text("x = 1")
    diff = worktree_diff(wt)
    reset_worktree(wt)
    assert not (wt.path / "test_app.py").exists()
    applied = apply_patch(wt.path, diff, exclude_hunks={"test_app.py#0"})
    assert "test_app.py" not in applied.files
    assert (wt.path / "app.py").read_text().endswith("return a + b\n")
    assert not (wt.path / "README.md").exists() and not (wt.path / "test_app.py").exists()
    assert (wt.path / "pkg" / "no_newline.py").read_text() == "x = 1"
    commit_worktree(wt, "accepted hunks")
    tip = branch_files(Path(repo.workdir), wt.branch)
    assert set(tip) == {".gitignore", "app.py", "pkg/no_newline.py"}
