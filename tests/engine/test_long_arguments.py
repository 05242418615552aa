"""A tool call with a huge argument is stored cut in its event (the whole text kept once as
an artifact), and a replay of the run issues the very call the model made."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.contracts import RunStatus
from workbench.engine.runner import create_pipeline
from workbench.models.replay import outputs_from_events
from workbench.store import RunStore

from .conftest import config_for, write_script


async def test_a_one_mebibyte_argument_is_cut_in_the_event_and_whole_in_the_replay(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    query = "needle " * 150_000  # about 1 MiB
    demo_script["roles"]["developer"].insert(0, {"tool_calls": [
        {"name": "search_repository", "arguments": {"query": query}}]})
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    # the huge call is in every later prompt of the turn: the token budget ends the run
    assert outcome.status is RunStatus.FAILED and outcome.reason.startswith("budget exceeded")
    call = next(e for e in store.events(outcome.run_id)
                if e.kind == "tool_call" and e.payload()["name"] == "search_repository")
    stored = call.payload()["arguments"]
    assert len(stored["query"]) < 20_000 and stored["_truncated"] > 1_000_000
    assert len(call.dump()["payload"]) < 20_000
    outputs = outputs_from_events(store.iter_events(outcome.run_id),
                                  lambda aid: store.artifact(aid).content)
    first = outputs["developer"][0].content
    assert isinstance(first, list) and '"needle needle' in first[0].arguments
    assert len(first[0].arguments) > len(query)
