"""ctrl+c on a headless run: one line, the run is recorded as interrupted, resume finishes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from agents.contracts import RunStatus
from agents.fold import fold
from workbench.demo import demo_task
from workbench.engine.runner import open_pipeline
from workbench.store import RunStore

from ..fake_openai import FakeOpenAIServer, FakeReply
from .conftest import demo_replies
from .test_one_engine import _until

pytestmark = pytest.mark.usefixtures("no_openai_env")


async def test_ctrl_c_interrupts_and_resume_finishes(
    store: RunStore, demo_repo: Path, demo_script: dict[str, Any], tmp_path: Path
) -> None:
    hold = threading.Event()
    replies: list[Any] = [FakeReply.of(r) for r in demo_replies(demo_script)]
    replies[2].hold = hold  # the developer's second call hangs until ctrl+c
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "WORKBENCH"))}
    env.update(WORKBENCH_DB=str(store.path), TMPDIR=str(tmp_path))
    with FakeOpenAIServer(replies) as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workbench", "run", demo_task(), "--repo", str(demo_repo),
             "--model", "openai:fake", "--base-url", server.base_url, "--auto-approve"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        try:
            _until(lambda: len(server.requests) >= 3, "the developer's second model call")
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=60)
        finally:
            hold.set()
        assert proc.returncode == 130, err
        assert err.strip().splitlines() == [
            "interrupted: a started run stays resumable (workbench resume RUN)"]
        run_id = store.runs()[0].run_id
        assert store.get_run(run_id).status == RunStatus.INTERRUPTED.value
        state = fold(store.iter_events(run_id))
        assert state.status is RunStatus.INTERRUPTED and state.stage == "cycle_started"
        assert store.lease(run_id) is None
        row = store.get_run(run_id)  # its clock stopped at the interrupt, in every view
        assert row.duration_s == store.get_run(run_id).duration_s
        assert abs(row.duration_s - state.elapsed) < 2
        with server._lock:  # the interrupted turn starts again: its replies are asked again
            server._replies = [FakeReply.of(r) for r in demo_replies(demo_script)[1:]]
        outcome = await open_pipeline(store, run_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    kinds = [e.kind for e in store.events(run_id)]
    assert kinds.count("run_interrupted") == 1 and kinds.count("run_finished") == 1
