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
from bisect import bisect_right

from analysis._nesting import Candidate
from analysis._regions import ChangedText, Hunk, PositionMap, Regions, hunks_between
from analysis.definitions import ParsedFile
from analysis.model import Definition

_AFTER_ALL = 1 << 62
_MAX_LOOKUPS = 2000  # past this many name occurrences, a full pass is cheaper
# Bytes that continue an identifier (non-ASCII ones included, as UTF-8 lead and tail bytes).
_WORD_BYTES = [
    chr(b).isalnum() or chr(b) in "_$" if b < 0x80 else True for b in range(256)
]
_SPACE = re.compile(rb"[ \t\r\n\f]*")

Marker = tuple[int, int, str | None, bool]
Named = list[tuple[Candidate, Definition, str | None]]
_PLAIN_NAME = re.compile(r"^[\w$#]+$")


def _marker(candidate: Candidate) -> Marker:
    return (candidate.start_byte, candidate.end_byte, candidate.segment, candidate.kind is None)


def _occurrences(source: bytes, key: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where `key` occurs in source[start:end] as a whole token."""
    token = key.encode("utf-8")
    if not token:
        return []
    stop = len(source) if end is None else end
    length = len(source)
    check_before, check_after = _WORD_BYTES[token[0]], _WORD_BYTES[token[-1]]
    found: list[int] = []
    position = source.find(token, start, stop)
    while position >= 0:
        after = position + len(token)
        if not (check_before and position > 0 and _WORD_BYTES[source[position - 1]]) and not (
            check_after and after < length and _WORD_BYTES[source[after]]
        ):
            found.append(position)
        position = source.find(token, after, stop)
    return found


class _Side:
    """The candidates seen so far in one version, and its changed regions."""

    def __init__(self, parsed: ParsedFile, ranges: list[tuple[int, int]]) -> None:
        self.parsed = parsed
        self.changed = ChangedText(ranges)  # text that differs: never grows
        self.regions = Regions(ranges)  # text to examine: grows as scopes are widened
        self.pending = list(ranges)
        self.seen: dict[Marker, Candidate] = {}
        self.nodes: set[int] = set()
        self.expanded: set[Marker] = set()
        self.checked: set[Marker] = set()
        self.scope_spans: dict[str, list[tuple[int, int]]] = {}
        self.forced = Regions([])  # scopes starting here are widened too
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
            self.query(
                [(self.after_previous_token(low), self.next_token(high)) for low, high in ranges]
            )

    def next_token(self, position: int) -> int:
        """Forward over whitespace, so a definition starting just after a change is seen."""
        match = _SPACE.match(self.parsed.source, position)
        return position if match is None else match.end()

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
        return min(self.next_token(candidate.end_byte) + 1, len(self.parsed.source))

    def boundary_changed(self, candidate: Candidate) -> bool:
        """The header, the last line or the text right after a scope changed, or (in
        JavaScript) text was inserted around it: its extent or name may differ."""
        changed = self.changed
        start, end = candidate.start_byte, candidate.end_byte
        after = self.terminator_end(candidate)
        return (
            changed.overlaps_text(start, candidate.header_end)
            or changed.overlaps_text(self.last_line_start(candidate), after)
            or (
                self.continues
                and (changed.touches(end, after) or changed.touches(self.before(start), start))
            )
        )

    def before(self, start: int) -> int:
        return self.after_previous_token(start)

    def to_expand(self) -> list[Candidate]:
        """Scopes to widen now: their boundaries may have moved, or they start where the
        other side widened a scope and are not wholly examined yet."""
        found = []
        checked = self.checked
        has_forced = bool(self.forced.ranges)
        for marker, candidate in self.seen.items():
            if not candidate.segment or marker in self.expanded:
                continue
            if marker not in checked:  # the changed text never grows: check once
                checked.add(marker)
                if self.boundary_changed(candidate):
                    self.expanded.add(marker)
                    found.append(candidate)
                    continue
            if not has_forced:
                continue
            start, end = candidate.start_byte, candidate.end_byte
            # A scope with an end inside what the other side widened may have grown or shrunk.
            if (
                self.forced.touches(start, start) or self.forced.touches(end, end)
            ) and not self.regions.covers(start, end):
                self.expanded.add(marker)
                found.append(candidate)
        return found

    def widen(self, start: int, end: int) -> None:
        if self.regions.add(start, end):
            self.pending.append((start, end))


def _widen_to_fixpoint(old: _Side, new: _Side, forward: PositionMap, back: PositionMap) -> None:
    while True:
        old.flush()
        new.flush()
        progress = False
        for side, other, mapping in ((old, new, forward), (new, old, back)):
            for scope in side.to_expand():
                progress = True
                side.widen(scope.start_byte, scope.end_byte)
                mapped = mapping.range(scope.start_byte, scope.end_byte)
                # The counterpart may have grown or shrunk: widen it whole as well.
                other.forced.add(*mapped)
                other.widen(*mapped)
        if not progress:
            return


def _complete_groups(side: _Side, keys: dict[str, set[str] | None]) -> bool:
    """Look up every other definition that could share a reported name; False if too many.

    `keys` maps a name token to the segments of the scopes such definitions sit in (None when
    the scope's name is not a plain name token, so any occurrence must be looked up).
    """
    parsed = side.parsed
    source = parsed.source
    # A name inside the header of a definition already seen needs no lookup.
    headers = sorted((c.start_byte, c.header_end) for c in side.seen.values())
    lookups: list[tuple[int, int]] = []
    for key, scopes in keys.items():
        allowed: list[tuple[int, int]] | None = None
        if scopes is not None:
            allowed = []
            for scope in scopes:
                spans = side.scope_spans.get(scope)
                if spans is None:
                    spans = parsed.spans_named(scope, _occurrences(source, scope))
                    side.scope_spans[scope] = spans
                allowed += spans
            if not allowed:
                continue  # no scope of that name on this side, so no member either
        length = len(key.encode("utf-8"))
        within = [(0, len(source))] if allowed is None else allowed
        for low, high in within:
            for position in _occurrences(source, key, low, high):
                end = position + length
                if (
                    not _in_known_header(headers, position)
                    and parsed.may_name_definition(position, end)
                    and not side.regions.covers(position, end)
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


def _in_known_header(headers: list[tuple[int, int]], position: int) -> bool:
    index = bisect_right(headers, (position, _AFTER_ALL)) - 1
    return index >= 0 and position < headers[index][1]


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
    named = {}
    for side in (old, new):
        named[id(side)] = found = _named(side)
        for candidate, definition, parent in found:
            start = side.before(candidate.start_byte) if side.continues else candidate.start_byte
            if side.regions.touches(start, side.terminator_end(candidate)):
                names.add(definition.qualified_name)
                _add_key(keys, candidate.key, parent)
    if not names:
        return [], []
    result = []
    for side in (old, new):
        seen = len(side.seen)
        if not _complete_groups(side, keys):
            return None
        found = named[id(side)] if len(side.seen) == seen else _named(side)
        result.append([d for _, d, _ in found if d.qualified_name in names])
    return result[0], result[1]


def _add_key(keys: dict[str, set[str] | None], key: str, parent: str | None) -> None:
    if parent is None or parent == "default" or not _PLAIN_NAME.match(parent):
        keys[key] = None  # top level, or a scope named otherwise: look at every occurrence
    elif key not in keys:
        keys[key] = {parent}
    else:
        scopes = keys[key]
        if scopes is not None:
            scopes.add(parent)
