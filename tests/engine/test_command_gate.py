"""A command the policy blocks stops its step at the command gate: the human runs it once,
allows it for the repository, sends the role back, or stops the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.contracts import Decision, RunStatus
from agents.fold import fold
from workbench.allowlist import allowed_commands
from workbench.engine.runner import EngineError, approve_run, create_pipeline, open_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script

PRINT = ["python", "-c", "print('approved-command-ran')"]


def _kinds(store: RunStore, run_id: str, kind: str) -> list[dict[str, Any]]:
    return [e.payload() for e in store.events(run_id) if e.kind == kind]


def _blocked_in_turn(demo_script: dict[str, Any]) -> None:
    """The tester calls run_tests with a command off the allow-list, then writes its plan."""
    demo_script["roles"]["tester"][2] = {"tool_calls": [
        {"name": "run_tests", "arguments": {"command": " ".join(
            ["python", "-c", '"print(\'approved-command-ran\')"'])}}]}


async def _parked(store: RunStore, demo_repo: Path, tmp_path: Path,
                  demo_script: dict[str, Any]) -> str:
    _blocked_in_turn(demo_script)
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.WAITING_FOR_APPROVAL, outcome.reason
    return outcome.run_id


async def test_a_blocked_command_waits_at_the_command_gate_even_under_auto_approve(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    rid = await _parked(store, demo_repo, tmp_path, demo_script)
    state = fold(store.iter_events(rid))
    assert state.pending_approval == "command"
    assert state.command_request is not None
    assert state.command_request.argv == PRINT
    assert state.command_request.role == "tester"
    assert state.command_request.resume == "turn"
    assert _kinds(store, rid, "policy"), "the blocked command is a policy event"
    result = [p for p in _kinds(store, rid, "tool_result") if p["name"] == "run_tests"][0]
    assert "BLOCKED_BY_POLICY" in result["content"]
    logs = [store.artifact(p["artifact_id"]).content for p in _kinds(store, rid, "artifact")
            if p["type"] == "log"]
    assert logs and not any("approved-command-ran" in log for log in logs), "it never ran"


async def test_a_plain_approve_at_the_command_gate_names_the_command_and_the_choices(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    rid = await _parked(store, demo_repo, tmp_path, demo_script)
    with pytest.raises(EngineError, match=r"--allow-command runs it once") as err:
        approve_run(store, rid, Decision.APPROVE)
    assert "print(" in str(err.value)


async def test_run_once_runs_that_command_and_the_role_goes_on_with_its_output(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    rid = await _parked(store, demo_repo, tmp_path, demo_script)
    approve_run(store, rid, Decision.APPROVE, allow_command=True)
    outcome = await open_pipeline(store, rid, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    tasks = [p["task"] for p in _kinds(store, rid, "turn_started")]
    fed_back = [t for t in tasks if "approved the command" in t]
    assert fed_back and "approved-command-ran" in fed_back[0]
    assert allowed_commands(store.path, demo_repo) == [], "once is not always"


async def test_allow_for_the_repository_lets_a_later_run_use_the_command_without_asking(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    rid = await _parked(store, demo_repo, tmp_path, demo_script)
    approve_run(store, rid, Decision.APPROVE, remember=True)
    assert (await open_pipeline(store, rid, auto_approve=True).run()).status is \
        RunStatus.APPROVED
    assert allowed_commands(store.path, demo_repo) == [PRINT]
    model = write_script(tmp_path, demo_script, "again.json")
    again = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert again.status is RunStatus.APPROVED, again.reason
    result = [p for p in _kinds(store, again.run_id, "tool_result")
              if p["name"] == "run_tests"][0]
    assert "approved-command-ran" in result["content"]


async def test_refusing_the_command_ends_the_run_blocked_by_policy(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    rid = await _parked(store, demo_repo, tmp_path, demo_script)
    approve_run(store, rid, Decision.REJECT)
    outcome = await open_pipeline(store, rid).run()
    assert outcome.status is RunStatus.BLOCKED_BY_POLICY
    assert "refused by the human" in outcome.reason


async def test_request_changes_sends_the_role_back_with_the_reason(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    rid = await _parked(store, demo_repo, tmp_path, demo_script)
    approve_run(store, rid, Decision.REQUEST_CHANGES, "use pytest")
    outcome = await open_pipeline(store, rid, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    tasks = [p["task"] for p in _kinds(store, rid, "turn_started")]
    assert any("refused the command" in t and "use pytest" in t for t in tasks)


async def test_a_blocked_planned_test_command_waits_and_its_approved_run_is_the_result(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    plan = demo_script["roles"]["tester"][3]["content"]
    demo_script["roles"]["tester"][3] = {"content": plan.replace(
        '"command": [\n    "python",\n    "-m",\n    "pytest",\n    "-q"\n  ]',
        '"command": ["python", "-c", "print(\'approved-command-ran\')"]')}
    assert demo_script["roles"]["tester"][3]["content"] != plan
    model = write_script(tmp_path, demo_script)
    parked = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert parked.status is RunStatus.WAITING_FOR_APPROVAL, parked.reason
    state = fold(store.iter_events(parked.run_id))
    assert state.command_request is not None and state.command_request.resume == "tests"
    approve_run(store, parked.run_id, Decision.APPROVE, allow_command=True)
    outcome = await open_pipeline(store, parked.run_id, auto_approve=True).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    result = fold(store.iter_events(parked.run_id)).test_result
    assert result is not None and result.command == PRINT and result.status == "passed"


# high-risk paths -----------------------------------------------------------------------------
def test_high_risk_patterns_match_components_and_root_paths() -> None:
    from workbench.engine.config import DEFAULT_HIGH_RISK
    from workbench.engine.safety_gates import high_risk_paths

    files = ["src/auth/login.py", "db/migrations/0001_init.py", ".github/workflows/ci.yml",
             "app/payment_gateway.py", "src/author.py", "docs/authoring.md", "infra/main.tf",
             "src/billing/invoice.py", "README.md", "lib/Auth.py"]
    assert high_risk_paths(files, list(DEFAULT_HIGH_RISK)) == [
        "src/auth/login.py", "db/migrations/0001_init.py", ".github/workflows/ci.yml",
        "app/payment_gateway.py", "infra/main.tf", "src/billing/invoice.py", "lib/Auth.py"]


async def test_auto_approve_stops_at_a_final_gate_that_changes_high_risk_paths(
    store: RunStore, demo_repo: Path
) -> None:
    config = config_for(demo_repo, "scripted:demo", auto_approve=True,
                        high_risk_patterns=["inventory"])
    parked = await create_pipeline(store, config).run()
    assert parked.status is RunStatus.WAITING_FOR_APPROVAL, parked.reason
    state = fold(store.iter_events(parked.run_id))
    assert state.pending_approval == "final"
    assert state.high_risk_paths and all(p.startswith("inventory/") for p in state.high_risk_paths)
    assert "HIGH-RISK" in state.pending_message
    with pytest.raises(EngineError, match="approve each by name") as err:
        approve_run(store, parked.run_id, Decision.APPROVE)
    assert state.high_risk_paths[0] in str(err.value)
    approve_run(store, parked.run_id, Decision.APPROVE, high_risk=state.high_risk_paths)
    outcome = await open_pipeline(store, parked.run_id).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    final = [p for p in _kinds(store, parked.run_id, "approval_given") if p["gate"] == "final"]
    assert final[-1]["high_risk_paths"] == state.high_risk_paths


async def test_allow_high_risk_lets_auto_approve_pass_and_records_the_paths(
    store: RunStore, demo_repo: Path
) -> None:
    config = config_for(demo_repo, "scripted:demo", auto_approve=True,
                        high_risk_patterns=["inventory"], allow_high_risk=True)
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    final = [p for p in _kinds(store, outcome.run_id, "approval_given") if p["gate"] == "final"]
    assert final[-1]["by"] == "auto-approve" and final[-1]["high_risk_paths"]


async def test_the_cli_approves_a_command_only_when_told_to_allow_it(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    import os
    import subprocess
    import sys

    rid = await _parked(store, demo_repo, tmp_path, demo_script)
    env = {**os.environ, "WORKBENCH_DB": str(store.path),
           "WORKBENCH_CONFIG": str(tmp_path / "config.yaml")}

    def approve(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "workbench", "approve", rid, *args],
                              capture_output=True, text=True, env=env, timeout=60)

    plain = approve()
    assert plain.returncode != 0 and "--allow-command runs it once" in plain.stderr
    assert "Traceback" not in plain.stderr and len(plain.stderr.strip().splitlines()) == 1
    allowed = approve("--allow-command")
    assert allowed.returncode == 0, allowed.stderr
    assert "approve recorded at the command gate" in allowed.stdout
    assert fold(store.iter_events(rid)).stage == "command_decided"


async def test_shell_text_is_refused_as_policy_and_the_role_goes_on_without_a_gate(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    marker = tmp_path / "MARKER"
    demo_script["roles"]["tester"][2] = {"tool_calls": [{"name": "run_tests", "arguments": {
        "command": f"python -m pytest -q; touch {marker}"}}]}
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    result = [p for p in _kinds(store, outcome.run_id, "tool_result")
              if p["name"] == "run_tests"][0]
    assert "BLOCKED_BY_POLICY" in result["content"] and "';'" in result["content"]
    policy = [p for p in _kinds(store, outcome.run_id, "policy") if p["tool"] == "run_tests"]
    assert policy and "without a shell" in policy[0]["message"]
    assert not marker.exists()


def test_the_gate_names_the_blocked_commands_reason_not_a_later_warning() -> None:
    from workbench.engine.evidence import blocked_message, blocked_reason

    policy = [blocked_message("curl is not in the allow-list"),
              "sandbox is NOT JAILED: commands run as plain processes"]
    assert blocked_reason(policy) == "curl is not in the allow-list"
    assert blocked_reason([]) == "blocked by the policy"
