from pathlib import Path

import pytest

from agents.events import RunEvent
from workbench.store import RunStore, UnknownRunError


def test_events_get_consecutive_seqs_and_round_trip(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("r1", "task", "/repo", "scripted:x")
    store.append(RunEvent(run_id="r1", kind="run_started", payload={"task": "task"}))
    store.append(RunEvent(run_id="r1", kind="phase_changed", payload={"phase": "development"}))
    reopened = RunStore(tmp_path / "runs.db")
    events = reopened.events("r1")
    assert [e.seq for e in events] == [1, 2]
    assert events[1].payload == {"phase": "development"}


def test_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    with pytest.raises(UnknownRunError, match="unknown run id: nope"):
        store.get_run("nope")


def test_artifacts_and_usage(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("r1", "task", "/repo", "scripted:x")
    art = store.add_artifact("r1", "log", "x" * 100_000)
    assert len(store.artifact(art).content) == 100_000
    store.add_usage("r1", 10, 5, 0.01)
    store.add_usage("r1", 1, 1, 0.0)
    run = store.get_run("r1")
    assert (run.prompt_tokens, run.completion_tokens, run.tokens) == (11, 6, 17)
