"""The bundled demo headless through every mix of decisions at its two gates: approve, or
request changes (a revised spec; a developer revision on the worktree the final gate showed).
Each role's scripted entries are used in order; the normal path uses exactly its own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from agents.contracts import Decision, RunStatus
from agents.fold import fold
from workbench.engine.runner import approve_run, create_pipeline, open_pipeline
from workbench.gitops import read_branch_file
from workbench.store import RunStore

from .conftest import config_for

A, R = Decision.APPROVE, Decision.REQUEST_CHANGES
NORMAL_CALLS = {"requirements": 1, "developer": 5, "reviewer": 2, "tester": 4}
REVISED_SPEC_CALLS = {"requirements": 1}
REVISION_CALLS = {"developer": 2, "reviewer": 1, "tester": 2}
BOUNDARY = "An item whose quantity equals the threshold is not listed"
REVISION = "lowest first (ties by SKU)"


def _artifacts(store: RunStore, run_id: str, type_: str) -> list[dict[str, Any]]:
    return [e.payload() for e in store.events(run_id)
            if e.kind == "artifact" and e.payload()["type"] == type_]


@pytest.mark.parametrize(("decisions", "spec_rounds", "final_rounds"), [
    pytest.param([A, A], 1, 1, id="approve-approve"),
    pytest.param([R, A, A], 2, 1, id="changes-at-spec"),
    pytest.param([A, R, A], 1, 2, id="changes-at-final"),
    pytest.param([R, A, R, A], 2, 2, id="changes-at-both"),
])
async def test_demo_decisions_end_approved(
    store: RunStore, demo_repo: Path, decisions: list[Decision], spec_rounds: int,
    final_rounds: int,
) -> None:
    first = await create_pipeline(store, config_for(demo_repo, "scripted:demo")).run()
    run_id = first.run_id
    outcome = first
    for decision in decisions:
        assert outcome.status is RunStatus.WAITING_FOR_APPROVAL, outcome.reason
        parked = store.get_run(run_id)  # parked: its clock stops while nobody works on it
        assert parked.finished_at is not None
        comment = "please change this" if decision is R else ""
        approve_run(store, run_id, decision, comment=comment)
        outcome = await open_pipeline(store, run_id).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason

    state = fold(store.events(run_id))
    asked = Counter(a.gate for a in state.approvals)
    assert (asked["spec"], asked["final"]) == (spec_rounds, final_rounds)
    expected = Counter(NORMAL_CALLS)
    if spec_rounds == 2:
        expected.update(REVISED_SPEC_CALLS)
    if final_rounds == 2:
        expected.update(REVISION_CALLS)
    assert dict(state.calls_by_role) == dict(expected)  # each role's entries, in order

    specs = [p["data"] for p in _artifacts(store, run_id, "spec")]
    assert len(specs) == spec_rounds and all(s["feature_id"] == "INV-7" for s in specs)
    assert any(BOUNDARY in c for c in specs[-1]["acceptance_criteria"]) == (spec_rounds == 2)
    tests = [p["data"] for p in _artifacts(store, run_id, "test_result")]
    assert [t["status"] for t in tests] == ["passed"] * final_rounds
    assert all(t["passed"] == 5 for t in tests)

    stock = read_branch_file(demo_repo, outcome.branch, "inventory/stock.py") or ""
    assert "threshold must not be negative" in stock
    assert (REVISION in stock) == (final_rounds == 2)
    readme = read_branch_file(demo_repo, outcome.branch, "README.md") or ""
    assert "Inventory.low_stock(threshold)" in readme
    assert read_branch_file(demo_repo, outcome.branch, "tests/test_low_stock.py") is not None


async def test_the_final_revision_is_a_new_cycle_on_the_gate_s_worktree(
    store: RunStore, demo_repo: Path
) -> None:
    run_id = (await create_pipeline(store, config_for(demo_repo, "scripted:demo")).run()).run_id
    approve_run(store, run_id)
    await open_pipeline(store, run_id).run()
    approve_run(store, run_id, R, comment="Document the ValueError in the docstring")
    outcome = await open_pipeline(store, run_id).run()
    assert outcome.status is RunStatus.WAITING_FOR_APPROVAL and "final gate" in outcome.reason

    events = store.events(run_id)
    back = next(e.seq for e in events if e.kind == "approval_given"
                and e.payload()["decision"] == "request_changes")
    cycles = [e.payload()["cycle"] for e in events
              if e.kind == "phase_changed" and e.seq > back and e.payload().get("cycle")]
    assert cycles == ["human"]
    dev = next(e for e in events if e.kind == "turn_started" and e.role == "developer"
               and e.seq > back)
    assert "Document the ValueError in the docstring" in dev.payload()["task"]
    patched = [e.payload() for e in events if e.kind == "tool_result" and e.seq > back
               and e.payload()["name"] == "propose_patch"]
    assert len(patched) == 1 and not patched[0]["is_error"]  # applies on the gate's worktree
    finals = [p for p in _artifacts(store, run_id, "patch") if p.get("final")]
    assert len(finals) == 2
    diff = store.artifact(finals[-1]["artifact_id"]).content
    assert REVISION in diff and "tests/test_low_stock.py" in diff  # the whole change so far
