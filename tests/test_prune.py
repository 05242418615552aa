"""`workbench prune`: finished runs lose their git leftovers, nothing else does."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner, Result

from tests.test_gitops import make_repo, snapshot
from workbench.cli import cli
from workbench.cli_prune import worktrees_dir_for
from workbench.gitops import commit_worktree, create_worktree, snapshot_worktree
from workbench.store import RunStore

DAY = 86_400.0
ACTIVE = ("WAITING_FOR_APPROVAL", "RUNNING", "PENDING", "INTERRUPTED")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "runs.db"


@pytest.fixture
def repo(tmp_path: Path) -> pygit2.Repository:
    return make_repo(tmp_path / "repo", {"app.py": "x = 1\n", ".gitignore": "*.log\n"})


def add_run(db: Path, repo: pygit2.Repository, run_id: str, status: str,
            age_days: float = 1.0) -> Path:
    """A run in the store with the worktree, branch and refs a real run leaves."""
    store = RunStore(db)
    ended = time.time() - age_days * DAY
    store.create_run(run_id, "task", repo.workdir, "scripted:demo", status=status,
                     started_at=ended - 60, finished_at=ended, branch=f"workbench/{run_id}")
    store.close()
    wt = create_worktree(Path(repo.workdir), run_id, worktrees_dir_for(db))
    (wt.path / "app.py").write_text(f"x = '{run_id}'\n")
    snapshot_worktree(wt)
    commit_worktree(wt, f"change\n\nWorkbench run {run_id}\n")
    with sqlite3.connect(db) as conn:  # an event, to see that the history is kept
        conn.execute("INSERT INTO events (run_id, seq, ts, kind, role, payload) "
                     "VALUES (?, 1, ?, 'run_started', 'system', '{}')", [run_id, ended])
    return wt.path


def leftovers(repo: pygit2.Repository, run_id: str) -> list[str]:
    fresh = pygit2.Repository(repo.workdir)
    refs = [r for r in fresh.references if r.endswith("/" + run_id)]
    return refs + [w for w in fresh.list_worktrees() if w == run_id]


def prune(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), "prune", *args])
    assert result.exit_code == 0, result.output
    return result


def history(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT run_id, status, finished_at, reason, branch FROM runs "
                            "ORDER BY run_id").fetchall()
        events = conn.execute("SELECT run_id, seq, kind FROM events ORDER BY run_id").fetchall()
    return [*runs, *events]


def test_prune_removes_finished_runs_and_keeps_active_ones_and_the_history(
    db: Path, repo: pygit2.Repository
) -> None:
    before = snapshot(repo)
    paths = {rid: add_run(db, repo, rid, status)
             for rid, status in [("done", "APPROVED"), ("broke", "FAILED"),
                                 *((s.lower(), s) for s in ACTIVE)]}
    kept = history(db)
    out = prune(db).output.splitlines()
    assert sorted(line.split()[0] for line in out) == ["broke", "done"]
    assert all("removed worktree" in line and "branch workbench/" in line for line in out)
    for rid in ("done", "broke"):
        assert leftovers(repo, rid) == [] and not paths[rid].exists()
    for status in ACTIVE:
        rid = status.lower()
        assert len(leftovers(repo, rid)) == 4 and (paths[rid] / "app.py").exists()
    assert history(db) == kept
    assert snapshot(repo) == before
    again = prune(db).output.splitlines()
    assert len(again) == 2 and all(line.endswith("nothing to remove") for line in again)


def test_dry_run_lists_what_would_go_and_removes_nothing(
    db: Path, repo: pygit2.Repository
) -> None:
    path = add_run(db, repo, "r1", "REJECTED")
    out = prune(db, "--dry-run").output
    assert out.startswith("r1") and "would remove worktree" in out
    assert "ref refs/workbench/base/r1" in out and "ref refs/workbench/snap/r1" in out
    assert len(leftovers(repo, "r1")) == 4 and path.exists()


def test_older_than_and_status_choose_the_runs(db: Path, repo: pygit2.Repository) -> None:
    add_run(db, repo, "old-fail", "FAILED", age_days=10)
    add_run(db, repo, "old-ok", "APPROVED", age_days=10)
    add_run(db, repo, "new-fail", "FAILED", age_days=1)
    out = prune(db, "--older-than", "7", "--status", "failed").output.splitlines()
    assert [line.split()[0] for line in out] == ["old-fail"]
    assert leftovers(repo, "old-fail") == []
    assert leftovers(repo, "old-ok") and leftovers(repo, "new-fail")
    out = prune(db, "--older-than", "7").output.splitlines()
    assert sorted(line.split()[0] for line in out) == ["old-fail", "old-ok"]
    assert leftovers(repo, "new-fail")


def test_status_must_be_a_finished_one(db: Path, repo: pygit2.Repository) -> None:
    add_run(db, repo, "r1", "RUNNING")
    result = CliRunner().invoke(cli, ["--db", str(db), "prune", "--status", "RUNNING"])
    assert result.exit_code == 2 and "RUNNING" in result.output
    assert len(leftovers(repo, "r1")) == 4


def test_a_missing_repository_is_reported_and_skipped(
    db: Path, repo: pygit2.Repository, tmp_path: Path
) -> None:
    add_run(db, repo, "here", "FAILED")
    gone = make_repo(tmp_path / "gone", {"a.txt": "a\n"})
    add_run(db, gone, "away", "FAILED")
    shutil.rmtree(tmp_path / "gone")
    out = prune(db).output.splitlines()
    assert len(out) == 2
    assert [line for line in out if line.startswith("away")] == [
        f"away  FAILED             skipped: repository not found: {gone.workdir}"]
    assert leftovers(repo, "here") == []


def test_a_run_branch_the_user_has_checked_out_is_kept(
    db: Path, repo: pygit2.Repository
) -> None:
    path = add_run(db, repo, "r1", "APPROVED")
    shutil.rmtree(path)
    repo.lookup_worktree("r1").prune(True)
    repo.set_head("refs/heads/workbench/r1")
    out = prune(db).output
    assert out.startswith("r1") and "skipped:" in out and "checked out" in out
    assert "workbench/r1" in pygit2.Repository(repo.workdir).branches.local


def test_json_output(db: Path, repo: pygit2.Repository) -> None:
    add_run(db, repo, "r1", "NEEDS_HUMAN_REVIEW")
    data = json.loads(prune(db, "--json", "--dry-run").output)
    assert [(d["run_id"], d["status"], d["dry_run"], d["skipped"]) for d in data] == [
        ("r1", "NEEDS_HUMAN_REVIEW", True, "")]
    assert "branch workbench/r1" in data[0]["removed"]
    assert json.loads(prune(db, "--json").output)[0]["removed"] == data[0]["removed"]
    assert json.loads(prune(db, "--json").output)[0]["removed"] == []


def test_empty_store_says_so(db: Path) -> None:
    assert prune(db).output == "no finished runs to prune\n"


def test_prune_does_not_load_the_agent_runtime(db: Path, repo: pygit2.Repository) -> None:
    add_run(db, repo, "r1", "FAILED")
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from workbench.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['--db', {str(db)!r}, 'prune'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.startswith(('autogen', 'workbench.engine'))))\n"
    )
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=root, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert leftovers(repo, "r1") == []
