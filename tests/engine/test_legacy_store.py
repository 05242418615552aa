"""A store written by Workbench 0.1.0 (event schema 1) opens, replays and resumes."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from agents.contracts import RunStatus
from agents.fold import fold
from workbench.engine.evidence_bundle import build_bundle
from workbench.engine.runner import EngineError, approve_run, open_pipeline
from workbench.gitops import branch_files
from workbench.store import RunStore

FIXTURE = Path(__file__).parents[1] / "data" / "store_v1.tar.gz"


@pytest.fixture
def legacy(tmp_path: Path) -> RunStore:
    with tarfile.open(FIXTURE) as archive:
        archive.extractall(tmp_path, filter="data")
    store = RunStore(tmp_path / "runs.db")
    for run in store.runs():  # the repositories now live beside the store
        repo = str(tmp_path / Path(run.repo).name)
        config = json.loads(run.config)
        config["repo"] = repo
        store.update_run(run.run_id, repo=repo, config=json.dumps(config))
    return store


def test_old_runs_replay_with_their_outcome(legacy: RunStore) -> None:
    done = fold(legacy.iter_events("legacy-done"))
    assert done.status is RunStatus.APPROVED and done.commit
    assert done.review_rounds == 2 and done.usage.turns > 0
    bundle = build_bundle(done)
    assert bundle["committed_files"] and bundle["spec"]["feature_id"] == "INV-7"
    for run_id, gate in (("legacy-final", "final"), ("legacy-spec", "spec")):
        state = fold(legacy.iter_events(run_id))
        assert state.status is RunStatus.WAITING_FOR_APPROVAL and not state.finished
        assert state.pending_approval == gate
    with pytest.raises(EngineError, match="already finished"):
        open_pipeline(legacy, "legacy-done")


async def test_a_run_parked_at_the_final_gate_resumes_and_commits(legacy: RunStore) -> None:
    approve_run(legacy, "legacy-final")
    outcome = await open_pipeline(legacy, "legacy-final").run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    files = branch_files(Path(legacy.get_run("legacy-final").repo), outcome.branch)
    assert "def low_stock" in files["inventory/stock.py"]
    assert "tests/test_low_stock.py" in files


async def test_a_run_parked_at_the_spec_gate_resumes_to_the_end(legacy: RunStore) -> None:
    approve_run(legacy, "legacy-spec")
    outcome = await open_pipeline(legacy, "legacy-spec", auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    events = legacy.events("legacy-spec")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert sum(e.kind == "run_finished" for e in events) == 1
