"""TypeScript and JavaScript: functions, class members and functions bound to variables."""

from __future__ import annotations

from functools import cache

from tree_sitter import Node, Query, QueryCursor, Tree

from analysis._nesting import Candidate, nest, node_text
from analysis.languages import ts_language
from analysis.model import Definition, Kind

_FUNCTION_VALUES = "[(arrow_function) (function_expression) (generator_function) " \
    "(parenthesized_expression)]"

_COMMON = f"""
[(function_declaration) (generator_function_declaration)] @function
(export_statement value: [(function_expression) (generator_function)] @default)
[(class_declaration) (class)] @class
(class_body (method_definition) @method)
(variable_declarator name: (identifier) value: {_FUNCTION_VALUES}) @variable
"""
_TYPESCRIPT_ONLY = f"""
(function_signature) @function
(abstract_class_declaration) @class
(class_body [(method_signature) (abstract_method_signature)] @method)
(public_field_definition value: {_FUNCTION_VALUES}) @field
"""
_JAVASCRIPT_ONLY = f"""
(field_definition value: {_FUNCTION_VALUES}) @field
"""
_FUNCTION_TYPES = frozenset({"arrow_function", "function_expression", "generator_function"})
# Wrappers whose keywords are modifiers of the definition they hold.
_MODIFIER_WRAPPERS = frozenset({"export_statement", "ambient_declaration"})


@cache
def _query(grammar: str) -> Query:
    extra = _JAVASCRIPT_ONLY if grammar == "javascript" else _TYPESCRIPT_ONLY
    return Query(ts_language(grammar), _COMMON + extra)


def _unwrap_parentheses(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression":
        node = next((c for c in node.named_children if c.type != "comment"), None)
    return node


def _property_name(node: Node | None) -> str:
    if node is None:
        return ""
    if node.type == "string":
        return node_text(node)[1:-1]
    return node_text(node)


def _with_modifiers(node: Node) -> Node:
    """The outermost `export` / `declare` wrapper around a declaration."""
    outer = node
    parent = node.parent
    while parent is not None and parent.type in _MODIFIER_WRAPPERS:
        outer = parent
        parent = parent.parent
    return outer


def _first_decorator(node: Node) -> Node:
    """TypeScript keeps member decorators as siblings before the member."""
    first = node
    sibling = node.prev_sibling
    while sibling is not None and sibling.type in ("decorator", "comment"):
        if sibling.type == "decorator":
            first = sibling
        sibling = sibling.prev_sibling
    return first


def _end_with_semicolon(node: Node) -> Node:
    following = node.next_sibling
    return following if following is not None and following.type == ";" else node


def _candidate(
    first: Node, last: Node, segment: str | None, kind: Kind | None, is_type: bool = False
) -> Candidate:
    end_row, end_column = last.end_point
    start_row = first.start_point[0]
    end_line = end_row if end_column == 0 and end_row > start_row else end_row + 1
    return Candidate(
        first.start_byte, last.end_byte, start_row + 1, end_line, segment, kind, is_type
    )


def _class_name(node: Node) -> str | None:
    name = node.child_by_field_name("name")
    if name is not None:
        return node_text(name)
    parent = node.parent
    if parent is not None and parent.type == "export_statement":
        return "default"
    if parent is not None and parent.type == "variable_declarator":
        return _property_name(parent.child_by_field_name("name"))
    return None  # an anonymous class expression adds nothing


def _method(node: Node) -> Candidate:
    name_node = node.child_by_field_name("name")
    name = _property_name(name_node)
    accessor = None
    for child in node.children:
        if child == name_node:
            break
        if child.type in ("get", "set"):
            accessor = child.type
    first = _first_decorator(node)
    last = node if node.type == "method_definition" else _end_with_semicolon(node)
    if accessor is not None:
        return _candidate(first, last, f"{name}.{accessor}", "accessor")
    if name == "constructor":
        return _candidate(first, last, name, "constructor")
    return _candidate(first, last, name, "method")


def _declarator_count(statement: Node) -> int:
    return sum(1 for child in statement.named_children if child.type == "variable_declarator")


def _variable(node: Node) -> Candidate | None:
    value = _unwrap_parentheses(node.child_by_field_name("value"))
    if value is None or value.type not in _FUNCTION_TYPES:
        return None
    name = node_text(node.child_by_field_name("name") or node)
    statement = node.parent
    if statement is not None and _declarator_count(statement) == 1:
        return _candidate(_with_modifiers(statement), statement, name, "function")
    return _candidate(node, node, name, "function")


def _field(node: Node) -> Candidate | None:
    value = _unwrap_parentheses(node.child_by_field_name("value"))
    if value is None or value.type not in _FUNCTION_TYPES:
        return None
    name_node = node.child_by_field_name("name") or node.child_by_field_name("property")
    return _candidate(
        _first_decorator(node), _end_with_semicolon(node), _property_name(name_node), "method"
    )


def extract(tree: Tree, source: bytes, grammar: str) -> list[Definition]:
    del source
    captures = QueryCursor(_query(grammar)).captures(tree.root_node)
    candidates: list[Candidate] = []
    for node in captures.get("function", ()):
        name = node.child_by_field_name("name")
        segment = node_text(name) if name is not None else "default"
        candidates.append(_candidate(_with_modifiers(node), node, segment, "function"))
    for node in captures.get("default", ()):
        candidates.append(_candidate(_with_modifiers(node), node, "default", "function"))
    for node in captures.get("class", ()):
        candidates.append(_candidate(node, node, _class_name(node), None, True))
    for node in captures.get("method", ()):
        candidates.append(_method(node))
    for node in captures.get("variable", ()):
        found = _variable(node)
        if found is not None:
            candidates.append(found)
    for node in captures.get("field", ()):
        found = _field(node)
        if found is not None:
            candidates.append(found)
    return nest(candidates)
