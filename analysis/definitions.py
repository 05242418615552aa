"""Function-like definitions of one file version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tree_sitter import Tree

from analysis import _csharp, _python, _typescript
from analysis._nesting import Candidate, nest_pairs
from analysis.languages import grammar_for_path, language_of_grammar, normalise_source, parse
from analysis.model import Definition, Extraction

_BINARY_PROBE = 8000


def is_binary(data: bytes) -> bool:
    """Git's rule of thumb: a NUL byte near the start means binary."""
    return b"\0" in data[:_BINARY_PROBE]


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One parsed file version: path, grammar, bytes and tree."""

    path: str
    grammar: str
    source: bytes
    tree: Tree

    @property
    def language(self) -> str:
        return language_of_grammar(self.grammar)

    @property
    def has_error(self) -> bool:
        return self.tree.root_node.has_error

    def candidates(self, ranges: Sequence[tuple[int, int]] | None = None) -> list[Candidate]:
        """Scopes and definitions touching `ranges` (with all their ancestors), or all."""
        if self.grammar == "python":
            return _python.candidates(self.tree, self.source, ranges)
        if self.grammar == "csharp":
            return _csharp.candidates(self.tree, self.source, ranges)
        return _typescript.candidates(self.tree, self.source, self.grammar, ranges)

    def qualify(self, candidates: list[Candidate]) -> list[tuple[Candidate, Definition]]:
        return nest_pairs(candidates, methods_in_types=self.grammar == "python")

    def extraction(self) -> Extraction:
        definitions = tuple(d for _, d in self.qualify(self.candidates()))
        return Extraction(self.language, definitions, self.has_error)


def parse_file(path: str, data: bytes) -> ParsedFile | None:
    """Parse `data` as the file at `path`; None for other languages and binary data."""
    grammar = grammar_for_path(path)
    if grammar is None:
        return None
    source = normalise_source(data)
    if is_binary(source):
        return None
    return ParsedFile(path, grammar, source, parse(source, grammar))


def extract_definitions(path: str, data: bytes) -> Extraction | None:
    """Definitions in the file at `path` (the suffix picks the grammar).

    None when the path is not Python, C#, TypeScript or JavaScript, or the data is binary.
    A source with syntax errors still yields what tree-sitter recovered, with `has_error` set.
    """
    parsed = parse_file(path, data)
    return None if parsed is None else parsed.extraction()
