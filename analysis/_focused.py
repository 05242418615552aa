"""Find the definitions a change can affect without visiting the whole tree.

Only nodes near git's hunks are queried. A scope whose boundaries may have moved (its header,
its last line or the token after it changed) is widened to its whole span on both sides,
and so is every scope that crosses what the other side widened, since names and nesting
inside them may differ. Every other definition keeps its text, its neighbours and its
qualified name on both sides, so it cannot be reported. A name whose examined definitions
read the same on both sides is unchanged; for the others, every definition sharing the name
(overloads, a getter's setter) is looked up through its name token, so groups are compared
whole. The result equals comparing every definition; tests check that on random edits.
"""

from __future__ import annotations

import re

from analysis._lookups import add_key, lookup_ranges, wanted_names
from analysis._nesting import Candidate
from analysis._regions import ChangedText, Hunk, PositionMap, Regions, hunks_between
from analysis._tokens import Finder, finders
from analysis.definitions import ParsedFile, normalised
from analysis.model import Definition

_SPACE = re.compile(rb"[ \t\r\n\f]*")

Marker = tuple[int, int, str | None, bool]
Named = list[tuple[Candidate, Definition, str | None]]


def _marker(candidate: Candidate) -> Marker:
    return (candidate.start_byte, candidate.end_byte, candidate.segment, candidate.kind is None)


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
        self.compared: set[Marker] = set()  # counterpart found with the same extent
        self.probed: set[Marker] = set()
        self.scope_spans: dict[str, list[tuple[int, int]]] = {}
        self.forced = Regions([])  # scopes with an end in here are widened too
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
        has_forced = bool(self.forced)
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
            if self.forced.crosses(start, end) and not self.regions.covers(start, end):
                self.expanded.add(marker)
                found.append(candidate)
        return found

    def extent_changed(self, other: _Side, mapping: PositionMap) -> list[Candidate]:
        """Scopes whose counterpart starts where they map to but ends elsewhere: an edit in
        between (a brace moved, say) changed what they hold without touching their edges."""
        ends = {
            (c.start_byte, c.segment, c.kind is None): c.end_byte
            for c in other.seen.values()
            if c.segment
        }
        found = []
        for marker, candidate in self.seen.items():
            if not candidate.segment or marker in self.expanded or marker in self.compared:
                continue
            start, end = mapping.range(candidate.start_byte, candidate.end_byte)
            counterpart_end = ends.get((start, candidate.segment, candidate.kind is None))
            if counterpart_end is None:
                if marker not in self.probed:  # not seen there yet: look once
                    self.probed.add(marker)
                    other.pending.append((start, start))
                continue
            self.compared.add(marker)
            if counterpart_end != end:
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
            for scope in side.to_expand() + side.extent_changed(other, mapping):
                progress = True
                side.widen(scope.start_byte, scope.end_byte)
                mapped = mapping.range(scope.start_byte, scope.end_byte)
                # The counterpart may have grown or shrunk: widen it whole as well.
                other.forced.add(*mapped)
                other.widen(*mapped)
        if not progress and not old.pending and not new.pending:
            return


def _complete_groups(side: _Side, finder: Finder, keys: dict[str, set[str] | None]) -> bool:
    """Query every other definition that could share a reported name; False if too many."""
    headers = sorted((c.start_byte, c.header_end) for c in side.seen.values())
    lookups = lookup_ranges(side.parsed, finder, keys, side.regions, headers, side.scope_spans)
    if lookups is None:
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
    affected: list[dict[str, list[tuple[Candidate, Definition, str | None]]]] = []
    named = []
    for side in (old, new):
        found = _named(side)
        named.append(found)
        by_name: dict[str, list[tuple[Candidate, Definition, str | None]]] = {}
        for item in found:
            candidate = item[0]
            start = side.before(candidate.start_byte) if side.continues else candidate.start_byte
            if side.regions.touches(start, side.terminator_end(candidate)):
                by_name.setdefault(item[1].qualified_name, []).append(item)
        affected.append(by_name)
    # A name whose examined members read the same on both sides is unchanged: its other
    # members were not examined on either side, so they are the same too.
    names = {
        name
        for name in affected[0].keys() | affected[1].keys()
        if _texts(old, affected[0].get(name)) != _texts(new, affected[1].get(name))
    }
    if not names:
        return [], []
    keys: dict[str, set[str] | None] = {}
    for by_name in affected:
        for name in names:
            for candidate, _, parent in by_name.get(name, ()):
                add_key(keys, candidate.key, parent)
    result = []
    sides_finders = finders(old_file.source, new_file.source, hunks, wanted_names(keys))
    for side, finder, found in zip((old, new), sides_finders, named, strict=True):
        seen = len(side.seen)
        if not _complete_groups(side, finder, keys):
            return None
        if len(side.seen) != seen:
            found = _named(side)
        result.append([d for _, d, _ in found if d.qualified_name in names])
    return result[0], result[1]


def _texts(
    side: _Side, items: list[tuple[Candidate, Definition, str | None]] | None
) -> list[bytes]:
    source = side.parsed.source
    return sorted(normalised(source[d.start_byte : d.end_byte]) for _, d, _ in items or ())
