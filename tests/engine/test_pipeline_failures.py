"""Bad input and policy: each ends clearly, is recorded, and loses nothing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pygit2
import pytest

from agents.contracts import Decision, FeatureSpec, RunStatus
from agents.fold import fold
from agents.output import parse_contract
from workbench.engine.budgets import Budgets
from workbench.engine.runner import EngineError, approve_run, create_pipeline, open_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script


def _kinds(store: RunStore, run_id: str, kind: str) -> list[dict[str, Any]]:
    return [e.payload() for e in store.events(run_id) if e.kind == kind]


async def test_invalid_spec_three_times_waits_for_the_human_to_write_it(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    good_spec = demo_script["roles"]["requirements"][0]["content"]
    demo_script["roles"]["requirements"] = [
        {"content": "Sure! I will build it."},
        {"content": '{"feature_id": "X", "summary": "s", "risk_level": "extreme"}'},
        {"content": '{"feature_id": "", "summary": "s", "risk_level": "low"}'},
    ]
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    # even auto-approve cannot approve a spec nobody wrote: the run waits at the spec gate
    assert outcome.status is RunStatus.WAITING_FOR_APPROVAL
    asked = _kinds(store, outcome.run_id, "approval_requested")[-1]
    assert asked["gate"] == "spec" and "gave an invalid FeatureSpec 3 times" in asked["message"]
    errors = [p for p in _kinds(store, outcome.run_id, "error") if p.get("contract")]
    assert [e["attempt"] for e in errors] == [1, 2, 3]
    assert any("risk_level" in msg for msg in errors[1]["errors"])
    assert any("in_scope" in msg for msg in errors[2]["errors"])
    state = fold(store.iter_events(outcome.run_id))
    assert state.draft is not None and '"feature_id": ""' in state.draft["text"]

    with pytest.raises(EngineError, match="no valid spec to approve"):
        approve_run(store, outcome.run_id)
    spec = parse_contract(good_spec, FeatureSpec)
    approve_run(store, outcome.run_id, spec=spec)
    resumed = await open_pipeline(store, outcome.run_id).run()
    assert resumed.status is RunStatus.APPROVED, resumed.reason
    assert fold(store.iter_events(outcome.run_id)).spec == spec


async def test_patch_that_does_not_apply_is_shown_to_the_developer_who_retries(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    bad = (
        "--- a/inventory/stock.py\n+++ b/inventory/stock.py\n"
        "@@ -1,2 +1,2 @@\n-this line is not in the file\n+x\n context that is absent\n"
    )
    dev = demo_script["roles"]["developer"]
    dev.insert(1, {"tool_calls": [{"name": "propose_patch", "arguments": {"diff": bad}}]})
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    results = [p for p in _kinds(store, outcome.run_id, "tool_result")
               if p["name"] == "propose_patch"]
    assert results[0]["is_error"] and "does not apply" in results[0]["content"]
    assert not results[1]["is_error"] and "patch applied" in results[1]["content"]


async def test_paths_leaving_the_repo_are_refused_and_recorded(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    os.symlink(outside, demo_repo / "link_out")
    repo = pygit2.Repository(str(demo_repo))
    repo.index.add_all()
    repo.index.write()
    sig = pygit2.Signature("t", "t@t")
    repo.create_commit("HEAD", sig, sig, "add link", repo.index.write_tree(), [repo.head.target])
    attempts = ["../../etc/passwd", "/etc/passwd", "link_out/passwd"]  # all outside the repo
    demo_script["roles"]["developer"].insert(0, {"tool_calls": [
        {"name": "open_file", "arguments": {"path": p}} for p in attempts]})
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    opened = [p for p in _kinds(store, outcome.run_id, "tool_result") if p["name"] == "open_file"]
    assert all(p["is_error"] for p in opened[:3])
    assert not any("root:x:0:0" in p["content"] for p in opened)
    policy = [p for p in _kinds(store, outcome.run_id, "policy") if p["tool"] == "open_file"]
    assert [p["path"] for p in policy] == attempts


async def test_command_off_the_allow_list_is_blocked_by_policy(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    from workbench.engine.runner import approve_run, open_pipeline

    marker = tmp_path / "pwned"
    tester = demo_script["roles"]["tester"]
    tester[2] = {"tool_calls": [{"name": "run_tests",
                                  "arguments": {"command": f"touch {marker}"}}]}
    tester[3] = {"content": '{"command": ["bash", "-c", "touch ' + str(marker) + '"]}'}
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.WAITING_FOR_APPROVAL  # at the command gate
    assert not marker.exists()
    run_tests = [p for p in _kinds(store, outcome.run_id, "tool_result")
                 if p["name"] == "run_tests"]
    assert "BLOCKED_BY_POLICY" in run_tests[0]["content"]
    assert len(_kinds(store, outcome.run_id, "policy")) == 1
    approve_run(store, outcome.run_id, Decision.REJECT)
    stopped = await open_pipeline(store, outcome.run_id).run()
    assert stopped.status is RunStatus.BLOCKED_BY_POLICY
    assert not marker.exists()


async def test_budget_overrun_ends_the_run_with_that_reason(
    store: RunStore, demo_repo: Path
) -> None:
    config = config_for(demo_repo, "scripted:demo", auto_approve=True,
                        budgets=Budgets(max_tool_calls=2))
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.FAILED
    assert outcome.reason == "budget exceeded: tool_calls 3/2"
    assert store.get_run(outcome.run_id).reason == outcome.reason


async def test_garbage_review_is_sent_back_and_corrected(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    demo_script["roles"]["reviewer"].insert(0, {"content": "LGTM, ship it"})
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    errors = [p for p in _kinds(store, outcome.run_id, "error") if p.get("contract")]
    assert len(errors) == 1 and errors[0]["contract"] == "ReviewResult"


async def test_exhausted_script_fails_with_a_clear_reason(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    demo_script["roles"]["tester"] = demo_script["roles"]["tester"][:1]
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.FAILED
    assert "has no response #2 left" in outcome.reason
