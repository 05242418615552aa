"""`replay:RUN_ID` re-drives a whole run from the model outputs another run recorded."""

from __future__ import annotations

from pathlib import Path

from agents.contracts import RunStatus
from agents.fold import fold
from workbench.engine.runner import create_pipeline
from workbench.store import RunStore

from .conftest import config_for


async def test_a_replayed_run_ends_where_the_recorded_one_did(
    store: RunStore, demo_repo: Path
) -> None:
    recorded = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    replayed = await create_pipeline(
        store, config_for(demo_repo, f"replay:{recorded.run_id}", auto_approve=True)).run()

    assert replayed.status is recorded.status is RunStatus.APPROVED, replayed.reason
    first, second = fold(store.iter_events(recorded.run_id)), fold(
        store.iter_events(replayed.run_id))
    assert second.usage.model_calls == first.usage.model_calls
    assert [p.files for p in second.patches] == [p.files for p in first.patches]
    assert second.models["developer"] == f"replay:{recorded.run_id}"  # named as such
