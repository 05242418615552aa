"""Resume and fork continue exactly: budgets, rounds and usage carry over, a fork goes on from
the event it was made at, and failing tests get repair rounds."""

from __future__ import annotations

import asyncio
import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from agents.contracts import Approval, Decision, RunStatus
from agents.fold import fold
from workbench.engine.budgets import Budgets
from workbench.engine.control import RunControl
from workbench.engine.fork import fork_run
from workbench.engine.runner import EngineError, approve_run, create_pipeline, open_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script


async def _park_and_resume(store: RunStore, run_id: str) -> RunStatus:
    """Approve every gate headless, one `approve` + `resume` per gate, until the run ends."""
    for _ in range(10):
        state = fold(store.iter_events(run_id))
        if state.status is not RunStatus.WAITING_FOR_APPROVAL:
            return state.status
        approve_run(store, run_id)
        await open_pipeline(store, run_id).run()
    raise AssertionError("the run never ended")


def _kinds(store: RunStore, run_id: str, kind: str, after: int = 0) -> list[Any]:
    return [e for e in store.events(run_id, after_seq=after) if e.kind == kind]


async def test_a_turn_budget_ends_the_same_way_auto_approved_and_parked_and_resumed(
    store: RunStore, tmp_path: Path
) -> None:
    from workbench.demo import prepare_demo_repo

    budgets = Budgets(max_turns=5)
    auto = await create_pipeline(store, config_for(
        prepare_demo_repo(tmp_path), "scripted:demo", auto_approve=True, budgets=budgets)).run()
    assert auto.status is RunStatus.FAILED and "turns 6/5" in auto.reason

    parked = await create_pipeline(store, config_for(
        prepare_demo_repo(tmp_path), "scripted:demo", budgets=copy.deepcopy(budgets))).run()
    assert parked.status is RunStatus.WAITING_FOR_APPROVAL
    assert await _park_and_resume(store, parked.run_id) is RunStatus.FAILED
    assert "turns 6/5" in store.get_run(parked.run_id).reason
    assert len(_kinds(store, parked.run_id, "turn_started")) == 6


async def test_rounds_and_usage_after_resume_are_the_totals_of_the_whole_run(
    store: RunStore, tmp_path: Path
) -> None:
    from workbench.demo import prepare_demo_repo

    auto = await create_pipeline(store, config_for(
        prepare_demo_repo(tmp_path), "scripted:demo", auto_approve=True)).run()
    parked = await create_pipeline(store, config_for(
        prepare_demo_repo(tmp_path), "scripted:demo")).run()
    assert await _park_and_resume(store, parked.run_id) is RunStatus.APPROVED
    whole, resumed = fold(store.iter_events(auto.run_id)), fold(store.iter_events(parked.run_id))
    assert resumed.review_rounds == whole.review_rounds == 2
    assert resumed.usage.turns == whole.usage.turns
    assert resumed.usage.tokens == whole.usage.tokens > 0
    row = store.get_run(parked.run_id)
    calls = _kinds(store, parked.run_id, "model_call")
    assert row.tokens == sum(c.prompt_tokens + c.completion_tokens for c in calls)
    assert len(_kinds(store, parked.run_id, "run_parked")) == 2
    assert len(_kinds(store, parked.run_id, "run_finished")) == 1


async def test_a_parked_run_opens_at_its_gate(store: RunStore, demo_repo: Path) -> None:
    outcome = await create_pipeline(store, config_for(demo_repo, "scripted:demo")).run()
    state = fold(store.iter_events(outcome.run_id))
    assert state.pending_approval == "spec" and not state.finished
    assert state.status is RunStatus.WAITING_FOR_APPROVAL
    assert _kinds(store, outcome.run_id, "run_finished") == []


async def test_fork_at_a_needs_revision_review_continues_with_the_developers_revision(
    store: RunStore, demo_repo: Path
) -> None:
    original = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    events = store.events(original.run_id)
    review = next(e for e in events if e.kind == "artifact" and e.type == "review"
                  and e.data["status"] == "NEEDS_REVISION")
    fork_id = fork_run(store, original.run_id, review.seq)
    outcome = await open_pipeline(store, fork_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason

    turns_after = _kinds(store, fork_id, "turn_started", after=review.seq)
    assert turns_after[0].role == "developer"
    assert "Review: NEEDS_REVISION" in turns_after[0].task
    original_dev_after = [t for t in _kinds(store, original.run_id, "turn_started",
                                            after=review.seq) if t.role == "developer"]
    fork_dev_after = [t for t in turns_after if t.role == "developer"]
    assert len(fork_dev_after) == len(original_dev_after) == 1
    fork_dev_total = [t for t in _kinds(store, fork_id, "turn_started") if t.role == "developer"]
    dev_before = [t for t in _kinds(store, original.run_id, "turn_started")
                  if t.role == "developer" and t.seq < review.seq]
    assert len(fork_dev_total) == len(dev_before) + 1
    assert len(_kinds(store, fork_id, "artifact", after=review.seq)) > 0
    assert fold(store.iter_events(fork_id)).review_rounds == 2


async def test_fork_with_an_edited_spec_does_not_ask_for_the_spec_again(
    store: RunStore, demo_repo: Path
) -> None:
    original = await create_pipeline(store, config_for(demo_repo, "scripted:demo")).run()
    state = fold(store.iter_events(original.run_id))
    assert state.spec is not None
    edited = state.spec.model_copy(update={"summary": "Low-stock report, edited in the fork"})
    asked = next(e for e in store.events(original.run_id) if e.kind == "approval_requested")
    fork_id = fork_run(store, original.run_id, asked.seq, spec=edited)
    outcome = await open_pipeline(store, fork_id).run()  # not auto-approved
    assert outcome.status is RunStatus.WAITING_FOR_APPROVAL
    gates = [e.gate for e in _kinds(store, fork_id, "approval_requested")]
    assert gates == ["spec", "final"]  # the spec gate was asked once, in the original
    fork = fold(store.iter_events(fork_id))
    assert fork.pending_approval == "final" and fork.spec_edited
    assert fork.spec is not None and fork.spec.summary.endswith("edited in the fork")


def _repair_script(demo_script: dict[str, Any]) -> dict[str, Any]:
    """The reviewer approves the first patch, so the tester's negative-threshold test fails;
    the developer's repair (the demo's revision) makes it pass."""
    script = copy.deepcopy(demo_script)
    roles = script["roles"]
    roles["reviewer"][0] = roles["reviewer"][1]
    roles["tester"].append({"content": roles["tester"][3]["content"]})
    return script


async def test_failing_tests_get_a_repair_round_with_the_failure_slice(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    model = write_script(tmp_path, _repair_script(demo_script))
    outcome = await create_pipeline(
        store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    state = fold(store.iter_events(outcome.run_id))
    assert state.test_repairs == 1
    assert [t.status for t in state.test_results] == ["failed", "passed"]
    repair = next(e for e in store.events(outcome.run_id)
                  if e.kind == "phase_changed" and e.cycle == "test_repair")
    dev = next(e for e in _kinds(store, outcome.run_id, "turn_started", after=repair.seq))
    assert dev.role == "developer"
    assert "repair round 1 of 2" in dev.task
    assert "test_low_stock_rejects_negative_threshold" in dev.task


async def test_test_repairs_are_a_budget(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    model = write_script(tmp_path, _repair_script(demo_script))
    outcome = await create_pipeline(store, config_for(
        demo_repo, model, auto_approve=True, budgets=Budgets(max_test_repairs=0))).run()
    assert outcome.status is RunStatus.NEEDS_HUMAN_REVIEW
    assert outcome.reason.startswith("tests failed: 1 failed")


async def test_an_unknown_hunk_is_refused_at_approve_time(
    store: RunStore, demo_repo: Path
) -> None:
    run_id = (await create_pipeline(store, config_for(demo_repo, "scripted:demo")).run()).run_id
    with pytest.raises(EngineError, match="hunks can only be rejected at the final gate"):
        approve_run(store, run_id, rejected_hunks=["README.md#0"])
    approve_run(store, run_id)
    await open_pipeline(store, run_id).run()
    with pytest.raises(EngineError) as refused:
        approve_run(store, run_id, rejected_hunks=["README.md#5"])
    message = str(refused.value)
    assert "no such hunk: README.md#5" in message and "README.md#0" in message
    assert "\n" not in message
    assert fold(store.iter_events(run_id)).pending_approval == "final"  # nothing recorded
    approve_run(store, run_id, Decision.APPROVE, rejected_hunks=["README.md#0"])
    outcome = await open_pipeline(store, run_id).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    evidence = next(e for e in store.events(run_id) if e.kind == "artifact"
                    and e.type == "evidence")
    bundle = json.loads(store.artifact(evidence.artifact_id).content)
    assert bundle["committed_files"] == ["inventory/stock.py", "tests/test_low_stock.py"]


async def test_a_finished_run_is_not_resumed_even_if_its_row_lags_behind(
    store: RunStore, demo_repo: Path
) -> None:
    outcome = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    store.update_run(outcome.run_id, status="RUNNING")  # as if killed before the row update
    with pytest.raises(EngineError, match="already finished: APPROVED"):
        open_pipeline(store, outcome.run_id)
    assert store.get_run(outcome.run_id).status == "APPROVED"


async def _wait_gate(control: RunControl, task: asyncio.Task[Any]) -> None:
    while not control.gate_open:
        assert not task.done(), task.result()
        await asyncio.sleep(0.01)


async def test_a_run_interrupted_at_a_gate_waits_there_again_when_resumed(
    store: RunStore, demo_repo: Path
) -> None:
    control = RunControl(interactive=True)
    pipeline = create_pipeline(store, config_for(demo_repo, "scripted:demo"), control=control)
    task = asyncio.create_task(pipeline.run())
    await _wait_gate(control, task)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    run_id = pipeline.run_id
    assert fold(store.iter_events(run_id)).status is RunStatus.INTERRUPTED

    control = RunControl(interactive=True)
    task = asyncio.create_task(open_pipeline(store, run_id, control=control).run())
    await _wait_gate(control, task)
    waiting = fold(store.iter_events(run_id))
    assert waiting.status is RunStatus.WAITING_FOR_APPROVAL
    assert waiting.pending_approval == "spec"
    control.auto_approve = True
    control.resolve(Approval(gate="spec", decision=Decision.APPROVE))
    outcome = await task
    assert outcome.status is RunStatus.APPROVED, outcome.reason


async def test_changes_requested_at_the_final_gate_revise_the_final_worktree_after_resume(
    store: RunStore, tmp_path: Path
) -> None:
    from workbench.demo import record_demo_run
    from workbench.engine.team import worktrees_dir_for
    from workbench.gitops import branch_files

    run_id = await record_demo_run(store, "revise", "final", parent=tmp_path)
    approve_run(store, run_id, Decision.REQUEST_CHANGES, comment="document the error")
    shutil.rmtree(worktrees_dir_for(store.path) / run_id)  # e.g. pruned by hand meanwhile
    outcome = await open_pipeline(store, run_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    files = branch_files(Path(store.get_run(run_id).repo), outcome.branch)
    assert "def low_stock" in files["inventory/stock.py"]
    assert "tests/test_low_stock.py" in files
