"""SVG snapshots of the shell screens at a small and a large terminal size.

Runs have fixed timestamps and TZ is UTC (see conftest), so the pictures are deterministic.
Update with ``pytest tests/tui/test_snapshots.py --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from workbench.config import load_settings
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]

SnapCompare = Callable[..., bool]


def _app(store: RunStore, theme: str = "workbench-dark", **kwargs: Any) -> WorkbenchApp:
    settings = load_settings()
    settings.ui.theme = theme
    return WorkbenchApp(store, settings, **kwargs)


async def _settle(pilot: Pilot[None]) -> None:
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_run_list(snap_compare: SnapCompare, filled_store: RunStore, size: tuple[int, int]) -> None:
    assert snap_compare(_app(filled_store), terminal_size=size, run_before=_settle)


def test_run_list_light(snap_compare: SnapCompare, filled_store: RunStore) -> None:
    app = _app(filled_store, theme="workbench-light")
    assert snap_compare(app, terminal_size=(100, 24), press=["down"], run_before=_settle)


def test_run_list_empty(snap_compare: SnapCompare, store: RunStore) -> None:
    assert snap_compare(_app(store), terminal_size=(80, 24), run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_new_run_form(snap_compare: SnapCompare, store: RunStore, size: tuple[int, int]) -> None:
    """The form: task, repository, model picker, and the Step mode and Group chat boxes
    beside Start and Cancel, none of them cut at 80 columns."""
    app = _app(store, start=lambda app: app.action_new_run())
    app.default_repo = "/home/dev/src/inventory"
    assert snap_compare(app, terminal_size=size, run_before=_settle)


def test_new_run_form_errors(snap_compare: SnapCompare, store: RunStore) -> None:
    app = _app(store, start=lambda app: app.action_new_run())

    async def submit_empty(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        await pilot.press("ctrl+s")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=submit_empty)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: SnapCompare, filled_store: RunStore, size: tuple[int, int]) -> None:
    assert snap_compare(_app(filled_store), terminal_size=size, press=["f1"], run_before=_settle)
