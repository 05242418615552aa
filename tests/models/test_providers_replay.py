"""replay:RUN_ID re-drives a recorded run: a real scripted demo run, replayed headless."""

from __future__ import annotations

from pathlib import Path

import pytest
from autogen_core import FunctionCall

from agents.contracts import RunStatus
from agents.events import AgentMessage, ModelCall, RunStarted, ToolCall, TurnStarted
from tests.models.test_providers_support import MESSAGES, tiktoken_forbidden
from workbench.demo import demo_task, prepare_demo_repo
from workbench.engine.config import RunConfig
from workbench.engine.runner import create_pipeline
from workbench.models import ModelSpecError, ScriptExhausted, create_client, parse_model_spec
from workbench.models.replay import outputs_from_events
from workbench.store import RunStore


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunStore:
    path = tmp_path / "data" / "runs.db"
    monkeypatch.setenv("WORKBENCH_DB", str(path))  # where replay: finds recorded runs
    return RunStore(path)


async def _demo_run(store: RunStore, tmp_path: Path, model: str) -> str:
    repo = prepare_demo_repo(tmp_path)
    config = RunConfig(task=demo_task(), repo=str(repo), model=model, auto_approve=True)
    with tiktoken_forbidden():
        outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    return outcome.run_id


def _calls(store: RunStore, run_id: str) -> list[tuple[str, int, int, str | None]]:
    return [(e.role, e.prompt_tokens, e.completion_tokens, e.finish_reason)
            for e in store.iter_events(run_id) if isinstance(e, ModelCall)]


def _tools(store: RunStore, run_id: str) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.role, e.name, e.arguments)
            for e in store.iter_events(run_id) if isinstance(e, ToolCall)]


async def test_a_recorded_run_replays_to_the_same_outcome(
    store: RunStore, tmp_path: Path
) -> None:
    recorded = await _demo_run(store, tmp_path, "scripted:demo")
    replayed = await _demo_run(store, tmp_path, f"replay:{recorded}")

    # The same tool calls ran for real on a fresh copy of the repo, and every model call was
    # answered from the recording with its recorded usage, at no cost.
    assert _tools(store, replayed) == _tools(store, recorded)
    assert _calls(store, replayed) == _calls(store, recorded)
    costs = [e.cost for e in store.iter_events(replayed) if isinstance(e, ModelCall)]
    assert costs and set(costs) == {0.0}
    started = next(e for e in store.iter_events(replayed) if isinstance(e, RunStarted))
    assert set(started.models.values()) == {f"replay:{recorded}"}  # as configured
    assert not started.scripted

    # A role's client streams text like a live model and ends where the recording ends.
    client = create_client(parse_model_spec(f"replay:{recorded}"), "reviewer")
    first = [x async for x in client.create_stream(MESSAGES)]
    assert len(first) > 2 and "".join(x for x in first if isinstance(x, str)) == first[-1].content
    await client.create(MESSAGES)
    with pytest.raises(ScriptExhausted, match=f"replay of run {recorded} has no recorded model "
                                              "output #3 left for role reviewer"):
        await client.create(MESSAGES)


def _event(cls: type, role: str, **fields: object) -> object:
    return cls(run_id="r", role=role, **fields)


def test_outputs_skip_failed_attempts_and_calls_never_answered() -> None:
    events = [
        _event(TurnStarted, "developer", turn=1),
        _event(ModelCall, "developer", error="APIConnectionError: refused"),
        _event(ModelCall, "developer", prompt_tokens=10, completion_tokens=2),
        _event(AgentMessage, "developer", content="Looking first.", thought=True),
        _event(ToolCall, "developer", name="open_file", arguments={"path": "a.py"}, call_id="c1"),
        _event(ToolCall, "developer", name="odd", arguments={"_raw": "not json"}, call_id="c2"),
        _event(ModelCall, "reviewer", prompt_tokens=5, completion_tokens=5),  # killed mid-turn
        _event(ModelCall, "developer", prompt_tokens=20, completion_tokens=3),
        _event(AgentMessage, "developer", content="Done."),
        _event(ModelCall, "reviewer", prompt_tokens=7, completion_tokens=1),
        _event(AgentMessage, "reviewer", content='{"status": "APPROVED"}'),
    ]
    outputs = outputs_from_events(events)  # type: ignore[arg-type]
    first, second = outputs["developer"]
    assert first.finish_reason == "function_calls" and first.thought == "Looking first."
    assert first.content == [FunctionCall(id="c1", name="open_file", arguments='{"path": "a.py"}'),
                             FunctionCall(id="c2", name="odd", arguments="not json")]
    assert (first.usage.prompt_tokens, first.usage.completion_tokens) == (10, 2)
    assert second.content == "Done." and second.finish_reason == "stop"
    assert [r.content for r in outputs["reviewer"]] == ['{"status": "APPROVED"}']


def test_unknown_run_or_run_without_outputs_is_one_line(store: RunStore) -> None:
    store.create_run("run-empty", "task", "/repo", "scripted:demo")
    with pytest.raises(ModelSpecError, match="^run run-empty has no recorded model outputs"):
        create_client(parse_model_spec("replay:run-empty"), "developer")
    with pytest.raises(ModelSpecError, match="^unknown run 'nope' in "):
        create_client(parse_model_spec("replay:nope"), "developer")


def test_missing_store_is_one_line(tmp_path: Path) -> None:
    spec = parse_model_spec("replay:r1", db=str(tmp_path / "none.db"))
    with pytest.raises(ModelSpecError, match="^no run store at .*none.db for replay:r1"):
        create_client(spec, "developer")
