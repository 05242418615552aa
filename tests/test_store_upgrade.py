"""Opening a store written by Workbench 0.1.0 (layout 1, event schema 1) upgrades it once."""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest

from agents import events as event_types
from agents.events import (
    EVENT_CLASSES,
    EVENT_SCHEMA_VERSION,
    ArtifactRecorded,
    PhaseChanged,
    RunFinished,
    RunParked,
)
from workbench.store import SCHEMA_VERSION, RunStore, StoreError

FIXTURE = Path(__file__).parent / "data" / "store_v1.tar.gz"
RUNS = {"legacy-done": 93, "legacy-final": 88, "legacy-spec": 11}
OLD_REPO_DIR = "/tmp/tmp_gw_j62p"


@pytest.fixture
def v1_db(tmp_path: Path) -> Path:
    """The 0.1.0 store and its demo repositories, extracted (not yet opened)."""
    with tarfile.open(FIXTURE) as archive:
        archive.extractall(tmp_path, filter="data")
    return tmp_path / "runs.db"


def _point_runs_at(store: RunStore, folder: Path) -> None:
    """Make the runs name the extracted repositories instead of the ones they were made in."""
    for run in store.runs():
        repo = str(folder / Path(run.repo).name)
        config = json.loads(run.config)
        config["repo"] = repo
        store.update_run(run.run_id, repo=repo, config=json.dumps(config))


def _snapshot(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {
            "schema": conn.execute("SELECT type, name, sql FROM sqlite_master "
                                   "ORDER BY name").fetchall(),
            **{t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables},
        }
    finally:
        conn.close()


def test_the_fixture_is_a_layout_1_store(v1_db: Path) -> None:
    snap = _snapshot(v1_db)
    assert "meta" not in snap
    cols = [r[1] for r in sqlite3.connect(v1_db).execute("PRAGMA table_info(events)")]
    assert "v" not in cols
    assert sum(1 for r in snap["events"] if r[4] == "run_finished") == 6


def test_opening_upgrades_every_event(v1_db: Path) -> None:
    store = RunStore(v1_db)
    assert dict(store.conn.execute("SELECT key, value FROM meta").fetchall()) == {
        "schema_version": str(SCHEMA_VERSION), "event_version": str(EVENT_SCHEMA_VERSION)}
    assert store.conn.execute("SELECT DISTINCT v FROM events").fetchall() == [
        (EVENT_SCHEMA_VERSION,)]
    assert {r.run_id for r in store.runs()} == set(RUNS)

    for run_id, count in RUNS.items():
        events = store.events(run_id)
        assert [e.seq for e in events] == list(range(1, count + 1))  # no gaps, same seqs
        for event in events:
            cls = EVENT_CLASSES[event.kind]
            assert type(event) is cls
            assert cls.model_validate(event.model_dump()) == event  # a valid v2 event

    # Parking at a gate is run_parked; only the committed run has a run_finished.
    parked = {(e.run_id, e.seq, e.gate) for r in RUNS for e in store.events(r)
              if isinstance(e, RunParked)}
    assert parked == {("legacy-done", 11, "spec"), ("legacy-done", 88, "final"),
                      ("legacy-final", 11, "spec"), ("legacy-final", 88, "final"),
                      ("legacy-spec", 11, "spec")}
    finished = [e for r in RUNS for e in store.events(r) if isinstance(e, RunFinished)]
    assert [(e.run_id, e.seq, e.status) for e in finished] == [("legacy-done", 93, "APPROVED")]
    assert isinstance(store.events("legacy-final")[-1], RunParked)
    assert isinstance(store.events("legacy-spec")[-1], RunParked)

    phase = store.events("legacy-done")[1]
    assert isinstance(phase, PhaseChanged) and phase.active_role == "requirements"


def test_patch_artifact_events_keep_files_but_not_bodies(v1_db: Path) -> None:
    store = RunStore(v1_db)
    patches = [e for r in RUNS for e in store.events(r)
               if isinstance(e, ArtifactRecorded) and e.type == "patch"]
    assert len(patches) == 6
    for event in patches:
        assert event.data is None
        assert "README.md" in event.files and "inventory/stock.py" in event.files
        assert event.artifact_id is not None
        assert "diff --git" in store.artifact(event.artifact_id).content  # body in the table
    stored = store.conn.execute("SELECT payload FROM events WHERE kind = 'artifact'").fetchall()
    assert not any("diff --git" in p for (p,) in stored)
    bodies = [e for r in RUNS for e in store.events(r)
              if isinstance(e, ArtifactRecorded) and e.type in ("log", "agent_state", "evidence")]
    assert bodies and all(e.data is None for e in bodies)
    spec = next(e for e in store.events("legacy-spec")
                if isinstance(e, ArtifactRecorded) and e.type == "spec")
    assert spec.data and spec.data["feature_id"] == "INV-7"  # small contracts stay


def test_opening_again_changes_nothing(v1_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    RunStore(v1_db).close()
    upgraded = _snapshot(v1_db)

    def no_upgrade(self: RunStore) -> None:
        raise AssertionError("upgraded twice")

    monkeypatch.setattr(RunStore, "_upgrade_events", no_upgrade)
    RunStore(v1_db).close()
    assert _snapshot(v1_db) == upgraded
    assert len(upgraded["events"]) == sum(RUNS.values())


def test_runs_keep_working_after_the_upgrade(v1_db: Path) -> None:
    store = RunStore(v1_db)
    _point_runs_at(store, v1_db.parent)
    run = store.get_run("legacy-final")
    assert Path(run.repo).is_dir() and (Path(run.repo) / ".git").exists()
    assert json.loads(run.config)["repo"] == run.repo
    assert (run.status, run.phase) == ("WAITING_FOR_APPROVAL", "final_gate")
    assert store.find_run("legacy-s").run_id == "legacy-spec"
    token = store.acquire_lease("legacy-final")  # the lease columns were added
    assert store.release_lease("legacy-final", token)
    assert store.append(store.events("legacy-spec")[0].model_copy()).seq == 12


def test_a_failed_upgrade_changes_nothing(v1_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(v1_db)
    real = event_types.build_event
    calls = 0

    def failing(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 150:
            raise ValueError("boom")
        return real(*args)

    monkeypatch.setattr(event_types, "build_event", failing)
    with pytest.raises(StoreError, match="cannot upgrade") as caught:
        RunStore(v1_db)
    assert "\n" not in str(caught.value)
    assert _snapshot(v1_db) == before  # one transaction: all rows or none
    monkeypatch.setattr(event_types, "build_event", real)
    assert len(RunStore(v1_db).events("legacy-done")) == 93


def _open(path: str, start: Any, out: Any) -> None:
    try:
        start.wait(60)
        RunStore(path).close()
        out.put("ok")
    except BaseException as exc:
        out.put(repr(exc))
        raise


def test_processes_opening_an_old_store_at_once_upgrade_it_once(v1_db: Path) -> None:
    ctx = mp.get_context("fork")
    start, out = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_open, args=(str(v1_db), start, out)) for _ in range(4)]
    for p in procs:
        p.start()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(60)
    assert results == ["ok"] * 4
    store = RunStore(v1_db)
    kinds = [k for (k,) in store.conn.execute("SELECT kind FROM events")]
    assert kinds.count("run_parked") == 5 and kinds.count("run_finished") == 1
    assert len(kinds) == sum(RUNS.values())


SECRET = "ghp_" + "Zq8Rw2Lk5Vn7Xc1Bt4Mh6Jd9Fs3Pa0Ge2Ku8"


def test_run_rows_written_unmasked_are_masked_once_on_opening(tmp_path: Path) -> None:
    """A layout-3 store may hold run rows an older Workbench wrote unmasked; opening it masks
    them, so the run list can print rows as stored."""
    db = tmp_path / "runs.db"
    RunStore(db).close()
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        conn.execute("INSERT INTO runs (run_id, task, repo, model, status, phase, started_at, "
                     "reason, prompt_tokens, completion_tokens, cost, branch, config) VALUES "
                     "('old-run', ?, '/r', 'scripted:demo', 'FAILED', 'done', 1.0, ?, 0, 0, 0, "
                     "'', ?)", [f"use token {SECRET} to call", f"401 for {SECRET}",
                                json.dumps({"api_key": SECRET, "repo": "/r"})])
    conn.close()
    store = RunStore(db)
    run = store.get_run("old-run")
    assert SECRET not in run.task + run.reason + run.config
    assert run.task.startswith("use token ") and json.loads(run.config)["repo"] == "/r"
    layout = sqlite3.connect(db).execute(
        "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert layout == str(SCHEMA_VERSION) == "4"
