"""Function-like definitions of one file version."""

from __future__ import annotations

from analysis import _csharp, _python, _typescript
from analysis.languages import grammar_for_path, language_of_grammar, normalise_source, parse
from analysis.model import Definition, Extraction

_BINARY_PROBE = 8000


def is_binary(data: bytes) -> bool:
    """Git's rule of thumb: a NUL byte near the start means binary."""
    return b"\0" in data[:_BINARY_PROBE]


def extract_from_grammar(source: bytes, grammar: str) -> Extraction:
    """Definitions of `source` parsed with `grammar` (python, csharp, typescript, tsx, javascript).

    A source with syntax errors still yields what tree-sitter recovered, with `has_error` set.
    """
    tree = parse(source, grammar)
    definitions: list[Definition]
    if grammar == "python":
        definitions = _python.extract(tree, source)
    elif grammar == "csharp":
        definitions = _csharp.extract(tree, source)
    else:
        definitions = _typescript.extract(tree, source, grammar)
    return Extraction(language_of_grammar(grammar), tuple(definitions), tree.root_node.has_error)


def extract_definitions(path: str, data: bytes) -> Extraction | None:
    """Definitions in the file at `path` (the suffix picks the grammar).

    None when the path is not Python, C#, TypeScript or JavaScript, or the data is binary.
    """
    grammar = grammar_for_path(path)
    if grammar is None:
        return None
    source = normalise_source(data)
    if is_binary(source):
        return None
    return extract_from_grammar(source, grammar)
