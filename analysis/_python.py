"""Python: every def / async def, named by the enclosing classes and defs."""

from __future__ import annotations

from functools import cache

from tree_sitter import Node, Query, QueryCursor, Tree

from analysis._nesting import Candidate, end_line_of, nest, node_text
from analysis.languages import ts_language
from analysis.model import Definition

_QUERY = """
(function_definition name: (identifier) @name) @def
(class_definition name: (identifier) @name) @class
"""


@cache
def _query() -> Query:
    return Query(ts_language("python"), _QUERY)


def _last_code_node(node: Node) -> Node:
    """The last descendant that is not a comment: trailing comments are not part of a body."""
    while node.child_count:
        child: Node | None = node.child(node.child_count - 1)
        while child is not None and child.type == "comment":
            child = child.prev_sibling
        if child is None:
            break
        node = child
    return node


def _span_end(node: Node, source: bytes) -> Node:
    end = node.end_byte
    line_start = source.rfind(b"\n", 0, end) + 1
    if b"#" not in source[line_start:end]:
        return node
    return _last_code_node(node)


def extract(tree: Tree, source: bytes) -> list[Definition]:
    candidates: list[Candidate] = []
    for _, match in QueryCursor(_query()).matches(tree.root_node):
        name_nodes = match.get("name")
        if not name_nodes:
            continue
        name = node_text(name_nodes[0])
        def_nodes = match.get("def")
        if def_nodes:
            node = def_nodes[0]
            parent = node.parent
            outer = parent if parent is not None and parent.type == "decorated_definition" else node
            last = _span_end(node, source)
            candidates.append(
                Candidate(
                    outer.start_byte,
                    last.end_byte,
                    outer.start_point[0] + 1,
                    end_line_of(last),
                    name,
                    "function",
                )
            )
        else:
            node = match["class"][0]
            candidates.append(
                Candidate(
                    node.start_byte,
                    node.end_byte,
                    node.start_point[0] + 1,
                    end_line_of(node),
                    name,
                    None,
                    True,
                )
            )
    return nest(candidates, methods_in_types=True)
