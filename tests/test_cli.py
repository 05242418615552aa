"""The `workbench` command as a user runs it: real processes, one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.demo import demo_task, prepare_demo_repo
from workbench.gitops import read_branch_file


def wb(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "WORKBENCH"))}
    env["WORKBENCH_DB"] = str(tmp_path / "data" / "runs.db")
    env["TMPDIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args], capture_output=True, text=True, env=env,
        stdin=subprocess.DEVNULL, timeout=300, check=False,
    )


def test_demo_headless_json_is_approved_and_show_lists_events(tmp_path: Path) -> None:
    proc = wb(tmp_path, "demo", "--headless", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "APPROVED" and out["run_id"]
    assert out["branch"] == f"workbench/{out['run_id']}"
    assert "low_stock" in (read_branch_file(Path(out["repo"]), out["branch"],
                                            "inventory/stock.py") or "")

    shown = wb(tmp_path, "show", out["run_id"], "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    seqs = [e["seq"] for e in data["events"]]
    assert seqs == sorted(seqs) and seqs[0] == 1
    calls = [e for e in data["events"] if e["kind"] == "model_call"]
    assert calls and all({"prompt_tokens", "completion_tokens", "latency_ms"} <= e["payload"].keys()
                         for e in calls)
    bundle = json.loads(wb(tmp_path, "evidence", out["run_id"]).stdout)
    assert bundle["status"] == "APPROVED" and bundle["commit"] == out["commit"]
    assert [r["status"] for r in bundle["reviews"]] == ["NEEDS_REVISION", "APPROVED"]
    assert bundle["tests"][-1]["status"] == "passed" and bundle["tests"][-1]["passed"] == 5
    assert bundle["usage"]["model_calls"] == len(calls)
    by_model = bundle["usage_by_model"]
    assert sum(u["model_calls"] for u in by_model.values()) == len(calls)
    assert sum(u["model_calls"] for u in bundle["usage_by_role"].values()) == len(calls)
    text = wb(tmp_path, "show", out["run_id"]).stdout
    assert "usage by role developer: " in text and "usage by model scripted:" in text
    assert "inventory/stock.py" in bundle["committed_files"]
    listed = wb(tmp_path, "runs", "--json")
    assert [r["run_id"] for r in json.loads(listed.stdout)] == [out["run_id"]]


def test_demo_in_group_mode_from_the_command_line(tmp_path: Path) -> None:
    proc = wb(tmp_path, "demo", "--headless", "--mode", "group", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "APPROVED", out
    text = wb(tmp_path, "show", out["run_id"]).stdout
    assert "(group chat)" in text and "usage by role selector: " in text
    assert "developer speaks next (chosen from developer, requirements)" in text
    bad = wb(tmp_path, "run", "--mode", "swarm", "--", "a task")
    assert bad.returncode == 2 and "'swarm' is not one of 'pipeline', 'group'" in bad.stderr


def test_headless_run_waits_at_spec_gate_then_approve_and_resume(tmp_path: Path) -> None:
    repo = prepare_demo_repo(tmp_path)
    proc = wb(tmp_path, "run", demo_task(), "--repo", str(repo), "--model", "scripted:demo",
              "--json")
    assert proc.returncode == 0, proc.stderr
    run_id = json.loads(proc.stdout)["run_id"]
    assert json.loads(proc.stdout)["status"] == "WAITING_FOR_APPROVAL"
    for _gate in ("spec", "final"):
        approved = wb(tmp_path, "approve", run_id)
        assert approved.returncode == 0 and "approve recorded" in approved.stdout
        resumed = wb(tmp_path, "resume", run_id, "--json")
        assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "APPROVED"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "no-such-run"), "error: unknown run id: no-such-run"),
        (("approve", "no-such-run"), "error: unknown run id: no-such-run"),
        (("run", "task", "--repo", "{tmp}", "--model", "bogus:x"), "unknown model provider"),
        (("run", "task", "--repo", "{tmp}", "--model", "scripted:demo"), "not a git repository"),
        (("run", "task", "--model", "scripted:/nope.yaml"), "scripted file not found"),
    ],
)
def test_user_mistakes_give_one_line_errors(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    proc = wb(tmp_path, *(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr


def test_run_in_a_sub_directory_changes_the_repository_it_is_in(tmp_path: Path) -> None:
    repo = prepare_demo_repo(tmp_path)
    env = {**os.environ, "WORKBENCH_DB": str(tmp_path / "runs.db"),
           "WORKBENCH_CONFIG": str(tmp_path / "config.yaml")}
    done = subprocess.run([sys.executable, "-m", "workbench", "run", "--model", "scripted:demo",
                           "--auto-approve", "--json", "--", "Add a low-stock report"],
                          cwd=repo / "inventory", capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["repo"] == str(repo.resolve()) and out["status"] == "APPROVED"
    shown = subprocess.run([sys.executable, "-m", "workbench", "show", out["run_id"]],
                           capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0 and "trace:" not in shown.stdout  # tracing is off by default


def _stored_runs(tmp_path: Path, *run_ids: str) -> None:
    from workbench.store import RunStore

    store = RunStore(tmp_path / "data" / "runs.db")
    for n, run_id in enumerate(run_ids):
        store.create_run(run_id, f"task {n}", str(tmp_path), "scripted:demo",
                         status="WAITING_FOR_APPROVAL", started_at=1_700_000_000.0 + n)
    store.close()


@pytest.mark.parametrize("command", ["show", "evidence", "approve", "resume", "apply"])
def test_run_id_prefixes_in_every_command(tmp_path: Path, command: str) -> None:
    _stored_runs(tmp_path, "20261201-090000-aaaaaa", "20261202-090000-bbbbbb",
                 "20261202-100000-cccccc")
    ambiguous = wb(tmp_path, command, "202612")
    lines = ambiguous.stderr.strip().splitlines()
    assert ambiguous.returncode != 0 and len(lines) == 1, ambiguous.stderr
    assert lines[0] == ("error: run id prefix 202612 matches 3 runs: 20261202-100000-cccccc, "
                        "20261202-090000-bbbbbb, 20261201-090000-aaaaaa")
    unknown = wb(tmp_path, command, "1999")
    assert unknown.stderr.strip() == "error: unknown run id: 1999" and unknown.returncode != 0
    if command == "show":  # a unique prefix names its run
        shown = wb(tmp_path, "show", "20261201")
        assert shown.returncode == 0 and "run 20261201-090000-aaaaaa" in shown.stdout


def test_run_in_a_subdirectory_uses_the_repository_root(tmp_path: Path) -> None:
    repo = prepare_demo_repo(tmp_path)
    deep = repo / "inventory"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "WORKBENCH"))}
    env.update(WORKBENCH_DB=str(tmp_path / "data" / "runs.db"), TMPDIR=str(tmp_path))
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "run", "--model", "scripted:demo", "--json", "--",
         demo_task()], capture_output=True, text=True, env=env, cwd=deep,
        stdin=subprocess.DEVNULL, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["repo"] == str(repo.resolve()) and out["status"] == "WAITING_FOR_APPROVAL"
    plain = tmp_path / "plain"
    plain.mkdir()
    outside = subprocess.run(
        [sys.executable, "-m", "workbench", "run", "--model", "scripted:demo", "--", "x"],
        capture_output=True, text=True, env=env, cwd=plain, stdin=subprocess.DEVNULL,
        timeout=300, check=False)
    assert outside.returncode != 0
    assert outside.stderr.strip() == (f"error: not a git repository: {plain.resolve()} (nor any "
                                      "folder above it); run it inside a repository or pass "
                                      "--repo PATH")
