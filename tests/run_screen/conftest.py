"""Fixtures for run-screen tests: a real demo run driven through the TUI, all under tmp_path."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.pilot import Pilot

from workbench.config import WorkbenchSettings
from workbench.demo import DEMO_DATA, demo_task, prepare_demo_repo
from workbench.engine.config import RunConfig
from workbench.store import RunStore
from workbench.tui.launch import WorkbenchTUI
from workbench.tui.screens.run_base import RunScreen


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "data" / "runs.db"))
    monkeypatch.setenv("TZ", "UTC")
    yield tmp_path


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "data" / "runs.db")


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    return prepare_demo_repo(tmp_path)


def demo_config(repo: Path, model: str = "scripted:demo", **kw: Any) -> RunConfig:
    return RunConfig(task=demo_task(), repo=str(repo), model=model, **kw)


def script_with(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> str:
    data: dict[str, Any] = yaml.safe_load((DEMO_DATA / "demo_script.yaml").read_text())
    edit(data)
    path = tmp_path / "script.json"
    path.write_text(json.dumps(data))
    return f"scripted:{path}"


def tui(store: RunStore, config: RunConfig | None = None) -> WorkbenchTUI:
    return WorkbenchTUI(store, WorkbenchSettings(), demo=config)


async def wait_for(
    pilot: Pilot[None], check: Callable[[], bool], timeout: float = 30.0, what: str = ""
) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not check():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what or check}")
        await pilot.pause(0.05)


def run_screen(pilot: Pilot[None]) -> RunScreen:
    screen = pilot.app.screen
    assert isinstance(screen, RunScreen), type(screen).__name__
    return screen


async def at_gate(pilot: Pilot[None], gate: str | None, timeout: float = 30.0) -> RunScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunScreen)
                   and pilot.app.screen.view.pending_approval == gate, timeout, f"gate {gate}")
    return run_screen(pilot)


async def replay_of_latest(pilot: Pilot[None]) -> RunScreen:
    """From the run list, open the newest run's replay and wait until its events are in."""
    from workbench.tui.screens.runs import RunListScreen

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunListScreen), 10, "run list")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunScreen)
                   and bool(getattr(pilot.app.screen, "_events", None)), 10, "replay loaded")
    return run_screen(pilot)


async def finished(pilot: Pilot[None], timeout: float = 60.0) -> RunScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RunScreen)
                   and pilot.app.screen.view.finished, timeout, "run finished")
    screen = run_screen(pilot)
    if screen.live is not None:
        await wait_for(pilot, lambda: not screen.live.running, 10, "engine thread")  # type: ignore[union-attr]
    return screen


Waiter = Callable[..., Awaitable[None]]
