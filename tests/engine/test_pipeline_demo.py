"""The bundled demo end to end through the real engine: AutoGen agents, git worktree, pytest."""

from __future__ import annotations

import json
from pathlib import Path

import pygit2

from agents.contracts import Decision, RunStatus
from workbench.engine.runner import approve_run, create_pipeline, open_pipeline
from workbench.gitops import read_branch_file
from workbench.store import RunStore

from .conftest import config_for


def _status_snapshot(repo: Path) -> tuple[str, str, dict[str, int]]:
    r = pygit2.Repository(str(repo))
    return r.head.shorthand, str(r.head.target), r.status()


async def test_demo_run_commits_reviewed_tested_patch_on_run_branch(
    store: RunStore, demo_repo: Path
) -> None:
    (demo_repo / "scratch.txt").write_text("user work in progress\n")
    before = _status_snapshot(demo_repo)
    pipeline = create_pipeline(store, config_for(demo_repo, "scripted:demo", auto_approve=True))
    outcome = await pipeline.run()

    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert outcome.branch == f"workbench/{outcome.run_id}"
    assert _status_snapshot(demo_repo) == before  # user's branch and tree untouched
    assert "def low_stock" not in (demo_repo / "inventory/stock.py").read_text()

    stock = read_branch_file(demo_repo, outcome.branch, "inventory/stock.py")
    new_test = read_branch_file(demo_repo, outcome.branch, "tests/test_low_stock.py")
    assert stock is not None and "threshold must not be negative" in stock
    assert new_test is not None and "test_low_stock_rejects_negative_threshold" in new_test

    events = store.events(outcome.run_id)
    kinds = [e.kind for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    reviews = [e.payload()["data"]["status"] for e in events
               if e.kind == "artifact" and e.payload()["type"] == "review"]
    assert reviews == ["NEEDS_REVISION", "APPROVED"]
    calls = [e for e in events if e.kind == "model_call"]
    assert len(calls) == 12
    assert all(c.payload()["prompt_tokens"] > 0 and c.payload()["completion_tokens"] > 0
               and c.payload()["latency_ms"] >= 0 for c in calls)

    results = [e.payload()["data"] for e in events
               if e.kind == "artifact" and e.payload()["type"] == "test_result"]
    assert results[-1]["status"] == "passed" and results[-1]["passed"] == 5
    log = store.artifact(results[-1]["log_artifact"]).content
    assert "5 passed" in log  # the real pytest output
    run = store.get_run(outcome.run_id)
    assert run.status == "APPROVED" and run.tokens > 0
    checks = [e.payload()["data"] for e in events
              if e.kind == "artifact" and e.payload()["type"] == "static_checks"]
    assert "$ ruff check (exit 0)" in checks[-1]["output"]  # real ruff on the changed files
    assert {"Inventory.low_stock"} <= {c["qualified_name"] for c in checks[-1]["changes"]}


async def test_headless_run_parks_at_spec_gate_then_approve_and_resume(
    store: RunStore, demo_repo: Path
) -> None:
    pipeline = create_pipeline(store, config_for(demo_repo, "scripted:demo"))
    first = await pipeline.run()
    assert first.status is RunStatus.WAITING_FOR_APPROVAL
    assert store.get_run(first.run_id).status == "WAITING_FOR_APPROVAL"
    assert not any(e.kind == "model_call" and e.role == "developer"
                   for e in store.events(first.run_id))

    approve_run(store, first.run_id, Decision.APPROVE, comment="looks right")
    second = await open_pipeline(store, first.run_id).run()
    assert second.status is RunStatus.WAITING_FOR_APPROVAL  # now at the final gate
    approve_run(store, first.run_id, Decision.APPROVE)
    third = await open_pipeline(store, first.run_id).run()
    assert third.status is RunStatus.APPROVED, third.reason
    assert read_branch_file(demo_repo, third.branch, "tests/test_low_stock.py") is not None


async def test_rejected_hunk_is_absent_from_the_commit(store: RunStore, demo_repo: Path) -> None:
    pipeline = create_pipeline(store, config_for(demo_repo, "scripted:demo"))
    run_id = (await pipeline.run()).run_id
    approve_run(store, run_id)
    await open_pipeline(store, run_id).run()
    approve_run(store, run_id, Decision.APPROVE, comment="keep the README as is",
                rejected_hunks=["README.md#0"])
    outcome = await open_pipeline(store, run_id).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    readme = read_branch_file(demo_repo, outcome.branch, "README.md")
    assert readme is not None and "low_stock" not in readme
    stock = read_branch_file(demo_repo, outcome.branch, "inventory/stock.py")
    assert stock is not None and "def low_stock" in stock
    final = [e.payload() for e in store.events(run_id)
             if e.kind == "approval_given" and e.payload()["gate"] == "final"]
    assert final[-1]["rejected_hunks"] == ["README.md#0"]
    assert final[-1]["comment"] == "keep the README as is"
    evidence = [json.loads(store.artifact(e.payload()["artifact_id"]).content)
                for e in store.events(run_id)
                if e.kind == "artifact" and e.payload()["type"] == "evidence"]
    assert evidence and evidence[0]["rejected_hunks"] == ["README.md#0"]
    assert "README.md" not in evidence[0]["committed_files"]
    assert evidence[0]["commit"] == outcome.commit


async def test_rejecting_the_spec_ends_the_run(store: RunStore, demo_repo: Path) -> None:
    run_id = (await create_pipeline(store, config_for(demo_repo, "scripted:demo")).run()).run_id
    approve_run(store, run_id, Decision.REJECT, comment="not now")
    outcome = await open_pipeline(store, run_id).run()
    assert outcome.status is RunStatus.REJECTED
    assert pygit2.Repository(str(demo_repo)).branches.local.get(outcome.branch) is not None
