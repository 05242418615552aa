"""Fixtures for the TUI tests: everything lives under tmp_path, timestamps are fixed, TZ is UTC."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pygit2
import pytest

from workbench.config import WorkbenchSettings, load_settings
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp

# 2024-05-01 09:00 UTC and onwards; all runs are finished so durations are fixed.
BASE_TS = 1_714_554_000.0

FIXED_RUNS: list[dict[str, object]] = [
    {
        "run_id": "run-0001",
        "task": "Add a --dry-run flag to the stock import command",
        "repo": "/home/dev/src/inventory",
        "model": "scripted:demo",
        "status": "APPROVED",
        "started_at": BASE_TS,
        "finished_at": BASE_TS + 95,
        "prompt_tokens": 8_200,
        "completion_tokens": 1_350,
        "cost": 0.0,
        "branch": "workbench/run-0001",
    },
    {
        "run_id": "run-0002",
        "task": "Fix the off-by-one in reorder threshold handling and add regression tests "
        "covering the boundary where stock equals the threshold",
        "repo": "/home/dev/src/inventory",
        "model": "openai:gpt-4o-mini",
        "status": "NEEDS_HUMAN_REVIEW",
        "started_at": BASE_TS + 3_600,
        "finished_at": BASE_TS + 3_600 + 742,
        "prompt_tokens": 51_000,
        "completion_tokens": 9_400,
        "cost": 0.0231,
        "reason": "review rounds exhausted",
    },
    {
        "run_id": "run-0003",
        "task": "Port the CSV exporter to the new storage API",
        "repo": "/home/dev/work/a-rather-long-monorepo-name/services/exporter",
        "model": "ollama:qwen2.5-coder",
        "status": "FAILED",
        "started_at": BASE_TS + 86_400,
        "finished_at": BASE_TS + 86_400 + 4_000,
        "prompt_tokens": 210_000,
        "completion_tokens": 4_000,
        "cost": 0.0,
        "reason": "token budget exceeded",
    },
    {
        "run_id": "run-0004",
        "task": "Run rm -rf on the build cache before tests",
        "repo": "/home/dev/src/inventory",
        "model": "azure:gpt-4o",
        "status": "BLOCKED_BY_POLICY",
        "started_at": BASE_TS + 90_000,
        "finished_at": BASE_TS + 90_030,
        "prompt_tokens": 900,
        "completion_tokens": 120,
        "cost": 1.5,
    },
]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every Workbench path at tmp_path and use UTC so local times are fixed."""
    home = tmp_path / "wb"
    monkeypatch.setenv("WORKBENCH_CONFIG", str(home / "config.yaml"))
    monkeypatch.setenv("WORKBENCH_DB", str(home / "runs.db"))
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(home / "data"))
    for name in ("WORKBENCH_UI__THEME", "WORKBENCH_MODELS__DEFAULT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield home
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def store(isolated_env: Path) -> Iterator[RunStore]:
    run_store = RunStore(isolated_env / "runs.db")
    yield run_store
    run_store.close()


def add_runs(store: RunStore, runs: list[dict[str, object]] = FIXED_RUNS) -> None:
    for run in runs:
        fields = dict(run)
        store.create_run(
            str(fields.pop("run_id")),
            str(fields.pop("task")),
            str(fields.pop("repo")),
            str(fields.pop("model")),
            **fields,
        )


@pytest.fixture
def filled_store(store: RunStore) -> RunStore:
    add_runs(store)
    return store


@pytest.fixture
def settings() -> WorkbenchSettings:
    return load_settings()


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    pygit2.init_repository(str(path))
    return path


def make_app(store: RunStore, **kwargs: object) -> WorkbenchApp:
    return WorkbenchApp(store, load_settings(), **kwargs)  # type: ignore[arg-type]
