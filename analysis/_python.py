"""Python: every def / async def, named by the enclosing classes and defs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from tree_sitter import Node, Query, Tree

from analysis._nesting import Candidate, body_start, collect, make_candidate, node_text
from analysis.languages import ts_language

# Node types whose own tokens can name a definition (for looking up same-named ones).
NAME_OWNERS = frozenset({"function_definition", "class_definition", "decorated_definition"})

_QUERY = """
(function_definition) @def
(class_definition) @class
(decorated_definition) @decorated
"""


@cache
def _query() -> Query:
    return Query(ts_language("python"), _QUERY)


def candidates(
    tree: Tree,
    source: bytes,
    ranges: Sequence[tuple[int, int]] | None = None,
    seen: set[int] | None = None,
) -> list[Candidate]:
    def function(node: Node) -> Candidate | None:
        name = node_text(node.child_by_field_name("name"))
        parent = node.parent
        first = parent if parent is not None and parent.type == "decorated_definition" else node
        return make_candidate(first, node, name, "function", body_start(node))

    def klass(node: Node) -> Candidate | None:
        name = node_text(node.child_by_field_name("name"))
        return make_candidate(node, node, name, None, body_start(node), is_type=True)

    def decorated(node: Node) -> Candidate | None:
        inner = node.child_by_field_name("definition")
        if inner is None:
            return None
        return function(inner) if inner.type == "function_definition" else klass(inner)

    handlers = {"def": function, "class": klass, "decorated": decorated}
    return collect(_query(), tree.root_node, ranges, handlers, seen)
