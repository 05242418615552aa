"""A run whose engine died is shown as interrupted (and resumable), never as running."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from agents.events import RunStarted
from agents.fold import fold
from workbench.recovery import mark_dead_runs
from workbench.store import RunStore


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_a_running_run_with_a_dead_engine_is_marked_interrupted(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("dead", "t", "/r", "scripted:demo", status="RUNNING")
    store.create_run("alive", "t", "/r", "scripted:demo", status="RUNNING")
    store.create_run("parked", "t", "/r", "scripted:demo", status="WAITING_FOR_APPROVAL")
    token = store.acquire_lease("dead")
    store.conn.execute("UPDATE runs SET lease_pid = ? WHERE run_id = 'dead'", [_dead_pid()])
    held = store.acquire_lease("alive")  # this process drives it

    store.append(RunStarted(run_id="dead", task="t", repo="/r", models={}))
    store.conn.execute("UPDATE events SET ts = 1000.0 WHERE run_id = 'dead'")
    assert mark_dead_runs(store) == ["dead"]
    assert store.get_run("dead").finished_at == 1000.0  # its last sign of life
    assert store.get_run("dead").status == "INTERRUPTED"
    assert fold(store.iter_events("dead")).status.value == "INTERRUPTED"
    assert store.lease("dead") is None
    assert store.get_run("alive").status == "RUNNING" and store.lease("alive") is not None
    assert store.get_run("parked").status == "WAITING_FOR_APPROVAL"
    assert mark_dead_runs(store) == []  # once
    store.release_lease("alive", held)
    assert token  # the dead engine's token no longer holds anything
    assert not store.release_lease("dead", token)
