"""DiffView draws each code line exactly as written: on screen and in SVG screenshots.

Regression: ``low = [i for ...]`` showed as ``low =[ i for ...`` in a screenshot. The row
was one segment `` [`` (a space and a bracket, neither with a highlight style). An SVG
screenshot draws each segment as a ``<text>`` element at its first cell, and librsvg drops the
leading no-break spaces of an element, so the bracket landed one cell to the left.
"""

from __future__ import annotations

import html
import re

import pytest
from rich.cells import cell_len

from tests.widgets.apps import DiffApp
from widgets.diff_lines import DiffLines

SOURCE = [
    "        low = [i for i in self._items.values() if i.quantity < threshold]",
    '            raise ValueError( "threshold must not be negative" )',
    "    names = {'a b': [1, 2], \"c  d\": (3,)}  # two  spaces  [ x ]",
    "\tif (a < b) { return [ \"é ü 漢字\" ]; }",
    "    s = 'naïve café ✓'  ;  t = ( 1 , 2 )",
]
"""Brackets after spaces, strings with spaces, a tab, wide and accented characters."""
EXPECTED = [line.expandtabs(4) for line in SOURCE]
CODE_COLUMN = 1 + 2 * (4 + 1) + 2
"""Where code starts in a unified row: cursor bar, two 4-digit numbers, sign and space."""

_TEXT = re.compile(r'<text [^>]*x="([\d.]+)"[^>]*textLength="([\d.]+)"[^>]*'
                   r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>')


def _diff(ext: str) -> str:
    body = "".join(f"+{line}\n" for line in SOURCE)
    return (f"--- a/src/m{ext}\n+++ b/src/m{ext}\n@@ -1,1 +1,{len(SOURCE) + 1} @@\n"
            f" first = 1\n{body}")


def _rasterised(svg: str) -> list[str]:
    """The screen as librsvg draws it: each ``<text>`` at its cell, leading spaces dropped."""
    rows: dict[int, list[str]] = {}
    for x, length, line, escaped in _TEXT.findall(svg):
        text = html.unescape(escaped)
        cell = float(length) / len(text)
        drawn = text.lstrip("\xa0").replace("\xa0", " ").rstrip("\n")
        row = rows.setdefault(int(line), [])
        column = round(float(x) / cell)
        for char in drawn:
            row.extend([" "] * (column + 2 - len(row)))
            row[column] = char
            if cell_len(char) == 2:
                row[column + 1] = ""
            column += cell_len(char)
    return ["".join(rows.get(y, [])) for y in range(max(rows, default=-1) + 1)]


@pytest.mark.parametrize("ext", [".py", ".ts", ".cs"])
async def test_code_rows_render_exactly_their_source(ext: str) -> None:
    app = DiffApp(_diff(ext), functions=False)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        lines = app.query_one(DiffLines)
        added = [lines.render_line(y).text[CODE_COLUMN:].rstrip()
                 for y in range(lines.size.height)
                 if (row := lines.row_at(y)) is not None and row.kind == "add"]
        assert added == EXPECTED


@pytest.mark.parametrize("split", [False, True], ids=["unified", "split"])
async def test_screenshots_keep_every_space_in_place(split: bool) -> None:
    app = DiffApp(_diff(".py"), functions=False)
    async with app.run_test(size=(200 if split else 100, 20)) as pilot:
        if split:
            await pilot.press("s")
        await pilot.pause()
        screen = _rasterised(app.export_screenshot())
        for expected in EXPECTED:
            assert any(expected in row for row in screen), (expected, screen)
        numbered = next(row for row in screen if "first = 1" in row)
        assert re.search(r"\s1\s+1\s", numbered) or re.search(r"\s1\s.*│\s+1\s", numbered)
