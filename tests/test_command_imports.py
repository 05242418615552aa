"""Commands that only read the store or the repository never import the agent engine
(AutoGen, the provider SDKs) or Textual: they start as fast as their own work allows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.demo import prepare_demo_repo
from workbench.store import RunStore

HEAVY = ("autogen_core", "autogen_agentchat", "autogen_ext", "openai", "anthropic", "textual")
PROBE = """
import json, runpy, sys
heavy_names = set(json.loads(sys.argv[2]))
sys.argv = ["workbench", *json.loads(sys.argv[1])]
try:
    runpy.run_module("workbench", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted({m.split(".")[0] for m in sys.modules} & heavy_names)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("20261202-000000-abcdef", "a task", str(tmp_path), "scripted:demo")
    return store


@pytest.mark.parametrize("args", [
    ["runs"], ["runs", "--json"], ["show", "20261202-000000-abcdef"],
    ["show", "20261202-000000-abcdef", "--json"], ["evidence", "20261202-000000-abcdef"],
    ["export", "20261202-000000-abcdef"], ["changes", "--repo", "REPO"],
    ["approve", "20261202-000000-abcdef"],  # refused (no gate waits): still light
])
def test_reading_commands_load_no_engine_and_no_textual(
    args: list[str], store: RunStore, tmp_path: Path
) -> None:
    repo = prepare_demo_repo(tmp_path)
    args = [str(repo) if a == "REPO" else a for a in args]
    env = {**os.environ, "WORKBENCH_DB": str(store.path),
           "WORKBENCH_CONFIG": str(tmp_path / "config.yaml")}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
                          capture_output=True, text=True, env=env, timeout=60)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    expected = 2 if args[0] == "approve" else 0  # approve: a one-line refusal, no gate waits
    assert (report["code"] or 0) == expected and "Traceback" not in done.stderr, done.stderr
    assert report["heavy"] == [], f"{args[0]} imported {report['heavy']}"


def test_the_run_list_loads_only_click_the_store_and_its_rows(
    store: RunStore, tmp_path: Path
) -> None:
    """`workbench runs` prints rows the store masked on write: it needs neither the secret
    rules, nor the event models, nor git, nor yaml (each tens of milliseconds of start-up)."""
    store.create_run("20261202-000001-abcdef", "token ghp_" + "a1B2" * 9, str(tmp_path),
                     "scripted:demo")
    env = {**os.environ, "WORKBENCH_DB": str(store.path),
           "WORKBENCH_CONFIG": str(tmp_path / "config.yaml")}
    unwanted = ("detect_secrets", "pydantic", "pygit2", "yaml", *HEAVY)
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["runs"]),
                           json.dumps(unwanted)], capture_output=True, text=True, env=env,
                          timeout=60)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["heavy"] == [] and not report["code"], done.stderr
    assert "20261202-000001-abcdef" in done.stdout and "a1B2a1B2" not in done.stdout


def test_the_run_list_names_the_running_status_as_the_contract_does() -> None:
    from agents.contracts import RunStatus
    from workbench.recovery import RUNNING

    assert RunStatus.RUNNING.value == RUNNING
