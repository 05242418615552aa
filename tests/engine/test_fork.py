"""Fork a finished run from an event, with an edited spec, and continue it live."""

from __future__ import annotations

from pathlib import Path

from agents.contracts import FeatureSpec, RunStatus
from workbench.engine.fork import fork_run
from workbench.engine.runner import create_pipeline, open_pipeline
from workbench.gitops import read_branch_file
from workbench.store import RunStore

from .conftest import config_for


async def test_fork_with_edited_spec_continues_on_its_own_branch(
    store: RunStore, demo_repo: Path
) -> None:
    original = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    events = store.events(original.run_id)
    spec_gate = next(e for e in events
                     if e.kind == "approval_requested" and e.payload()["gate"] == "spec")
    spec = FeatureSpec.model_validate(
        next(e.payload()["data"] for e in events
             if e.kind == "artifact" and e.payload()["type"] == "spec"))
    edited = spec.model_copy(update={"summary": "Low-stock report, edited in the fork"})

    fork_id = fork_run(store, original.run_id, spec_gate.seq, spec=edited)
    forked = store.get_run(fork_id)
    assert forked.parent_run_id == original.run_id and forked.fork_seq == spec_gate.seq
    copied = store.events(fork_id)
    assert [e.kind for e in copied[: spec_gate.seq]] == [e.kind for e in events[: spec_gate.seq]]

    outcome = await open_pipeline(store, fork_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert outcome.branch == f"workbench/{fork_id}" != original.branch
    dev_turn = next(e for e in store.events(fork_id, after_seq=spec_gate.seq)
                    if e.kind == "turn_started" and e.role == "developer")
    assert "edited in the fork" in dev_turn.payload()["task"]
    assert read_branch_file(demo_repo, outcome.branch, "tests/test_low_stock.py") is not None
    assert store.get_run(original.run_id).status == "APPROVED"  # the original is untouched


async def test_a_fork_made_later_counts_its_own_time_and_the_copied_tokens_everywhere(
    store: RunStore, demo_repo: Path
) -> None:
    """The run list reads the run row, the replay and the status bar fold the events: a fork
    shows the same tokens in both from the moment it exists, and its clock starts when it
    was made, not when the run it was forked from started."""
    from agents.fold import fold

    original = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    events = store.events(original.run_id)
    spec_gate = next(e for e in events if e.kind == "approval_requested")
    # the original ran a quarter of an hour ago
    store.conn.execute("UPDATE events SET ts = ts - 900 WHERE run_id = ?", [original.run_id])
    store.update_run(original.run_id, started_at=store.get_run(original.run_id).started_at - 900)

    fork_id = fork_run(store, original.run_id, spec_gate.seq)
    row, state = store.get_run(fork_id), fold(store.events(fork_id))
    assert row.tokens == state.total_tokens > 0
    assert row.cost == state.cost
    assert row.duration_s < 60 and state.elapsed < 60  # not 15 minutes

    outcome = await open_pipeline(store, fork_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    row, state = store.get_run(fork_id), fold(store.events(fork_id))
    assert row.tokens == state.total_tokens > store.get_run(original.run_id).tokens // 2
    assert abs(row.duration_s - state.elapsed) < 5 and state.elapsed < 60
