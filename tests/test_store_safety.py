"""The store under several processes, with a damaged file, its file modes and run leases."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import re
import sqlite3
import statistics
import time
from collections.abc import Sequence
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path

import pytest

from agents.events import make_event
from workbench import store as store_module
from workbench import store_schema
from workbench.store import RunBusy, RunStore, StoreDamaged, StoreError

# fork: the workers are plain functions of this module and start in milliseconds.
CTX = mp.get_context("fork")
WAIT_S = 60.0
PROCESSES = 8
APPENDS = 25


def _join_all(procs: Sequence[mp.process.BaseProcess]) -> None:
    for p in procs:
        p.join(WAIT_S)
    assert [p.exitcode for p in procs] == [0] * len(procs)


def _drain(queue: Queue[object], count: int) -> list[object]:
    return [queue.get(timeout=WAIT_S) for _ in range(count)]


# several processes -------------------------------------------------------------------
def _open_and_append(path: str, name: str, start: Barrier, out: Queue[object]) -> None:
    try:
        start.wait(WAIT_S)
        store = RunStore(path)
        store.create_run(name, "task", "/repo", "scripted:x")
        for i in range(APPENDS):
            store.append(make_event("steer", run_id="shared", role="human", text=f"{name} {i}"))
            store.append(make_event("steer", run_id=name, role="human", text=str(i)))
        store.close()
        out.put("ok")
    except BaseException as exc:
        out.put(f"{name}: {exc!r}")
        raise


def test_processes_opening_a_new_store_at_once_all_append(tmp_path: Path) -> None:
    path = str(tmp_path / "new" / "runs.db")
    start, out = CTX.Barrier(PROCESSES), CTX.Queue()
    procs = [CTX.Process(target=_open_and_append, args=(path, f"p{n}", start, out))
             for n in range(PROCESSES)]
    for p in procs:
        p.start()
    results = _drain(out, PROCESSES)
    _join_all(procs)
    assert results == ["ok"] * PROCESSES

    store = RunStore(path)
    shared = store.events("shared")
    assert [e.seq for e in shared] == list(range(1, PROCESSES * APPENDS + 1))
    for n in range(PROCESSES):
        mine = [e.text for e in shared if e.text.startswith(f"p{n} ")]  # type: ignore[attr-defined]
        assert mine == [f"p{n} {i}" for i in range(APPENDS)]  # each process's order is kept
        own = store.events(f"p{n}")
        assert [e.seq for e in own] == list(range(1, APPENDS + 1))
    assert len(store.runs()) == PROCESSES


# damage ------------------------------------------------------------------------------
def _filled_store(path: Path, events: int = 3000) -> None:
    store = RunStore(path)
    store.create_run("r1", "task", "/repo", "scripted:x")
    store.append_many([
        make_event("tool_result", run_id="r1", seq=n, role="developer", name="read_file",
                   content=f"line {n}\n" * 20) for n in range(1, events + 1)])
    store.add_artifact("r1", "log", "x" * 50_000)
    store.close()


def test_garbage_in_the_middle_of_the_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _filled_store(path)
    RunStore(path).close()  # sound before
    size = path.stat().st_size
    assert size > 200_000
    with path.open("r+b") as f:
        f.seek(size // 2)
        f.write(random.Random(7).randbytes(4096))
    with pytest.raises(StoreDamaged) as caught:
        RunStore(path)
    message = str(caught.value)
    assert str(path) in message and "damaged" in message
    assert "\n" not in message
    assert isinstance(caught.value, StoreError)


@pytest.mark.parametrize("content", [b"this is not a database " * 300, b"\x00" * 50 + b"junk"])
def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "runs.db"
    path.write_bytes(content)
    with pytest.raises(StoreDamaged, match=re.escape(str(path))) as caught:
        RunStore(path)
    assert "\n" not in str(caught.value)


def test_a_damaged_header_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _filled_store(path, events=50)
    with path.open("r+b") as f:
        f.write(b"X" * 100)
    with pytest.raises(StoreDamaged, match="not a database"):
        RunStore(path)


def _raw_store(path: Path, events: int) -> None:
    """A store of ``events`` realistic rows, written with plain SQL (fast to build)."""
    RunStore(path).close()
    conn = sqlite3.connect(path)
    text = "src/inventory/stock.py:41: def low_stock(self, threshold: int) -> list[Item]:\n"
    payload = make_event("tool_result", name="read_file", content=text * 3).dump()["payload"]
    conn.executemany("INSERT INTO events (run_id, seq, ts, kind, role, payload, v) "
                     "VALUES ('big', ?, ?, 'tool_result', 'developer', ?, 2)",
                     [(n, float(n), payload) for n in range(1, events + 1)])
    conn.commit()
    conn.close()


def _median_s(action: object, times: int = 7) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def test_opening_a_store_of_50k_events_stays_fast(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    _raw_store(path, 50_000)

    def bare() -> None:
        sqlite3.connect(path).close()

    def check() -> None:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA quick_check(5)").fetchall()
        conn.close()

    def open_store() -> None:
        RunStore(path).close()

    quick_check = _median_s(check) - _median_s(bare)
    opening = _median_s(open_store)
    print(f"\n{path.stat().st_size / 1e6:.1f} MB: quick_check {quick_check * 1000:.1f} ms, "
          f"RunStore() {opening * 1000:.1f} ms")
    assert quick_check < 0.1  # ~15 ms measured; generous for loaded machines
    assert opening < 0.15


def test_the_check_of_a_very_large_store_is_cut_off_in_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "runs.db"
    _raw_store(path, 20_000)
    monkeypatch.setattr(store_schema, "FULL_CHECK_BYTES", 0)
    monkeypatch.setattr(store_schema, "CHECK_BUDGET_S", 0.0005)
    start = time.perf_counter()
    store = RunStore(path)
    assert time.perf_counter() - start < 1.0
    # The interrupt never reaches later statements.
    time.sleep(0.01)
    assert len(store.events("big")) == 20_000


# file modes --------------------------------------------------------------------------
def test_folder_is_0700_and_files_0600_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "home" / "workbench" / "runs.db"
    old = os.umask(0)
    try:
        store = RunStore(path)
        store.append(make_event("steer", run_id="r1", text="x"))
        for folder in (path.parent, path.parent.parent):
            assert folder.stat().st_mode & 0o777 == 0o700
        for name in ("runs.db", "runs.db-wal", "runs.db-shm"):
            assert (path.parent / name).stat().st_mode & 0o777 == 0o600, name
        store.close()
    finally:
        os.umask(old)


def test_an_existing_world_readable_store_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    RunStore(path).close()
    path.chmod(0o644)
    RunStore(path).close()
    assert path.stat().st_mode & 0o777 == 0o600


# versions ----------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["schema_version", "event_version"])
def test_a_store_from_a_newer_version_is_refused_in_one_line(tmp_path: Path, key: str) -> None:
    path = tmp_path / "runs.db"
    store = RunStore(path)
    store.conn.execute("UPDATE meta SET value = '99' WHERE key = ?", [key])
    store.close()
    with pytest.raises(StoreError, match="newer Workbench") as caught:
        RunStore(path)
    assert "\n" not in str(caught.value)


# leases ------------------------------------------------------------------------------
ROUNDS = 20


def _race(path: str, start: Barrier, done: Barrier, out: Queue[object]) -> None:
    store = RunStore(path)
    for n in range(ROUNDS):
        start.wait(WAIT_S)
        try:
            store.acquire_lease(f"r{n}")
            out.put((n, True))
        except RunBusy:
            out.put((n, False))
        done.wait(WAIT_S)  # the winner stays alive until the loser has tried
    store.close()


def test_two_processes_racing_for_a_lease_one_wins_each_time(tmp_path: Path) -> None:
    path = str(tmp_path / "runs.db")
    store = RunStore(path)
    for n in range(ROUNDS):
        store.create_run(f"r{n}", "task", "/repo", "scripted:x")
    start, done, out = CTX.Barrier(2), CTX.Barrier(2), CTX.Queue()
    procs = [CTX.Process(target=_race, args=(path, start, done, out)) for _ in range(2)]
    for p in procs:
        p.start()
    results = _drain(out, 2 * ROUNDS)
    _join_all(procs)
    wins = {n: sum(won for m, won in results if m == n)  # type: ignore[misc, has-type]
            for n in range(ROUNDS)}
    assert wins == {n: 1 for n in range(ROUNDS)}
    held = {store.lease(f"r{n}").pid for n in range(ROUNDS)}  # type: ignore[union-attr]
    assert held <= {p.pid for p in procs}


def _hold(path: str, run_id: str, acquired: Event, release: Event) -> None:
    store = RunStore(path)
    store.acquire_lease(run_id)
    acquired.set()
    release.wait(WAIT_S)
    store.close()  # exits without releasing, as a crashed engine would


def test_a_live_holder_refuses_and_a_dead_one_is_taken_over(tmp_path: Path) -> None:
    path = str(tmp_path / "runs.db")
    store = RunStore(path)
    store.create_run("r1", "task", "/repo", "scripted:x")
    acquired, release = CTX.Event(), CTX.Event()
    holder = CTX.Process(target=_hold, args=(path, "r1", acquired, release))
    holder.start()
    assert acquired.wait(WAIT_S)
    try:
        with pytest.raises(RunBusy) as caught:
            store.acquire_lease("r1")
        message = str(caught.value)
        assert re.fullmatch(rf"run r1 is being driven by pid {holder.pid} on host \S+ "
                            r"\(heartbeat \d+ s ago\)", message), message
    finally:
        release.set()
        holder.join(WAIT_S)
    assert holder.exitcode == 0
    lease = store.lease("r1")
    assert lease is not None and lease.pid == holder.pid  # left behind by the dead process
    token = store.acquire_lease("r1")
    lease = store.lease("r1")
    assert lease is not None and lease.pid == os.getpid()
    assert store.release_lease("r1", token)


def test_lease_rules_in_one_process(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("r1", "task", "/repo", "scripted:x")
    assert store.lease("r1") is None
    token = store.acquire_lease("r1")
    with pytest.raises(RunBusy, match="driven by this process"):
        store.acquire_lease("r1")  # not re-entrant
    store.heartbeat("r1", token)
    with pytest.raises(RunBusy, match="lost"):
        store.heartbeat("r1", "not-the-token")
    assert not store.release_lease("r1", "not-the-token")
    assert store.lease("r1") is not None
    assert store.release_lease("r1", token)
    assert store.lease("r1") is None
    with pytest.raises(RunBusy, match="lost"):
        store.heartbeat("r1", token)


def _set_lease(store: RunStore, run_id: str, pid: int, host: str, beat: float) -> None:
    store.conn.execute("UPDATE runs SET lease_pid = ?, lease_host = ?, lease_heartbeat = ?, "
                       "lease_token = 'theirs' WHERE run_id = ?", [pid, host, beat, run_id])


def test_stale_foreign_and_pid_reused_leases(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("r1", "task", "/repo", "scripted:x")
    # Another host, fresh heartbeat: its pid cannot be checked from here.
    _set_lease(store, "r1", 1, "elsewhere", time.time())
    with pytest.raises(RunBusy, match="pid 1 on host elsewhere"):
        store.acquire_lease("r1")
    # ... until the heartbeat is older than stale_after_s.
    _set_lease(store, "r1", 1, "elsewhere", time.time() - 31)
    store.release_lease("r1", store.acquire_lease("r1"))
    _set_lease(store, "r1", 1, "elsewhere", time.time() - 5)
    store.release_lease("r1", store.acquire_lease("r1", stale_after_s=2))
    # A live local process (pid 1 runs) with an old heartbeat is taken over too.
    _set_lease(store, "r1", 1, store._host, time.time() - 60)
    store.release_lease("r1", store.acquire_lease("r1"))
    # Our pid but a token this process never issued: an earlier process with our pid.
    _set_lease(store, "r1", os.getpid(), store._host, time.time())
    store.release_lease("r1", store.acquire_lease("r1"))
    with pytest.raises(store_module.UnknownRunError):
        store.acquire_lease("nope")
