"""C#: methods, constructors, destructors, operators, accessors with bodies, local functions."""

from __future__ import annotations

from functools import cache

from tree_sitter import Node, Query, QueryCursor, Tree

from analysis._nesting import Candidate, end_line_of, nest, node_text
from analysis.languages import ts_language
from analysis.model import Definition, Kind

_QUERY = """
[(class_declaration) (struct_declaration) (interface_declaration) (record_declaration)] @type
[(method_declaration) (constructor_declaration) (destructor_declaration)
 (operator_declaration) (conversion_operator_declaration) (local_function_statement)] @def
(accessor_declaration body: (_)) @accessor
(property_declaration value: (arrow_expression_clause)) @expr
(indexer_declaration value: (arrow_expression_clause)) @expr
"""

_KIND_BY_TYPE: dict[str, Kind] = {
    "method_declaration": "method",
    "constructor_declaration": "constructor",
    "destructor_declaration": "destructor",
    "operator_declaration": "operator",
    "conversion_operator_declaration": "conversion",
    "local_function_statement": "local_function",
}


@cache
def _query() -> Query:
    return Query(ts_language("csharp"), _QUERY)


def _field_text(node: Node, field: str) -> str:
    child = node.child_by_field_name(field)
    return "" if child is None else " ".join(node_text(child).split())


def _member_name(node: Node) -> str:
    """The name a property, indexer or event gives its accessors."""
    if node.type == "indexer_declaration":
        return "this"
    return _field_text(node, "name")


def _definition_segment(node: Node) -> str:
    kind = node.type
    if kind == "destructor_declaration":
        return "~" + _field_text(node, "name")
    if kind == "operator_declaration":
        return "operator " + _field_text(node, "operator")
    if kind == "conversion_operator_declaration":
        direction = next(
            (c.type for c in node.children if c.type in ("implicit", "explicit")), "implicit"
        )
        return f"{direction} operator {_field_text(node, 'type')}"
    return _field_text(node, "name")


def _candidate(node: Node, segment: str, kind: Kind | None, is_type: bool = False) -> Candidate:
    return Candidate(
        node.start_byte,
        node.end_byte,
        node.start_point[0] + 1,
        end_line_of(node),
        segment,
        kind,
        is_type,
    )


def extract(tree: Tree, source: bytes) -> list[Definition]:
    del source  # spans are whole nodes: every member ends with `}` or `;`
    captures = QueryCursor(_query()).captures(tree.root_node)
    candidates: list[Candidate] = []
    for node in captures.get("type", ()):
        candidates.append(_candidate(node, _field_text(node, "name"), None, True))
    for node in captures.get("def", ()):
        candidates.append(_candidate(node, _definition_segment(node), _KIND_BY_TYPE[node.type]))
    for node in captures.get("accessor", ()):
        owner = node.parent.parent if node.parent is not None else None
        if owner is None:
            continue
        keyword = _field_text(node, "name")
        candidates.append(_candidate(node, f"{_member_name(owner)}.{keyword}", "accessor"))
    for node in captures.get("expr", ()):
        candidates.append(_candidate(node, f"{_member_name(node)}.get", "accessor"))
    return nest(candidates)
