"""A run that stopped NEEDS_HUMAN_REVIEW can be taken over: the human overrules the review or
sends the work back to a role, and `resume` goes on from there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.contracts import Decision, RunStatus
from agents.fold import fold
from workbench.engine.runner import EngineError, approve_run, create_pipeline, open_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script


async def _stopped_after_reviews(store: RunStore, demo_repo: Path, tmp_path: Path,
                                 script: dict[str, Any], rounds: int) -> str:
    from workbench.engine.budgets import Budgets

    config = config_for(demo_repo, write_script(tmp_path, script), auto_approve=True,
                        budgets=Budgets(max_review_rounds=rounds))
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.NEEDS_HUMAN_REVIEW, outcome.reason
    return outcome.run_id


async def test_the_human_overrules_a_review_and_the_run_goes_on(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    # one review round allowed: the demo's first review asks for a revision, so it stops
    run_id = await _stopped_after_reviews(store, demo_repo, tmp_path, demo_script, rounds=1)
    assert "asked for a revision 1 times" in fold(store.iter_events(run_id)).finished_reason

    approve_run(store, run_id, Decision.APPROVE, comment="the nit is fine as it is")
    assert store.get_run(run_id).status == "INTERRUPTED"
    done = await open_pipeline(store, run_id).run()

    state = fold(store.iter_events(run_id))
    assert done.status is not RunStatus.NEEDS_HUMAN_REVIEW or "revision" not in done.reason
    assert state.reviews[1].summary == "the nit is fine as it is"
    turns = [e.role for e in store.events(run_id) if e.kind == "turn_started"]
    assert turns[-1] == "tester" or "tester" in turns[turns.index("reviewer"):]


async def test_the_human_sends_a_stopped_run_back_to_the_developer(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    run_id = await _stopped_after_reviews(store, demo_repo, tmp_path, demo_script, rounds=1)
    approve_run(store, run_id, Decision.REQUEST_CHANGES, comment="reject negative thresholds",
                send_to="developer")
    done = await open_pipeline(store, run_id).run()

    tasks = [e.payload()["task"] for e in store.events(run_id)
             if e.kind == "turn_started" and e.role == "developer"]
    assert "reject negative thresholds" in tasks[-1] or any(
        "reject negative thresholds" in t for t in tasks)
    assert done.status is RunStatus.APPROVED, done.reason


async def test_a_run_with_nothing_to_take_as_reviewed_says_what_to_do(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    demo_script["roles"]["developer"] = [{"content": "nothing to do"}] * 4
    run_id = await _stopped_after_reviews(store, demo_repo, tmp_path, demo_script, rounds=3)
    with pytest.raises(EngineError, match="no change to take as reviewed"):
        approve_run(store, run_id, Decision.APPROVE)
