"""Turn flat candidate nodes into qualified definitions by nesting their byte ranges.

Extractors only visit the node types that can matter (through a query, in C), so the
enclosing scopes are recovered from ranges instead of a Python walk over every node.
"""

from __future__ import annotations

from typing import NamedTuple

from tree_sitter import Node

from analysis.model import Definition, Kind


class Candidate(NamedTuple):
    start_byte: int
    end_byte: int
    start_line: int  # 1-based
    end_line: int  # 1-based, inclusive
    segment: str | None  # the name part this node adds; None adds nothing
    kind: Kind | None  # None: a scope (a type) that is not reported itself
    is_type: bool = False


def end_line_of(node: Node) -> int:
    row, column = node.end_point
    # A node that ends right after a newline ends on the previous line.
    return row if column == 0 and row > node.start_point[0] else row + 1


def nest(candidates: list[Candidate], methods_in_types: bool = False) -> list[Definition]:
    """Qualified definitions in source order.

    With `methods_in_types`, a "function" whose innermost named scope is a type becomes a
    "method" (Python, where both are `def`).
    """
    candidates.sort(key=lambda c: (c.start_byte, -c.end_byte))
    stack: list[tuple[int, str, bool]] = []  # (end byte, qualified name, is a type)
    found: list[Definition] = []
    for cand in candidates:
        start = cand.start_byte
        while stack and stack[-1][0] <= start:
            stack.pop()
        if stack:
            parent, parent_is_type = stack[-1][1], stack[-1][2]
        else:
            parent, parent_is_type = "", False
        if not cand.segment:
            qualified = parent
        else:
            qualified = f"{parent}.{cand.segment}" if parent else cand.segment
        if cand.kind is not None and cand.segment:
            kind: Kind = cand.kind
            if methods_in_types and kind == "function" and parent_is_type:
                kind = "method"
            found.append(
                Definition(
                    qualified, kind, cand.start_line, cand.end_line, start, cand.end_byte
                )
            )
        if cand.segment:
            stack.append((cand.end_byte, qualified, cand.is_type))
    return found


def node_text(node: Node) -> str:
    text = node.text
    return "" if text is None else text.decode("utf-8", errors="replace")
