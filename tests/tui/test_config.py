"""Settings: defaults, YAML file, environment, bad files, atomic save; XDG path overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import paths
from workbench.config import WorkbenchSettings, load_settings, save_settings


def test_defaults_when_no_file(isolated_env: Path) -> None:
    settings = load_settings()
    assert settings.load_error is None
    assert settings.ui.theme == "workbench-dark"
    assert settings.ui.diff_mode == "unified"
    assert settings.models.default == "scripted:demo"
    assert (settings.budgets.max_turns, settings.budgets.max_review_rounds) == (40, 3)
    assert settings.budgets.max_tool_calls == 60
    assert settings.budgets.max_tokens == 200_000
    assert settings.budgets.max_validation_retries == 2
    assert settings.budgets.max_cost == 5.0
    assert settings.sandbox.timeout_s == 300
    assert not (isolated_env / "config.yaml").exists()


def test_every_field_is_described() -> None:
    from typing import get_args

    # a section is a settings model, or a list of them (mcp servers)
    sections = [WorkbenchSettings, *(
        (get_args(field.annotation) or (field.annotation,))[0]
        for field in WorkbenchSettings.model_fields.values()
    )]
    for section in sections:
        assert isinstance(section, type)
        for name, field in section.model_fields.items():  # type: ignore[attr-defined]
            assert field.description, f"{section.__name__}.{name} has no description"


def test_file_values_and_env_override(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths.config_path().parent.mkdir(parents=True, exist_ok=True)
    paths.config_path().write_text(
        "ui:\n  theme: workbench-light\n  diff_mode: split\n"
        "models:\n  default: openai:gpt-4o\n  roles:\n    reviewer: ollama:qwen\n"
        "budgets:\n  max_turns: 7\n"
    )
    settings = load_settings()
    assert settings.load_error is None
    assert settings.ui.diff_mode == "split"
    assert settings.models.for_role("reviewer") == "ollama:qwen"
    assert settings.models.for_role("developer") == "openai:gpt-4o"
    assert settings.budgets.max_turns == 7

    monkeypatch.setenv("WORKBENCH_UI__THEME", "textual-dark")
    overridden = load_settings()
    assert overridden.ui.theme == "textual-dark"
    assert overridden.ui.diff_mode == "split"  # the rest of the file still applies


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ui: {theme: [}\n", "not valid YAML at line 1"),
        ("ui:\n  diff_mode: sideways\n", "ui.diff_mode"),
        ("budgets:\n  max_turns: -1\n", "budgets.max_turns"),
        ("- just\n- a list\n", "expected a mapping"),
        ("themes: dark\n", "unknown section 'themes'"),
    ],
)
def test_bad_file_gives_one_line_error_and_defaults(
    isolated_env: Path, text: str, expected: str
) -> None:
    path = paths.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    settings = load_settings()
    assert settings.load_error is not None
    assert expected in settings.load_error
    assert str(path) in settings.load_error
    assert "\n" not in settings.load_error
    assert settings.ui.theme == "workbench-dark"
    assert settings.budgets.max_turns == 40


def test_save_round_trips_and_leaves_no_temp_files(isolated_env: Path) -> None:
    settings = load_settings()
    settings.ui.theme = "workbench-light"
    settings.sandbox.extra_allowed_commands = ["make", "npm run test"]
    written = save_settings(settings)
    assert written == isolated_env / "config.yaml"
    assert [p.name for p in written.parent.iterdir()] == ["config.yaml"]
    again = load_settings()
    assert again.ui.theme == "workbench-light"
    assert again.sandbox.allow_prefixes() == [["make"], ["npm", "run", "test"]]


def test_paths_follow_environment(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.config_path() == isolated_env / "config.yaml"
    assert paths.db_path() == isolated_env / "runs.db"
    assert paths.worktrees_dir() == isolated_env / "data" / "worktrees"
    monkeypatch.delenv("WORKBENCH_DB")
    assert paths.db_path() == isolated_env / "data" / "runs.db"


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "file.txt"
    paths.atomic_write_text(target, "first version, rather long\n")
    paths.atomic_write_text(target, "second\n")
    assert target.read_text() == "second\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]


def test_budget_section_matches_the_engine_budgets() -> None:
    from workbench.engine.budgets import Budgets

    settings = load_settings()
    assert Budgets(**settings.budgets.model_dump()) == Budgets()
