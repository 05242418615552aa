"""Every command event names the backend that ran it; the local runner's results carry a
warning, recorded once per run as a policy event; the log artifact keeps the whole output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.contracts import Role
from tests.sandbox.conftest import Checkout
from workbench import gitops
from workbench.engine.bus import EventBus
from workbench.engine.evidence import Evidence
from workbench.sandbox import Sandbox
from workbench.sandbox_bwrap import bwrap_problem
from workbench.store import RunStore

PRINT = ["python", "-c", "print('x' * 5000)"]


def evidence(tmp_path: Path, checkout: Checkout, backend: str, run_id: str
             ) -> tuple[RunStore, Evidence]:
    store = RunStore(tmp_path / "runs.db")
    store.create_run(run_id, "task", str(checkout.repo), "scripted:demo")
    wt = gitops.RunWorktree(checkout.repo, checkout.wt, "workbench/run1", "")
    box = Sandbox(checkout.wt, timeout_s=30, allow=[("python", "-c")], backend=backend,
                  max_output_bytes=1000)
    return store, Evidence(store, EventBus(store, run_id), run_id, wt, box)


def payloads(store: RunStore, run_id: str, kind: str) -> list[dict[str, Any]]:
    return [e.payload() for e in store.events(run_id) if e.kind == kind]


async def test_local_commands_are_recorded_as_not_jailed(tmp_path: Path,
                                                         checkout: Checkout) -> None:
    store, ev = evidence(tmp_path, checkout, "local", "local-run")
    first = await ev.run_tests(PRINT, Role.TESTER)
    await ev.run_tests(PRINT, Role.TESTER)
    assert first.command.warning.startswith("local runner: not a jail")
    logs = payloads(store, "local-run", "artifact")
    assert [p["data"]["backend"] for p in logs] == ["local", "local"]
    assert not logs[0]["data"]["jailed"] and logs[0]["data"]["warning"] == first.command.warning
    policy = payloads(store, "local-run", "policy")
    assert [p["message"] for p in policy] == [first.command.warning]  # once per run
    log = store.artifact(logs[0]["artifact_id"]).content
    assert log.count("x") == 5000 and len(first.command.output) < 1100  # whole log, capped view


@pytest.mark.skipif(bwrap_problem() is not None, reason=str(bwrap_problem()))
async def test_jailed_commands_record_their_backend(tmp_path: Path, checkout: Checkout) -> None:
    store, ev = evidence(tmp_path, checkout, "bwrap", "jail-run")
    run = await ev.run_tests(PRINT, Role.TESTER)
    assert run.command.exit_code == 0 and not run.command.warning
    data = payloads(store, "jail-run", "artifact")[0]["data"]
    assert (data["backend"], data["jailed"]) == ("bwrap", True) and "warning" not in data
    assert payloads(store, "jail-run", "policy") == []
