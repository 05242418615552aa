"""Byte regions that differ between two versions, and how positions map across them."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import pygit2
from tree_sitter import Tree


@dataclass(frozen=True, slots=True)
class Hunk:
    """Half-open byte ranges: old[old_start:old_end] became new[new_start:new_end]."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    new_row: int  # 0-based line of new_start


def hunks_between(old: bytes, new: bytes) -> list[Hunk]:
    """Line hunks from git's own diff, as byte ranges in both versions."""
    patch = pygit2.Patch.create_from(old, new, context_lines=0, interhunk_lines=0)
    hunks: list[Hunk] = []
    shift = 0  # new offset minus old offset after the hunks so far
    for hunk in patch.hunks:
        old_start = new_start = -1
        old_length = new_length = 0
        for line in hunk.lines:
            origin = line.origin
            if origin == "-":
                if old_start < 0:
                    old_start = line.content_offset
                old_length += len(line.raw_content)
            elif origin == "+":
                if new_start < 0:
                    new_start = line.content_offset
                new_length += len(line.raw_content)
        if old_start < 0 and new_start < 0:
            continue
        if old_start < 0:
            old_start = new_start - shift
        elif new_start < 0:
            new_start = old_start + shift
        # Without new lines, git numbers the line before the change.
        new_row = hunk.new_start - 1 if hunk.new_lines else hunk.new_start
        hunks.append(
            Hunk(old_start, old_start + old_length, new_start, new_start + new_length, new_row)
        )
        shift += new_length - old_length
    return hunks


def _extent(text: bytes, row: int) -> tuple[int, int]:
    """The (row, column) where `text` ends when it starts at (row, 0)."""
    newline = text.rfind(b"\n")
    return row + text.count(b"\n"), len(text) - newline - 1


def edit_tree(tree: Tree, old: bytes, new: bytes, hunks: list[Hunk]) -> Tree:
    """A copy of `tree` (parsed from `old`) edited to match `new`, for incremental parsing."""
    edited = tree.copy()
    for hunk in hunks:  # forward order: earlier edits already shift later positions
        start = hunk.new_start
        row = hunk.new_row
        edited.edit(
            start_byte=start,
            old_end_byte=start + hunk.old_end - hunk.old_start,
            new_end_byte=hunk.new_end,
            start_point=(row, 0),
            old_end_point=_extent(old[hunk.old_start : hunk.old_end], row),
            new_end_point=_extent(new[hunk.new_start : hunk.new_end], row),
        )
    return edited


class PositionMap:
    """Maps byte ranges of one version onto the other, widening across changed text."""

    def __init__(self, hunks: list[Hunk], forward: bool) -> None:
        if forward:
            spans = [(h.old_start, h.old_end, h.new_start, h.new_end) for h in hunks]
        else:
            spans = [(h.new_start, h.new_end, h.old_start, h.old_end) for h in hunks]
        self._spans = spans
        self._starts = [span[0] for span in spans]

    def _map(self, position: int, is_end: bool) -> int:
        index = bisect_right(self._starts, position) - 1
        if index < 0:
            return position
        start, end, target_start, target_end = self._spans[index]
        if position <= end:
            return target_end if is_end else target_start
        return position - end + target_end

    def range(self, start: int, end: int) -> tuple[int, int]:
        return self._map(start, False), self._map(end, True)


class ChangedText:
    """The hunks of one side, sorted and disjoint, for quick overlap tests."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self._all = sorted(ranges)
        self._all_ends = [high for _, high in self._all]
        self._text = [(low, high) for low, high in self._all if low != high]
        self._text_ends = [high for _, high in self._text]

    def overlaps_text(self, start: int, end: int) -> bool:
        """True when [start, end) shares bytes with changed text (insertions on the other
        side only, empty here, do not count)."""
        index = bisect_left(self._text_ends, start + 1)
        return index < len(self._text) and self._text[index][0] < end

    def touches(self, start: int, end: int) -> bool:
        """True when a hunk, empty ones included, meets [start, end] (ends included)."""
        index = bisect_left(self._all_ends, start)
        return index < len(self._all) and self._all[index][0] <= end


class Regions:
    """Changed byte ranges of one version; empty ranges mark insertions on the other side."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.ranges = list(ranges)

    def overlaps_text(self, start: int, end: int) -> bool:
        """True when [start, end) shares bytes with a changed range.

        Empty ranges (text inserted or removed on the other side only) do not count: the
        bytes here are the same, and the other side sees the change as text.
        """
        for low, high in self.ranges:  # noqa: SIM110 - a plain loop: this is a hot path
            if low < end and high > start and low != high:
                return True
        return False

    def touches(self, start: int, end: int) -> bool:
        """Like overlaps, but a range ending where [start, end) begins (or vice versa) counts."""
        for low, high in self.ranges:  # noqa: SIM110
            if low <= end and high >= start:
                return True
        return False

    def covers(self, start: int, end: int) -> bool:
        for low, high in self.ranges:  # noqa: SIM110
            if low <= start and end <= high:
                return True
        return False

    def add(self, start: int, end: int) -> bool:
        """Add a range unless already covered; True when it was added."""
        if self.covers(start, end):
            return False
        self.ranges.append((start, end))
        return True
