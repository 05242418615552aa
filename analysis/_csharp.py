"""C#: methods, constructors, destructors, operators, accessors with bodies, local functions."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from tree_sitter import Node, Query, Tree

from analysis._nesting import Candidate, body_start, collect, make_candidate, node_text
from analysis.languages import ts_language
from analysis.model import Kind

# Node types whose own tokens can name a definition (for looking up same-named ones).
NAME_OWNERS = frozenset(
    {
        "method_declaration", "constructor_declaration", "destructor_declaration",
        "operator_declaration", "conversion_operator_declaration", "local_function_statement",
        "property_declaration", "indexer_declaration", "event_declaration",
        "accessor_declaration", "explicit_interface_specifier",
    }
)

_QUERY = """
[(class_declaration) (struct_declaration) (interface_declaration) (record_declaration)] @type
[(method_declaration) (constructor_declaration) (destructor_declaration)
 (operator_declaration) (conversion_operator_declaration) (local_function_statement)] @def
[(property_declaration) (indexer_declaration) (event_declaration)] @member
(accessor_declaration body: (_)) @accessor
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
    return " ".join(node_text(node.child_by_field_name(field)).split())


def _member_name(node: Node) -> str:
    """The name a property, indexer or event gives its accessors."""
    return "this" if node.type == "indexer_declaration" else _field_text(node, "name")


def _type(node: Node) -> Candidate | None:
    name = _field_text(node, "name")
    return make_candidate(node, node, name, None, body_start(node), is_type=True)


def _definition(node: Node) -> Candidate | None:
    kind = node.type
    if kind == "destructor_declaration":
        name = _field_text(node, "name")
        segment, key = "~" + name, name
    elif kind == "operator_declaration":
        segment, key = "operator " + _field_text(node, "operator"), "operator"
    elif kind == "conversion_operator_declaration":
        direction = next(
            (c.type for c in node.children if c.type in ("implicit", "explicit")), "implicit"
        )
        segment, key = f"{direction} operator {_field_text(node, 'type')}", "operator"
    else:
        segment = key = _field_text(node, "name")
    return make_candidate(node, node, segment, _KIND_BY_TYPE[kind], body_start(node), key)


def _member(node: Node) -> Candidate | None:
    """Properties, indexers and events: a named scope for their accessors, or, when
    expression-bodied, the getter itself."""
    name = _member_name(node)
    value = node.child_by_field_name("value")
    if value is not None and value.type == "arrow_expression_clause":
        return make_candidate(node, node, f"{name}.get", "accessor", value.start_byte, name)
    accessors = node.child_by_field_name("accessors")
    if accessors is None:
        return None
    return make_candidate(node, node, name, None, accessors.start_byte)


def _accessor(node: Node) -> Candidate | None:
    owner = node.parent.parent if node.parent is not None else None
    key = "" if owner is None else _member_name(owner)
    keyword = _field_text(node, "name")
    return make_candidate(node, node, keyword, "accessor", body_start(node), key)


_HANDLERS = {"type": _type, "def": _definition, "member": _member, "accessor": _accessor}


def candidates(
    tree: Tree,
    source: bytes,
    ranges: Sequence[tuple[int, int]] | None = None,
    seen: set[int] | None = None,
) -> list[Candidate]:
    del source  # spans are whole nodes: every member ends with `}` or `;`
    return collect(_query(), tree.root_node, ranges, _HANDLERS, seen)
