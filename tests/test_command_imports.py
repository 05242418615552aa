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


def _settings_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a start with no config file and no WORKBENCH_* setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env.update(WORKBENCH_DB=str(tmp_path / "runs.db"),
               WORKBENCH_CONFIG=str(tmp_path / "config.yaml"),
               WORKBENCH_DATA_DIR=str(tmp_path / "data"))
    return env


TUI_START = """
import json, sys
import workbench.cli, workbench.tui.launch
from workbench.config import load_settings
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp

app = WorkbenchApp(RunStore(), load_settings())
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"pydantic", "pydantic_core", "yaml"})
print(json.dumps({"theme": app.theme, "error": app.settings.load_error, "loaded": loaded}))
"""


def test_the_tui_starts_with_default_settings_without_pydantic(tmp_path: Path) -> None:
    """Up to its first frame the app reads the theme and load_error of the settings; with no
    config file and no WORKBENCH_* setting neither needs the settings models (pydantic)."""
    RunStore(tmp_path / "runs.db")  # made before (a new store's first open upgrades it)
    done = subprocess.run([sys.executable, "-c", TUI_START], capture_output=True, text=True,
                          env=_settings_env(tmp_path), timeout=60, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"theme": "workbench-dark", "error": None, "loaded": []}


def test_default_settings_become_the_model_when_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.config import DEFAULT_THEME, SECTIONS, WorkbenchSettings, load_settings

    for key, value in _settings_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    for key in [k for k in os.environ if k.startswith("WORKBENCH_") and "__" in k]:
        monkeypatch.delenv(key)
    assert tuple(WorkbenchSettings.model_fields) == SECTIONS
    settings, ui = load_settings(), load_settings().ui
    assert settings.load_error is None and settings.ui.theme == DEFAULT_THEME
    assert settings.model_dump() == WorkbenchSettings().model_dump()
    assert settings == WorkbenchSettings() and settings.load_error is None
    settings.ui.theme = "workbench-light"
    assert settings.ui.theme == "workbench-light"
    assert ui.model_dump() == WorkbenchSettings().ui.model_dump()  # another load: its own
    with pytest.raises(ValueError, match="diff_mode"):
        settings.ui.diff_mode = "sideways"  # type: ignore[assignment]


def test_a_headless_run_with_tracing_off_loads_no_tracing_sdk(tmp_path: Path) -> None:
    probe = PROBE.replace("m.split(\".\")[0]", "m")
    done = subprocess.run([sys.executable, "-c", probe, json.dumps(["demo", "--headless"]),
                           json.dumps(["opentelemetry.sdk", "pydantic_settings"])],
                          capture_output=True, text=True, env=_settings_env(tmp_path),
                          cwd=tmp_path, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert not report["code"] and "APPROVED" in done.stdout, done.stderr
    assert report["heavy"] == []
