"""TypeScript and JavaScript: functions, class members and functions bound to variables."""

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
        "function_declaration", "generator_function_declaration", "function_signature",
        "method_definition", "method_signature", "abstract_method_signature",
        "public_field_definition", "field_definition", "variable_declarator",
        "export_statement", "computed_property_name", "string",
    }
)

_FUNCTION_VALUES = "[(arrow_function) (function_expression) (generator_function) " \
    "(parenthesized_expression)]"

_COMMON = f"""
[(function_declaration) (generator_function_declaration)] @function
(export_statement value: [(function_expression) (generator_function)] @default)
[(class_declaration) (class)] @class
(class_body (method_definition) @method)
(variable_declarator name: (identifier) value: {_FUNCTION_VALUES}) @variable
(export_statement) @wrapper
[(lexical_declaration) (variable_declaration)] @wrapper
"""
_TYPESCRIPT_ONLY = f"""
(function_signature) @function
(abstract_class_declaration) @class
(class_body [(method_signature) (abstract_method_signature)] @method)
(class_body (decorator) @decorator)
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


def _class(node: Node) -> Candidate | None:
    name = _class_name(node)
    first = node
    if name is not None and node.child_by_field_name("name") is None and node.parent is not None:
        first = node.parent  # the name comes from the wrapper: keep it inside the header
    return make_candidate(first, node, name, None, body_start(node), is_type=True)


def _function(node: Node) -> Candidate | None:
    name = node.child_by_field_name("name")
    segment = node_text(name) if name is not None else "default"
    return make_candidate(_with_modifiers(node), node, segment, "function", body_start(node))


def _default(node: Node) -> Candidate | None:
    """`export default function () {}`; `export = function () {}` is an assignment."""
    statement = node.parent
    if statement is None or not any(c.type == "default" for c in statement.children):
        return None
    return make_candidate(_with_modifiers(node), node, "default", "function", body_start(node))


def _method(node: Node) -> Candidate | None:
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
    header = body_start(node)
    if accessor is not None:
        return make_candidate(first, last, f"{name}.{accessor}", "accessor", header, name)
    kind: Kind = "constructor" if name == "constructor" else "method"
    return make_candidate(first, last, name, kind, header)


def _decorator(node: Node) -> Candidate | None:
    """A decorator line alone still belongs to the member after it."""
    member = node.next_sibling
    while member is not None and member.type in ("decorator", "comment"):
        member = member.next_sibling
    if member is None:
        return None
    if member.type in ("method_definition", "method_signature", "abstract_method_signature"):
        return _method(member)
    if member.type in ("public_field_definition", "field_definition"):
        return _field(member)
    return None


def _declarator_count(statement: Node) -> int:
    return sum(1 for child in statement.named_children if child.type == "variable_declarator")


def _variable(node: Node) -> Candidate | None:
    value = _unwrap_parentheses(node.child_by_field_name("value"))
    if value is None or value.type not in _FUNCTION_TYPES:
        return None
    name = node_text(node.child_by_field_name("name"))
    statement = node.parent
    header = body_start(value)
    if statement is not None and _declarator_count(statement) == 1:
        return make_candidate(_with_modifiers(statement), statement, name, "function", header)
    return make_candidate(node, node, name, "function", header)


def _field(node: Node) -> Candidate | None:
    value = _unwrap_parentheses(node.child_by_field_name("value"))
    if value is None or value.type not in _FUNCTION_TYPES:
        return None
    name_node = node.child_by_field_name("name") or node.child_by_field_name("property")
    name = _property_name(name_node)
    last = _end_with_semicolon(node)
    return make_candidate(_first_decorator(node), last, name, "method", body_start(value))


_WRAPPED = frozenset(
    {
        "function_declaration", "generator_function_declaration", "function_signature",
        "function_expression", "generator_function", "lexical_declaration",
        "variable_declaration", "ambient_declaration",
    }
)


def _wrapper(node: Node) -> Candidate | None:
    """`export`, `declare` and `const` statements: their keywords belong to the definition
    inside, so a change touching only them still finds it."""
    if node.type in ("lexical_declaration", "variable_declaration"):
        declarators = [c for c in node.named_children if c.type == "variable_declarator"]
        return _variable(declarators[0]) if len(declarators) == 1 else None
    inner = next((c for c in node.named_children if c.type in _WRAPPED), None)
    if inner is None:
        return None
    if inner.type in ("function_expression", "generator_function"):
        return _default(inner) if node.type == "export_statement" else None
    if inner.type in ("lexical_declaration", "variable_declaration", "ambient_declaration"):
        return _wrapper(inner)
    return _function(inner)


_HANDLERS = {
    "wrapper": _wrapper,
    "function": _function,
    "default": _default,
    "class": _class,
    "method": _method,
    "decorator": _decorator,
    "variable": _variable,
    "field": _field,
}


def candidates(
    tree: Tree,
    source: bytes,
    grammar: str,
    ranges: Sequence[tuple[int, int]] | None = None,
    seen: set[int] | None = None,
) -> list[Candidate]:
    del source
    return collect(_query(grammar), tree.root_node, ranges, _HANDLERS, seen)
