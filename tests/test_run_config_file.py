"""`workbench run` takes models, budgets and sandbox settings from config.yaml; flags win."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from workbench.cli import cli
from workbench.demo import demo_task, prepare_demo_repo
from workbench.paths import ENV_CONFIG, ENV_DB
from workbench.store import RunStore


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(("OPENAI", "WORKBENCH")):
            monkeypatch.delenv(key)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return prepare_demo_repo(tmp_path)


def run(tmp_path: Path, repo: Path, settings: dict[str, object] | str, *flags: str) -> Result:
    config = tmp_path / "config.yaml"
    config.write_text(settings if isinstance(settings, str) else yaml.safe_dump(settings))
    env = {ENV_CONFIG: str(config), ENV_DB: str(tmp_path / "data" / "runs.db")}
    return CliRunner().invoke(cli, ["run", demo_task(), "--repo", str(repo), "--json", *flags],
                              env=env)


def stored_config(tmp_path: Path, run_id: str) -> dict[str, object]:
    store = RunStore(tmp_path / "data" / "runs.db")
    try:
        data: dict[str, object] = json.loads(store.get_run(run_id).config)
    finally:
        store.close()
    return data


def test_a_turn_budget_from_the_config_file_ends_the_run(tmp_path: Path, repo: Path) -> None:
    result = run(tmp_path, repo, {"budgets": {"max_turns": 1}}, "--auto-approve")
    assert result.exit_code == 1, result.output
    outcome = json.loads(result.stdout)
    assert outcome["status"] == "FAILED" and "budget exceeded: turns" in outcome["reason"]


def test_the_max_turns_flag_overrides_the_file(tmp_path: Path, repo: Path) -> None:
    result = run(tmp_path, repo, {"budgets": {"max_turns": 1}}, "--auto-approve",
                 "--max-turns", "40")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "APPROVED"


def test_the_model_comes_from_the_file_unless_given(tmp_path: Path, repo: Path) -> None:
    result = run(tmp_path, repo, {"models": {"default": "bogus:x"}})
    assert result.exit_code != 0 and "unknown model provider" in str(result.exception)
    result = run(tmp_path, repo, {"models": {"default": "bogus:x"}}, "--model", "scripted:demo")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "WAITING_FOR_APPROVAL"


def test_without_a_file_the_demo_model_is_the_default(tmp_path: Path, repo: Path) -> None:
    result = run(tmp_path, repo, "")
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    assert stored_config(tmp_path, run_id)["model"] == "scripted:demo"


def test_settings_and_flags_are_recorded_on_the_run(tmp_path: Path, repo: Path) -> None:
    settings = {
        "models": {"default": "scripted:demo", "base_url": "http://file.example/v1",
                   "roles": {"reviewer": "scripted:demo"}},
        "budgets": {"max_tool_calls": 7, "max_tokens": 9000},
        "sandbox": {"timeout_s": 42, "extra_allowed_commands": ["make test"]},
    }
    result = run(tmp_path, repo, settings, "--max-tokens", "5000")
    assert result.exit_code == 0, result.output
    config = stored_config(tmp_path, json.loads(result.stdout)["run_id"])
    assert config["base_url"] == "http://file.example/v1"
    assert config["role_models"]["reviewer"] == "scripted:demo"  # every role's routed choice
    assert config["model_settings"]["roles"] == {"reviewer": "scripted:demo"}
    assert config["timeout_s"] == 42 and config["extra_allowed"] == [["make", "test"]]
    budgets = config["budgets"]
    assert isinstance(budgets, dict)
    assert budgets["max_tool_calls"] == 7 and budgets["max_tokens"] == 5000

    result = run(tmp_path, repo, settings, "--base-url", "http://flag.example/v1")
    config = stored_config(tmp_path, json.loads(result.stdout)["run_id"])
    assert config["base_url"] == "http://flag.example/v1"


def test_a_broken_file_is_reported_and_defaults_are_used(tmp_path: Path, repo: Path) -> None:
    result = run(tmp_path, repo, "budgets: [not, a, mapping\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: ") and "config.yaml" in result.stderr
    assert json.loads(result.stdout)["status"] == "WAITING_FOR_APPROVAL"
