"""A reviewer that never gives a valid review hands the change to the human, who reviews it
from `workbench approve`; the run goes on from there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.contracts import Decision, RunStatus
from agents.fold import fold
from workbench.engine.runner import approve_run, create_pipeline, open_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script

GARBAGE = [{"content": "Looks fine to me!"}, {"content": '{"status": "MAYBE"}'},
           {"content": "```json\n{\"issues\": 3}\n```"}]


async def test_a_reviewer_that_gives_up_parks_the_run_at_a_review_gate(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    # after the human's review the tests fail once; the repair is reviewed by the agent
    demo_script["roles"]["reviewer"] = GARBAGE + demo_script["roles"]["reviewer"][1:]
    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True)
    parked = await create_pipeline(store, config).run()

    assert parked.status is RunStatus.WAITING_FOR_APPROVAL  # not auto-approved
    state = fold(store.iter_events(parked.run_id))
    assert state.pending_approval == "review"
    assert "reviewer gave an invalid ReviewResult 3 times" in state.pending_message
    assert state.draft is not None and state.draft["contract"] == "ReviewResult"

    approve_run(store, parked.run_id, Decision.APPROVE, comment="read it myself: fine")
    done = await open_pipeline(store, parked.run_id).run()

    assert done.status is RunStatus.APPROVED, done.reason
    final = fold(store.iter_events(parked.run_id))
    assert final.reviews[0].status == "APPROVED"
    assert final.reviews[0].summary == "read it myself: fine"
    roles = [e.role for e in store.events(parked.run_id)
             if e.kind == "artifact" and e.payload()["type"] == "review"]
    assert roles == ["human", "reviewer"]


async def test_changes_asked_at_the_review_gate_go_back_to_the_developer(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    demo_script["roles"]["reviewer"] = GARBAGE * 2
    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True)
    parked = await create_pipeline(store, config).run()
    approve_run(store, parked.run_id, Decision.REQUEST_CHANGES, comment="reject negative input")
    # the developer revises; the reviewer's next answer is garbage again: asked once more
    again = await open_pipeline(store, parked.run_id).run()

    turns = [e.role for e in store.events(parked.run_id) if e.kind == "turn_started"]
    assert turns[turns.index("reviewer") + 3] == "developer"
    developer_task = [e.payload()["task"] for e in store.events(parked.run_id)
                      if e.kind == "turn_started" and e.role == "developer"][-1]
    assert "reject negative input" in developer_task
    assert again.status is RunStatus.WAITING_FOR_APPROVAL
    assert fold(store.iter_events(parked.run_id)).pending_approval == "review"
