import sqlite3
from pathlib import Path

import pytest

from agents.events import EVENT_SCHEMA_VERSION, PhaseChanged, RunStarted, make_event
from workbench.store import RunRecord, RunStore, UnknownRunError


def test_events_get_consecutive_seqs_and_round_trip(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("r1", "task", "/repo", "scripted:x")
    first = store.append(make_event("run_started", run_id="r1", task="task"))
    store.append(make_event("phase_changed", run_id="r1", phase="development",
                            active_role="developer"))
    assert first.seq == 1
    reopened = RunStore(tmp_path / "runs.db")
    events = reopened.events("r1")
    assert [e.seq for e in events] == [1, 2]
    assert isinstance(events[0], RunStarted) and events[0].task == "task"
    assert isinstance(events[1], PhaseChanged)
    assert events[1].payload() == {"phase": "development", "active_role": "developer",
                                   "cycle": None}
    assert [e.seq for e in reopened.events("r1", after_seq=1)] == [2]
    assert [e.seq for e in reopened.iter_events("r1", upto_seq=1)] == [1]


def test_every_written_row_carries_the_event_schema_version(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.append(make_event("steer", run_id="r1", role="human", text="smaller diff"))
    store.append_many([make_event("steer", run_id="r2", seq=n, role="human", text=str(n))
                       for n in (1, 2)])
    versions = {row[0] for row in store.conn.execute("SELECT v FROM events")}
    assert versions == {EVENT_SCHEMA_VERSION}
    assert [e.text for e in store.events("r2")] == ["1", "2"]  # type: ignore[attr-defined]


def test_rows_of_an_older_event_version_are_upgraded_when_read(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.conn.execute(
        "INSERT INTO events (run_id, seq, ts, kind, role, payload, v) VALUES (?, ?, ?, ?, ?, ?, 1)",
        ["r1", 1, 1.0, "run_finished", "system",
         '{"status": "WAITING_FOR_APPROVAL", "reason": "waiting for approval at the spec gate"}'])
    [event] = store.events("r1")
    assert event.kind == "run_parked"
    assert event.gate == "spec"  # type: ignore[attr-defined]


def test_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    with pytest.raises(UnknownRunError, match="unknown run id: nope"):
        store.get_run("nope")
    with pytest.raises(UnknownRunError):
        store.update_run("nope", status="RUNNING")


def test_runs_update_and_find(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("abc_1", "task", "/repo", "scripted:x", status="RUNNING", started_at=1.0)
    store.create_run("abd_2", "task", "/repo", "scripted:x", started_at=2.0)
    store.update_run("abc_1", status="APPROVED", finished_at=5.0, reason="done")
    run = store.get_run("abc_1")
    assert isinstance(run, RunRecord)
    assert (run.status, run.finished_at, run.reason, run.duration_s) == ("APPROVED", 5.0,
                                                                          "done", 4.0)
    assert store.find_run("abc").run_id == "abc_1"
    assert store.find_run("abd_2").run_id == "abd_2"
    with pytest.raises(UnknownRunError):
        store.find_run("ab")  # two runs match
    with pytest.raises(UnknownRunError):
        store.find_run("ab_")  # "_" is a literal, not a LIKE wildcard
    assert [r.run_id for r in store.runs()] == ["abd_2", "abc_1"]
    with pytest.raises(TypeError, match="unknown run field"):
        store.update_run("abc_1", lease_token="x")
    with pytest.raises(sqlite3.IntegrityError):
        store.create_run("abc_1", "again", "/repo", "scripted:x")


def test_artifacts_and_usage(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("r1", "task", "/repo", "scripted:x")
    art = store.add_artifact("r1", "log", "x" * 100_000)
    assert len(store.artifact(art).content) == 100_000
    assert store.add_artifact("r1", "log", "y") == art + 1
    with pytest.raises(LookupError):
        store.artifact(999)
    store.add_usage("r1", 10, 5, 0.01)
    store.add_usage("r1", 1, 1, 0.0)
    run = store.get_run("r1")
    assert (run.prompt_tokens, run.completion_tokens, run.tokens) == (11, 6, 17)


def test_memory_store_works(tmp_path: Path) -> None:
    store = RunStore(":memory:")
    store.create_run("r1", "task", "/repo", "scripted:x")
    assert store.append(make_event("steer", run_id="r1", text="x")).seq == 1


def test_the_store_and_the_event_classes_agree_on_the_event_schema() -> None:
    from workbench.store_schema import EVENT_VERSION

    assert EVENT_VERSION == EVENT_SCHEMA_VERSION


def test_events_read_back_equal_the_validated_ones_field_for_field(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    written = [store.append(make_event("tool_result", run_id="r1", name="read_file",
                                       call_id=f"c{n}", content=f"line {n}"))
               for n in range(3)]
    written.append(store.append(make_event("steer", run_id="r1", role="human", text="x")))
    read = RunStore(tmp_path / "runs.db").events("r1")
    assert read == written
    for got, want in zip(read, written, strict=True):
        assert list(got.payload().items()) == list(want.payload().items())
        assert got.summary() == want.summary()
    read[0].content = "changed"  # type: ignore[attr-defined]
    assert read[1].content == "line 1"  # type: ignore[attr-defined]


def test_deferred_events_get_their_seq_at_once_and_are_written_in_order(
        tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    store = RunStore(path)
    store.create_run("r1", "task", "/repo", "scripted:x")
    first = store.append(make_event("steer", run_id="r1", text="a"), defer=True)
    store.update_run("r1", prompt_tokens=7, completion_tokens=1, cost=0.5)  # waits too
    other = RunStore(path)  # another connection sees nothing yet
    assert other.events("r1") == [] and other.get_run("r1").prompt_tokens == 0
    second = store.append(make_event("steer", run_id="r1", text="b"), defer=True)
    assert (first.seq, second.seq) == (1, 2)
    store.add_artifact("r1", "log", "x")  # any write takes the deferred events with it
    assert [e.text for e in other.events("r1")] == ["a", "b"]  # type: ignore[attr-defined]
    assert other.get_run("r1").prompt_tokens == 7
    third = store.append(make_event("steer", run_id="r1", text="c"), defer=True)
    assert [e.seq for e in store.events("r1")] == [1, 2, 3] and third.seq == 3  # reads flush


def test_deferred_events_move_after_what_another_process_appended(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    store, other = RunStore(path), RunStore(path)
    store.append(make_event("steer", run_id="r1", text="mine"), defer=True)
    other.append(make_event("steer", run_id="r1", text="theirs"))
    store.flush()
    assert [(e.seq, e.text) for e in other.events("r1")] == [  # type: ignore[attr-defined]
        (1, "theirs"), (2, "mine")]


def test_rows_written_before_masking_are_masked_when_shown(tmp_path: Path) -> None:
    from agents.redact import MASK

    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    store = RunStore(tmp_path / "runs.db")
    store.append(make_event("steer", run_id="r1", text=f"token {secret}"))
    store.conn.execute(  # as an older Workbench wrote it: unmasked, masked = 0
        "INSERT INTO events (run_id, seq, ts, kind, role, payload, v) VALUES "
        "('r1', 2, 1.0, 'steer', 'human', ?, 2)", [f'{{"text": "token {secret}"}}'])
    shown = [row.payload["text"] for row in store.iter_payloads("r1")]
    assert shown == [f"token {MASK}"] * 2
    masked = [m for (m,) in store.conn.execute("SELECT masked FROM events ORDER BY seq")]
    assert masked[0] >= 1 and masked[1] == 0
