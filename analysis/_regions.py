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
    """Byte ranges of one version that grow as scopes are widened; empty ranges mark
    insertions on the other side.

    Only ranges no other range contains are kept: every question asked here has the same
    answer without the contained ones. Kept ranges, sorted by start, then have increasing
    ends too, so each question is one bisection.
    """

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self._lows: list[int] = []
        self._highs: list[int] = []
        for start, end in ranges:
            self.add(start, end)

    def __bool__(self) -> bool:
        return bool(self._lows)

    @property
    def ranges(self) -> list[tuple[int, int]]:
        return list(zip(self._lows, self._highs, strict=True))

    def _last_starting_by(self, position: int) -> int:
        """Index of the last range starting at or before `position` (-1: none)."""
        return bisect_right(self._lows, position) - 1

    def touches(self, start: int, end: int) -> bool:
        """True when a range meets [start, end], ends included."""
        index = self._last_starting_by(end)  # of those, it ends last
        return index >= 0 and self._highs[index] >= start

    def covers(self, start: int, end: int) -> bool:
        """True when one range holds all of [start, end)."""
        index = self._last_starting_by(start)
        return index >= 0 and self._highs[index] >= end

    def crosses(self, start: int, end: int) -> bool:
        """True when `start` lies in [low, high) or `end` in (low, high] of a range.

        Empty ranges stand for a counterpart that no longer exists: they never count.
        """
        index = self._last_starting_by(start)
        if index >= 0 and start < self._highs[index]:
            return True
        index = bisect_left(self._highs, end)  # of those ending at or after `end`, starts first
        return index < len(self._lows) and self._lows[index] < end

    def add(self, start: int, end: int) -> bool:
        """Add a range unless already covered; True when it was added."""
        if self.covers(start, end):
            return False
        # Ranges the new one contains start at or after it and, ends increasing, form a run.
        first = bisect_left(self._lows, start)
        last = bisect_right(self._highs, end, lo=first)
        self._lows[first:last] = [start]
        self._highs[first:last] = [end]
        return True
