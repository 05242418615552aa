"""Runs through AutoGen's gRPC runtime: a `workbench host` and two `workbench worker`
processes on 127.0.0.1 drive two scripted runs at once, into one shared store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.fold import fold
from workbench.demo import demo_task, prepare_demo_repo
from workbench.store import RunStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(db: Path, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "WORKBENCH"))}
    env.update(WORKBENCH_DB=str(db), TMPDIR=str(tmp_path), PYTHONUNBUFFERED="1")
    return env


def _start(env: dict[str, str], *args: str, ready: str) -> subprocess.Popen[str]:
    """A `workbench` process, returned once it printed ``ready`` (its first line)."""
    proc = subprocess.Popen([sys.executable, "-m", "workbench", *args], env=env, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until the process says it is ready, or exits
    if ready not in line:
        proc.kill()
        raise AssertionError(f"{args[0]} did not start: {line!r} {proc.stderr.read()!r}"
                             if proc.stderr else line)
    return proc


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = _env(tmp_path / "data" / "runs.db", tmp_path)
    address = f"127.0.0.1:{_free_port()}"
    procs = [_start(env, "host", "--port", address.rpartition(":")[2], ready="listening")]
    try:
        for name in ("a", "b"):
            procs.append(_start(env, "worker", "--host", address, "--name", name,
                                ready=f"worker {name} ready"))
        yield address, env
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def test_two_runs_complete_on_two_workers_with_the_events_of_an_in_process_run(
    cluster: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    address, env = cluster
    repos = [prepare_demo_repo(tmp_path) for _ in range(3)]
    runs = [subprocess.Popen(
        [sys.executable, "-m", "workbench", "run", "--repo", str(repo), "--model",
         "scripted:demo", "--auto-approve", "--host", address, "--worker", name, "--json",
         "--", demo_task()],
        env=env, text=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE) for repo, name in zip(repos, ("a", "b"), strict=False)]
    outs = [proc.communicate(timeout=240) for proc in runs]
    assert [proc.returncode for proc in runs] == [0, 0], [err for _, err in outs]
    results = [json.loads(out) for out, _ in outs]
    assert [r["status"] for r in results] == ["APPROVED", "APPROVED"]

    local = subprocess.run(
        [sys.executable, "-m", "workbench", "run", "--repo", str(repos[2]), "--model",
         "scripted:demo", "--auto-approve", "--json", "--", demo_task()],
        env=env, text=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=240,
        check=False)
    assert local.returncode == 0, local.stderr
    store = RunStore(Path(env["WORKBENCH_DB"]))
    in_process_events = store.events(json.loads(local.stdout)["run_id"])
    assert in_process_events[0].payload()["worker"] == ""
    in_process = [e.kind for e in in_process_events if e.kind != "model_chunk"]
    for result, name in zip(results, ("a", "b"), strict=True):
        events = store.events(result["run_id"])
        assert events[0].payload()["worker"] == name  # driven there, recorded here
        assert [e.kind for e in events if e.kind != "model_chunk"] == in_process
        assert fold(events).commit == result["commit"] != ""
    # both ran at once: each one's span overlaps the other's
    spans = [(store.events(r["run_id"])[0].ts, store.events(r["run_id"])[-1].ts)
             for r in results]
    assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1]


def test_a_worker_the_host_does_not_know_is_a_clear_error(
    cluster: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host drops a message to an unknown worker without a word; the dispatcher's
    ping says so instead of waiting for ever."""
    import asyncio

    from workbench import distributed

    address, _env_ = cluster
    monkeypatch.setattr(distributed, "PING_TIMEOUT_S", 1.0)
    assignment = distributed.RunAssignment("no-such-run", "/nonexistent/runs.db")
    with pytest.raises(distributed.WorkerMissing, match="no worker 'nobody' answered"):
        asyncio.run(distributed.dispatch(address, [(assignment, "nobody")]))
    # a known worker with a run its store does not have: a report, not a hang
    report = asyncio.run(distributed.dispatch(address, [(assignment, "a")]))[0]
    assert report.status == "FAILED" and report.worker == "a"


def test_a_host_that_is_not_there_leaves_the_run_resumable(tmp_path: Path) -> None:
    env = _env(tmp_path / "data" / "runs.db", tmp_path)
    repo = prepare_demo_repo(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "run", "--repo", str(repo), "--model",
         "scripted:demo", "--host", f"127.0.0.1:{_free_port()}", "--worker", "a", "--",
         demo_task()], env=env, text=True, stdin=subprocess.DEVNULL, capture_output=True,
        timeout=120, check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "did not take run" in lines[0]
    run_id = RunStore(Path(env["WORKBENCH_DB"])).runs()[0].run_id
    assert f"workbench resume {run_id}" in lines[0]


async def test_a_runs_sandbox_commands_can_run_on_a_build_worker(
    cluster: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    """BuildRequest/BuildResult over the same runtime: the policy is checked here, the
    command runs in worker b's sandbox on the shared worktree, its result comes back."""
    from agents.contracts import RunStatus
    from workbench.engine.runner import create_pipeline

    from .conftest import config_for

    address, _env_ = cluster
    store = RunStore(tmp_path / "local" / "runs.db")
    config = config_for(prepare_demo_repo(tmp_path), "scripted:demo", auto_approve=True,
                        sandbox={"build_host": address, "build_worker": "b"})
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    logs = [e.payload()["data"] for e in store.events(outcome.run_id)
            if e.kind == "artifact" and e.payload()["type"] == "log"]
    assert logs and all(str(d["backend"]).endswith("@b") for d in logs)
    state = fold(store.iter_events(outcome.run_id))
    assert state.test_result is not None and state.test_result.passed == 5


def test_a_worker_without_its_host_says_so_in_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path / "data" / "runs.db", tmp_path)
    address = f"127.0.0.1:{_free_port()}"
    proc = subprocess.run([sys.executable, "-m", "workbench", "worker", "--host", address,
                           "--name", "a"], env=env, text=True, stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot reach the host at {address}" in lines[0], lines


async def test_a_worker_whose_host_goes_away_ends_with_the_reason(tmp_path: Path) -> None:
    """AutoGen's worker runtime does not notice a host that stopped; the worker's heartbeat
    (a ping to itself through the host) does."""
    import asyncio

    from workbench.distributed import HostLost, serve_host, serve_worker

    address = f"127.0.0.1:{_free_port()}"
    host_stop, worker_stop, ready = asyncio.Event(), asyncio.Event(), asyncio.Event()
    host = asyncio.create_task(serve_host(address, host_stop))
    beats: asyncio.Queue[None] = asyncio.Queue()
    worker = asyncio.create_task(serve_worker(address, "a", worker_stop, ready,
                                              heartbeat_s=0.2, deadline_s=1.0,
                                              answered=lambda: beats.put_nowait(None)))
    await asyncio.wait_for(ready.wait(), 30)
    for _ in range(3):  # while the host answers, the worker keeps serving
        await asyncio.wait_for(beats.get(), 30)
    assert not worker.done()
    host_stop.set()
    await host
    with pytest.raises(HostLost, match=f"the host at {address} stopped answering"):
        await asyncio.wait_for(worker, 30)


def test_a_run_parked_on_one_worker_is_resumed_on_another(
    cluster: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    address, env = cluster
    repo = prepare_demo_repo(tmp_path)

    def wb(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "workbench", *args], env=env, text=True,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=240,
                              check=False)

    started = wb("run", "--repo", str(repo), "--model", "scripted:demo", "--host", address,
                 "--worker", "a", "--json", "--", demo_task())
    assert started.returncode == 0, started.stderr
    parked = json.loads(started.stdout)
    assert parked["status"] == "WAITING_FOR_APPROVAL"
    assert wb("approve", parked["run_id"]).returncode == 0
    nowhere = wb("resume", parked["run_id"], "--host", f"127.0.0.1:{_free_port()}",
                 "--worker", "b")  # handed on, not driven here: no host, no resume
    assert nowhere.returncode == 1 and "did not take run" in nowhere.stderr
    resumed = wb("resume", parked["run_id"], "--host", address, "--worker", "b",
                 "--auto-approve", "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "APPROVED"
    state = fold(RunStore(Path(env["WORKBENCH_DB"])).iter_events(parked["run_id"]))
    assert state.final_approval is not None and state.test_result is not None
    assert wb("resume", parked["run_id"], "--host", address).returncode == 2  # usage error
