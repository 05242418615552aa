"""Turn flat candidate nodes into qualified definitions by nesting their byte ranges.

Extractors only visit the node types that can matter (through a query, in C), so the
enclosing scopes are recovered from ranges instead of a Python walk over every node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from tree_sitter import Node, Query, QueryCursor

from analysis.model import Definition, Kind


class Candidate(NamedTuple):
    start_byte: int
    end_byte: int
    start_line: int  # 1-based
    end_line: int  # 1-based, inclusive
    segment: str | None  # the name part this node adds; None adds nothing
    kind: Kind | None  # None: a scope (a type, a property) that is not reported itself
    is_type: bool
    header_end: int  # where the body starts: the name and nesting never depend on later bytes
    key: str  # a token every definition with this qualified name must contain


def end_line_of(node: Node) -> int:
    row, column = node.end_point
    # A node that ends right after a newline ends on the previous line.
    return row if column == 0 and row > node.start_point[0] else row + 1


def make_candidate(
    first: Node,
    last: Node,
    segment: str | None,
    kind: Kind | None,
    header_end: int,
    key: str | None = None,
    is_type: bool = False,
) -> Candidate:
    """A candidate spanning from `first`'s start to `last`'s end, comments at either edge
    left out (where tree-sitter attaches them differs between fresh and incremental parses,
    and they are not part of a definition)."""
    leaf = first.descendant_for_byte_range(first.start_byte, first.start_byte + 1)
    if leaf is not None and leaf.type == "comment":
        first = _first_code_node(first)
    leaf = last.descendant_for_byte_range(last.end_byte - 1, last.end_byte)
    if leaf is not None and leaf.type == "comment":
        last = last_code_node(last)
    start_row = first.start_point[0]
    end_row, end_column = last.end_point
    end_line = end_row if end_column == 0 and end_row > start_row else end_row + 1
    return Candidate(
        first.start_byte,
        last.end_byte,
        start_row + 1,
        end_line,
        segment,
        kind,
        is_type,
        header_end,
        (segment or "") if key is None else key,
    )


def _first_code_node(node: Node) -> Node:
    while node.child_count:
        child: Node | None = node.child(0)
        while child is not None and child.type == "comment":
            child = child.next_sibling
        if child is None or child == node.child(0):
            break
        node = child
    return node


def last_code_node(node: Node) -> Node:
    """The last descendant that is not a comment, or `node` when it ends with code."""
    while node.child_count:
        child: Node | None = node.child(node.child_count - 1)
        while child is not None and child.type == "comment":
            child = child.prev_sibling
        if child is None:
            break
        node = child
    return node


def body_start(node: Node, field: str = "body") -> int:
    body = node.child_by_field_name(field)
    return node.end_byte if body is None else body.start_byte


def captures_in(
    query: Query, root: Node, ranges: Sequence[tuple[int, int]] | None
) -> Iterable[dict[str, list[Node]]]:
    """Query captures over the whole tree, or over each byte range (nodes touching it)."""
    cursor = QueryCursor(query)
    if ranges is None:
        yield cursor.captures(root)
        return
    for start, end in _merged(ranges):
        cursor.set_byte_range(max(start - 1, 0), end + 1)
        yield cursor.captures(root)


def _merged(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching ranges as one: each query walks down from the root."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def collect(
    query: Query,
    root: Node,
    ranges: Sequence[tuple[int, int]] | None,
    handlers: Mapping[str, Callable[[Node], Candidate | None]],
    seen: set[int] | None = None,
) -> list[Candidate]:
    """Candidates for every capture, each once even when captures or ranges overlap.

    Nodes whose id is in `seen` are skipped (and new ones added): callers querying the same
    tree repeatedly do not rebuild the enclosing scopes each time.
    """
    found: dict[tuple[int, int, str | None, bool], Candidate] = {}
    for captures in captures_in(query, root, ranges):
        for name, nodes in captures.items():
            handler = handlers[name]
            for node in nodes:
                if seen is not None:
                    node_id = node.id
                    if node_id in seen:
                        continue
                    seen.add(node_id)
                candidate = handler(node)
                if candidate is not None:
                    marker = (
                        candidate.start_byte, candidate.end_byte, candidate.segment,
                        candidate.kind is None,
                    )
                    found[marker] = candidate
    return list(found.values())


def nest(candidates: list[Candidate], methods_in_types: bool = False) -> list[Definition]:
    return [definition for _, definition, _ in nest_pairs(candidates, methods_in_types)]


def nest_pairs(
    candidates: list[Candidate], methods_in_types: bool = False
) -> list[tuple[Candidate, Definition, str | None]]:
    """Qualified definitions in source order, each with its candidate and the segment of its
    innermost named scope (None at the top).

    With `methods_in_types`, a "function" whose innermost named scope is a type becomes a
    "method" (Python, where both are `def`). Every ancestor of a candidate must be present.
    """
    candidates.sort(key=lambda c: (c.start_byte, -c.end_byte))
    stack: list[tuple[int, str, bool, str]] = []  # (end, qualified name, is a type, segment)
    found: list[tuple[Candidate, Definition, str | None]] = []
    for cand in candidates:
        start = cand.start_byte
        while stack and stack[-1][0] <= start:
            stack.pop()
        if stack:
            _, parent, parent_is_type, parent_segment = stack[-1]
        else:
            parent, parent_is_type, parent_segment = "", False, None
        if not cand.segment:
            qualified = parent
        else:
            qualified = f"{parent}.{cand.segment}" if parent else cand.segment
        if cand.kind is not None and cand.segment:
            kind: Kind = cand.kind
            if methods_in_types and kind == "function" and parent_is_type:
                kind = "method"
            found.append(
                (
                    cand,
                    Definition(
                        qualified, kind, cand.start_line, cand.end_line, start, cand.end_byte
                    ),
                    parent_segment,
                )
            )
        if cand.segment:
            stack.append((cand.end_byte, qualified, cand.is_type, cand.segment))
    return found


def node_text(node: Node | None) -> str:
    text = None if node is None else node.text
    return "" if text is None else text.decode("utf-8", errors="replace")
