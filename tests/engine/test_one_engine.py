"""One engine per run: a second `resume` of a run another process is driving refuses in one
line and records nothing; the first goes on to the end."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from agents.contracts import RunStatus
from agents.fold import fold
from workbench.engine.runner import approve_run, create_pipeline
from workbench.store import RunStore

from ..fake_openai import FakeOpenAIServer, FakeReply
from .conftest import config_for, demo_replies

pytestmark = pytest.mark.usefixtures("no_openai_env")


def _resume(db: Path, run_id: str, tmp: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "WORKBENCH"))}
    env.update(WORKBENCH_DB=str(db), TMPDIR=str(tmp))
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", "resume", run_id, "--auto-approve"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def _until(check: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


async def test_a_second_resume_of_a_driven_run_refuses_in_one_line(
    store: RunStore, demo_repo: Path, demo_script: dict[str, Any], tmp_path: Path
) -> None:
    hold = threading.Event()
    replies: list[Any] = [FakeReply.of(r) for r in demo_replies(demo_script)]
    replies[1].hold = hold  # the developer's first call waits until the test lets it go
    with FakeOpenAIServer(replies) as server:
        config = config_for(demo_repo, "openai:fake", base_url=server.base_url)
        run_id = (await create_pipeline(store, config).run()).run_id
        approve_run(store, run_id)
        first = _resume(store.path, run_id, tmp_path)
        try:
            _until(lambda: len(server.requests) >= 2, "the first resume to call the model")
            events_before = len(store.events(run_id))
            second = _resume(store.path, run_id, tmp_path)
            out, err = second.communicate(timeout=120)
            assert second.returncode == 2, (out, err)
            lines = err.strip().splitlines()
            assert len(lines) == 1 and "is being driven by pid" in lines[0], err
            assert f"pid {first.pid}" in lines[0]
            assert len(store.events(run_id)) == events_before  # the refusal recorded nothing
        finally:
            hold.set()
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    state = fold(store.iter_events(run_id))
    assert state.status is RunStatus.APPROVED
    events = store.events(run_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert sum(e.kind == "run_finished" for e in events) == 1
    assert store.lease(run_id) is None  # released at the end
