"""Find the definitions a change can affect without visiting the whole tree.

Only nodes touching git's hunks are queried. A scope whose header or last line changed is
widened to its whole span on both sides, since the names or nesting of everything inside it
may have changed. Every other definition keeps its text and its qualified name, so it
cannot be reported. For each qualified name that is reported, the other definitions with
the same name (overloads, a getter's setter) are looked up through their name tokens, so
groups are compared whole.
"""

from __future__ import annotations

import re

from analysis._nesting import Candidate
from analysis._regions import Hunk, PositionMap, Regions, hunks_between
from analysis.definitions import ParsedFile
from analysis.model import Definition

_MAX_LOOKUPS = 2000  # past this many name occurrences, a full pass is cheaper
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")

Marker = tuple[int, int, str | None, bool]
Named = list[tuple[Candidate, Definition, str | None]]
_PLAIN_NAME = re.compile(r"^[\w$#]+$")


def _marker(candidate: Candidate) -> Marker:
    return (candidate.start_byte, candidate.end_byte, candidate.segment, candidate.kind is None)


def _is_word(byte: int) -> bool:
    return byte in _WORD or byte >= 0x80


def _occurrences(source: bytes, key: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where `key` occurs in source[start:end] as a whole token."""
    token = key.encode("utf-8")
    if not token:
        return []
    stop = len(source) if end is None else end
    check_before, check_after = _is_word(token[0]), _is_word(token[-1])
    found: list[int] = []
    position = source.find(token, start, stop)
    while position >= 0:
        after = position + len(token)
        if not (check_before and position > 0 and _is_word(source[position - 1])) and not (
            check_after and after < len(source) and _is_word(source[after])
        ):
            found.append(position)
        position = source.find(token, after, stop)
    return found


class _Side:
    """The candidates seen so far in one version, and its changed regions."""

    def __init__(self, parsed: ParsedFile, ranges: list[tuple[int, int]]) -> None:
        self.parsed = parsed
        self.regions = Regions(ranges)
        self.pending = list(ranges)
        self.seen: dict[Marker, Candidate] = {}
        self.nodes: set[int] = set()
        self.expanded: set[Marker] = set()
        self.forced: list[tuple[int, int]] = []  # scopes starting here are widened too
        # In JavaScript, text added after an expression can continue it: `class {}\n()`.
        self.continues = parsed.grammar in ("typescript", "tsx", "javascript")

    def query(self, ranges: list[tuple[int, int]]) -> list[Candidate]:
        fresh = []
        for candidate in self.parsed.candidates(ranges, self.nodes):
            marker = _marker(candidate)
            if marker not in self.seen:
                self.seen[marker] = candidate
                fresh.append(candidate)
        return fresh

    def flush(self) -> None:
        if self.pending:
            ranges, self.pending = self.pending, []
            self.query([(self.after_previous_token(low), high) for low, high in ranges])

    def after_previous_token(self, position: int) -> int:
        """Back over whitespace, so a scope ending just before a change is seen too."""
        source = self.parsed.source
        while position > 0 and source[position - 1] in b" \t\r\n\f":
            position -= 1
        return position

    def last_line_start(self, candidate: Candidate) -> int:
        source = self.parsed.source
        return max(candidate.start_byte, source.rfind(b"\n", 0, candidate.end_byte) + 1)

    def terminator_end(self, candidate: Candidate) -> int:
        """Just past the first token after a scope: in Python a dedent there ends the scope."""
        source = self.parsed.source
        position = candidate.end_byte
        length = len(source)
        while position < length and source[position] in b" \t\r\n\f":
            position += 1
        return min(position + 1, length)

    def to_expand(self) -> list[Candidate]:
        """Scopes whose boundaries may have moved, not widened yet: the header, the last line
        or the text right after the scope changed, or the scope starts where the other side
        widened a scope."""
        found = []
        regions = self.regions
        for marker, candidate in self.seen.items():
            if not candidate.segment or marker in self.expanded:
                continue
            start, end = candidate.start_byte, candidate.end_byte
            if (
                regions.overlaps_text(start, candidate.header_end)
                or regions.overlaps_text(self.last_line_start(candidate), end)
                or regions.overlaps_text(end, self.terminator_end(candidate))
                or (self.continues and regions.touches(end, self.terminator_end(candidate)))
                or any(low <= start <= high for low, high in self.forced)
            ):
                self.expanded.add(marker)
                found.append(candidate)
        return found

    def widen(self, start: int, end: int) -> bool:
        if self.regions.add(start, end):
            self.pending.append((start, end))
            return True
        return False


def _widen_to_fixpoint(old: _Side, new: _Side, forward: PositionMap, back: PositionMap) -> None:
    changed = True
    while changed:
        changed = False
        old.flush()
        new.flush()
        for side, other, mapping in ((old, new, forward), (new, old, back)):
            for scope in side.to_expand():
                changed |= side.widen(scope.start_byte, scope.end_byte)
                mapped = mapping.range(scope.start_byte, scope.end_byte)
                # The counterpart may have grown or shrunk: widen it whole as well.
                other.forced.append(mapped)
                other.widen(*mapped)
                changed = True


def _complete_groups(side: _Side, keys: dict[str, set[str] | None]) -> bool:
    """Look up every other definition that could share a reported name; False if too many.

    `keys` maps a name token to the segments of the scopes such definitions sit in (None when
    the scope's name is not a plain name token, so any occurrence must be looked up).
    """
    parsed = side.parsed
    source = parsed.source
    lookups: list[tuple[int, int]] = []
    for key, scopes in keys.items():
        allowed: list[tuple[int, int]] | None = None
        if scopes is not None:
            allowed = []
            for scope in scopes:
                allowed += parsed.spans_named(scope, _occurrences(source, scope))
            if not allowed:
                continue  # no scope of that name on this side, so no member either
        length = len(key.encode("utf-8"))
        within = [(0, len(source))] if allowed is None else allowed
        for low, high in within:
            for position in _occurrences(source, key, low, high):
                end = position + length
                if parsed.may_name_definition(position, end) and not side.regions.covers(
                    position, end
                ):
                    lookups.append((position, end))
    if len(lookups) > _MAX_LOOKUPS:
        return False
    side.query(lookups)
    # Properties found by name: their accessors lie beyond the name token.
    members = [
        (c.start_byte, c.end_byte)
        for c in side.seen.values()
        if c.kind is None and not c.is_type and c.segment in keys
    ]
    if members:
        side.query(members)
    return True


def _named(side: _Side) -> Named:
    return side.parsed.qualify(list(side.seen.values()))


def focused_definitions(
    old_file: ParsedFile, new_file: ParsedFile, hunks: list[Hunk] | None = None
) -> tuple[list[Definition], list[Definition]] | None:
    """Definitions of both versions that can differ, each name with all its members.

    None when the focused pass does not apply (then compare everything).
    """
    if hunks is None:
        hunks = hunks_between(old_file.source, new_file.source)
    old = _Side(old_file, [(h.old_start, h.old_end) for h in hunks])
    new = _Side(new_file, [(h.new_start, h.new_end) for h in hunks])
    if not hunks:
        return [], []
    _widen_to_fixpoint(old, new, PositionMap(hunks, True), PositionMap(hunks, False))
    names: set[str] = set()
    keys: dict[str, set[str] | None] = {}
    for side in (old, new):
        for candidate, definition, parent in _named(side):
            if side.regions.touches(candidate.start_byte, side.terminator_end(candidate)):
                names.add(definition.qualified_name)
                _add_key(keys, candidate.key, parent)
    if not names:
        return [], []
    if not (_complete_groups(old, keys) and _complete_groups(new, keys)):
        return None
    return (
        [d for _, d, _ in _named(old) if d.qualified_name in names],
        [d for _, d, _ in _named(new) if d.qualified_name in names],
    )


def _add_key(keys: dict[str, set[str] | None], key: str, parent: str | None) -> None:
    if parent is None or parent == "default" or not _PLAIN_NAME.match(parent):
        keys[key] = None  # top level, or a scope named otherwise: look at every occurrence
    elif key not in keys:
        keys[key] = {parent}
    else:
        scopes = keys[key]
        if scopes is not None:
            scopes.add(parent)
