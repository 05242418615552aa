"""SVG snapshots of each run widget in a small deterministic app, at 80x24 and 160x48.

Update the baselines with ``pytest tests/widgets --snapshot-update`` after a deliberate change.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.widgets.apps import DiffApp

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.mark.parametrize("size", SIZES)
def test_diff_view_unified(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(DiffApp(), terminal_size=size, press=["n", "n", "space"])


@pytest.mark.parametrize("size", SIZES)
def test_diff_view_side_by_side(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(DiffApp(), terminal_size=size, press=["s", "n", "n", "n"])
