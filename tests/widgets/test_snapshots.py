"""SVG snapshots of each run widget in a small deterministic app, at 80x24 and 160x48.

Update the baselines with ``pytest tests/widgets --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.widgets.apps import (
    ApprovalApp,
    ConversationApp,
    DiffApp,
    SpecApp,
    StatusBarApp,
    TestOutputApp,
)
from widgets.conversation import ConversationView
from widgets.spec_editor import SpecEditor

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.mark.parametrize("size", SIZES)
def test_diff_view_unified(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(DiffApp(), terminal_size=size, press=["n", "n", "space"])


@pytest.mark.parametrize("size", SIZES)
def test_diff_view_side_by_side(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(DiffApp(), terminal_size=size, press=["s", "n", "n", "n"])


async def _stream_and_expand(pilot: Pilot[None]) -> None:
    view = pilot.app.query_one(ConversationView)
    index = next(i for i, item in enumerate(view.items) if item.kind == "tool_result")
    view.toggle_details(index)
    for word in ["Checking", "the", "failing", "test", "output"]:
        view.append_chunk("tester", word + " ")
    await pilot.pause(0.15)


@pytest.mark.parametrize("size", SIZES)
def test_conversation_view(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(ConversationApp(), terminal_size=size, run_before=_stream_and_expand)


async def _break_the_spec(pilot: Pilot[None]) -> None:
    area = pilot.app.query_one(SpecEditor).text_area
    area.move_cursor((2, len("risk_level: ")))
    await pilot.press("x", "x")
    await pilot.pause(0.3)
    await pilot.press("ctrl+s")


@pytest.mark.parametrize("size", SIZES)
def test_spec_editor_with_a_problem(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(SpecApp(), terminal_size=size, run_before=_break_the_spec)


@pytest.mark.parametrize("size", SIZES)
def test_test_output_view(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(TestOutputApp(), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_run_status_bar(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(StatusBarApp(step_mode=True), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_approval_bar(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(ApprovalApp(), terminal_size=size)
