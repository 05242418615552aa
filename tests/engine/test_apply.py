"""`workbench apply`: an approved run's commit reaches the user's branch (fast-forward or
cherry-pick) only on a clean tree, with no conflict, after a confirmation."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pygit2
import pytest

from agents.contracts import RunStatus
from workbench.delivery import apply_plan, plan_apply
from workbench.engine.runner import create_pipeline
from workbench.gitops import GitError
from workbench.store import RunStore

from .conftest import config_for


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _commit(repo_path: Path, rel: str, text: str, message: str) -> None:
    repo = pygit2.Repository(str(repo_path))
    (repo_path / rel).write_text(text)
    repo.index.add(rel)
    repo.index.write()
    sig = pygit2.Signature("User", "user@example.com")
    repo.create_commit("HEAD", sig, sig, message, repo.index.write_tree(), [repo.head.target])


async def _approved(store: RunStore, demo_repo: Path) -> tuple[str, str]:
    outcome = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    return outcome.run_id, outcome.branch


async def test_fast_forward_brings_the_run_commit_and_its_message_names_spec_and_run(
    store: RunStore, demo_repo: Path
) -> None:
    rid, branch = await _approved(store, demo_repo)
    plan = plan_apply(demo_repo, branch)
    assert plan.mode == "fast-forward" and "inventory/stock.py" in " ".join(plan.files)
    head = apply_plan(plan)
    repo = pygit2.Repository(str(demo_repo))
    tip = repo.head.peel(pygit2.Commit)
    assert str(tip.id) == head == plan.commit
    assert tip.message.splitlines()[0].startswith("INV-7: Add a low-stock report")
    assert "Acceptance criteria:" in tip.message and f"Workbench run {rid}" in tip.message
    assert not repo.status(), "the checkout matches the new HEAD"
    assert "def low_stock" in (demo_repo / "inventory" / "stock.py").read_text()


async def test_cherry_pick_onto_a_branch_that_moved_on(store: RunStore, demo_repo: Path) -> None:
    _rid, branch = await _approved(store, demo_repo)
    _commit(demo_repo, "NOTES.md", "unrelated\n", "Notes")
    plan = plan_apply(demo_repo, branch)
    assert plan.mode == "cherry-pick"
    apply_plan(plan)
    repo = pygit2.Repository(str(demo_repo))
    tip = repo.head.peel(pygit2.Commit)
    assert tip.parents[0].message == "Notes" and tip.author.email != "user@example.com"
    assert (demo_repo / "NOTES.md").exists()
    assert "def low_stock" in (demo_repo / "inventory" / "stock.py").read_text()
    assert not repo.status()


async def test_a_dirty_tree_or_a_conflict_is_refused_before_any_file_changes(
    store: RunStore, demo_repo: Path
) -> None:
    _rid, branch = await _approved(store, demo_repo)
    stock = demo_repo / "inventory" / "stock.py"
    original = stock.read_text()
    stock.write_text(original + "\n# local edit\n")
    before = _tree_hash(demo_repo)
    with pytest.raises(GitError, match="uncommitted changes"):
        plan_apply(demo_repo, branch)
    assert _tree_hash(demo_repo) == before
    stock.write_text(original.replace("class Inventory", "class Inventory  # renamed", 1)
                     + "\n\ndef low_stock():\n    return 'mine'\n")
    _commit(demo_repo, "inventory/stock.py", stock.read_text(), "Mine")
    before = _tree_hash(demo_repo)
    with pytest.raises(GitError, match=r"conflicts with .* inventory/stock.py"):
        plan_apply(demo_repo, branch)
    assert _tree_hash(demo_repo) == before


async def test_a_detached_head_is_refused(
    store: RunStore, demo_repo: Path
) -> None:
    _rid, branch = await _approved(store, demo_repo)
    repo = pygit2.Repository(str(demo_repo))
    repo.set_head(repo.head.target)
    with pytest.raises(GitError, match="not on a branch"):
        plan_apply(demo_repo, branch)


async def test_the_cli_asks_for_a_confirmation_it_cannot_get_without_a_terminal(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    rid, branch = await _approved(store, demo_repo)
    env = {**os.environ, "WORKBENCH_DB": str(store.path),
           "WORKBENCH_CONFIG": str(tmp_path / "config.yaml")}

    def apply(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "workbench", "apply", rid[:12], *args],
                              capture_output=True, text=True, env=env, timeout=60,
                              stdin=subprocess.DEVNULL)

    before = _tree_hash(demo_repo)
    asked = apply()
    assert asked.returncode != 0 and "pass --yes" in asked.stderr
    dry = apply("--dry-run")
    assert dry.returncode == 0 and "fast-forward" in dry.stdout
    assert _tree_hash(demo_repo) == before
    done = apply("--yes")
    assert done.returncode == 0, done.stderr
    assert f"of run {rid}" in done.stdout
    tip = pygit2.Repository(str(demo_repo)).head.peel(pygit2.Commit)
    assert str(tip.id) == str(pygit2.Repository(str(demo_repo)).branches[branch].target)


async def test_a_secret_the_developer_wrote_is_committed_as_written_but_never_stored(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, object]
) -> None:
    from .conftest import write_script

    key = "sk-proj-" + "Q7x" * 12
    dev = demo_script["roles"]["developer"]  # type: ignore[index]
    for step in dev:
        for call in step.get("tool_calls", []):
            diff = call["arguments"].get("diff", "")
            if "+++ b/README.md" in diff:
                call["arguments"]["diff"] = diff.replace(
                    "@@ -1,3 +1,5 @@", "@@ -1,3 +1,6 @@").replace(
                    "lowest quantity first.\n",
                    f"lowest quantity first.\n+Set OPENAI_API_KEY={key} to try it.\n", 1)
    model = write_script(tmp_path, demo_script)  # type: ignore[arg-type]
    outcome = await create_pipeline(
        store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    repo = pygit2.Repository(str(demo_repo))
    blob = repo.revparse_single(f"{outcome.branch}:README.md")
    assert key in blob.data.decode()
    assert key.encode() not in store.path.read_bytes()
