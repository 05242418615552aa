"""Where names occur in a source as whole tokens: scanned per name, or indexed in one pass.

A token is a run of identifier bytes (ASCII letters, digits, `_`, `$` and every non-ASCII
byte, so UTF-8 names stay whole). Scanning with `bytes.find` costs one pass over the file
per name; with many names, one pass indexes them all and each question is a bisection.
The new version of a file reuses the old version's index: only its changed text is scanned.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Protocol

from analysis._regions import Hunk

# Bytes that continue an identifier (non-ASCII ones included, as UTF-8 lead and tail bytes).
WORD_BYTES = [chr(b).isalnum() or chr(b) in "_$" if b < 0x80 else True for b in range(256)]
_WORD = re.compile(rb"[0-9A-Za-z_$\x80-\xff]+")  # a run of the bytes above
# From this many names on, one indexing pass costs less than a scan per name.
INDEX_AT = 128


class Finder(Protocol):
    def occurrences(self, key: str, start: int = 0, end: int | None = None) -> list[int]:
        """Where `key` occurs in source[start:end] as a whole token, in order."""
        ...


def occurrences(source: bytes, key: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where `key` occurs in source[start:end] as a whole token (one scan)."""
    token = key.encode("utf-8")
    if not token:
        return []
    stop = len(source) if end is None else end
    length = len(source)
    check_before, check_after = WORD_BYTES[token[0]], WORD_BYTES[token[-1]]
    found: list[int] = []
    position = source.find(token, start, stop)
    while position >= 0:
        after = position + len(token)
        if not (check_before and position > 0 and WORD_BYTES[source[position - 1]]) and not (
            check_after and after < length and WORD_BYTES[source[after]]
        ):
            found.append(position)
        position = source.find(token, after, stop)
    return found


class Scanner:
    """Finds each name by scanning the source."""

    def __init__(self, source: bytes) -> None:
        self.source = source

    def occurrences(self, key: str, start: int = 0, end: int | None = None) -> list[int]:
        return occurrences(self.source, key, start, end)


def is_word(token: bytes) -> bool:
    """Every byte continues an identifier: its occurrences are exactly the equal tokens."""
    return _WORD.fullmatch(token) is not None


class TokenIndex:
    """Positions of some names, found in one pass; other names fall back to a scan."""

    def __init__(self, source: bytes, index: dict[bytes, list[int]]) -> None:
        self.source = source
        self._index = index

    @classmethod
    def build(cls, source: bytes, words: Iterable[bytes]) -> TokenIndex:
        index: dict[bytes, list[int]] = {word: [] for word in words}
        cls._scan(source, 0, len(source), index)
        return cls(source, index)

    @staticmethod
    def _scan(source: bytes, start: int, end: int, index: dict[bytes, list[int]]) -> None:
        get = index.get
        for match in _WORD.finditer(source, start, end):
            positions = get(match.group())
            if positions is not None:
                positions.append(match.start())

    def occurrences(self, key: str, start: int = 0, end: int | None = None) -> list[int]:
        token = key.encode("utf-8")
        positions = self._index.get(token)
        if positions is None:
            return occurrences(self.source, key, start, end)
        stop = len(self.source) if end is None else end
        low = bisect_left(positions, start)
        return positions[low : bisect_right(positions, stop - len(token), low)]

    def carried(self, new_source: bytes, hunks: list[Hunk]) -> TokenIndex:
        """The index of `new_source`, which differs from this source only in `hunks`.

        Tokens away from the hunks move by the hunks before them; the hunks, widened to the
        tokens they touch, are scanned in the new source.
        """
        old_windows = _windows(self.source, [(h.old_start, h.old_end) for h in hunks])
        new_windows = _windows(new_source, [(h.new_start, h.new_end) for h in hunks])
        old_ends = [h.old_end for h in hunks]
        shifts = [h.new_end - h.old_end for h in hunks]
        index: dict[bytes, list[int]] = {}
        for word, positions in self._index.items():
            length = len(word)
            moved = []
            for position in positions:
                if _inside(old_windows, position, position + length):
                    continue
                before = bisect_right(old_ends, position) - 1
                target = position + (shifts[before] if before >= 0 else 0)
                if not _inside(new_windows, target, target + length):
                    moved.append(target)
            index[word] = moved
        scanned: dict[bytes, list[int]] = {word: [] for word in index}
        for low, high in new_windows:
            self._scan(new_source, low, high, scanned)
        for word, found in scanned.items():
            if found:
                index[word] = sorted(index[word] + found)
        return TokenIndex(new_source, index)


def _windows(source: bytes, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges widened over the identifier bytes at their edges, merged, in order."""
    merged: list[tuple[int, int]] = []
    length = len(source)
    for start, end in ranges:
        while start > 0 and WORD_BYTES[source[start - 1]]:
            start -= 1
        while end < length and WORD_BYTES[source[end]]:
            end += 1
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _inside(windows: list[tuple[int, int]], start: int, end: int) -> bool:
    """[start, end) overlaps a window. Window edges are never inside a token, so a token
    overlapping one lies wholly in it."""
    index = bisect_left(windows, (end,)) - 1
    return index >= 0 and windows[index][1] > start


def finders(
    old_source: bytes, new_source: bytes, hunks: list[Hunk], names: Iterable[str]
) -> tuple[Finder, Finder]:
    """Finders for both versions of a file, indexing `names` when there are many."""
    words = {token for token in (name.encode("utf-8") for name in names) if is_word(token)}
    if len(words) < INDEX_AT:
        return Scanner(old_source), Scanner(new_source)
    old = TokenIndex.build(old_source, words)
    return old, old.carried(new_source, hunks)
