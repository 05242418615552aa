"""Function-like definitions of one file version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tree_sitter import Node, Tree

from analysis import _csharp, _python, _typescript
from analysis._nesting import Candidate, nest_pairs, node_text
from analysis.languages import grammar_for_path, language_of_grammar, normalise_source, parse
from analysis.model import Definition, Extraction

_BINARY_PROBE = 8000
_NAME_OWNERS = {
    "python": _python.NAME_OWNERS,
    "csharp": _csharp.NAME_OWNERS,
    "typescript": _typescript.NAME_OWNERS,
    "tsx": _typescript.NAME_OWNERS,
    "javascript": _typescript.NAME_OWNERS,
}


def normalised(text: bytes) -> bytes:
    """Text as compared: CRLF becomes LF and trailing whitespace of each line goes."""
    return b"\n".join(line.rstrip() for line in text.split(b"\n"))


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

    def candidates(
        self, ranges: Sequence[tuple[int, int]] | None = None, seen: set[int] | None = None
    ) -> list[Candidate]:
        """Scopes and definitions touching `ranges` (with all their ancestors), or all.

        Nodes already in `seen` are skipped; see `collect`.
        """
        if self.grammar == "python":
            return _python.candidates(self.tree, self.source, ranges, seen)
        if self.grammar == "csharp":
            return _csharp.candidates(self.tree, self.source, ranges, seen)
        return _typescript.candidates(self.tree, self.source, self.grammar, ranges, seen)

    def may_name_definition(self, start: int, end: int) -> bool:
        """False when the token at [start, end) surely names no definition (a mere reference).

        Looks a few levels up from the token for a node type that can own a definition name.
        """
        owners = _NAME_OWNERS[self.grammar]
        node: Node | None = self.tree.root_node.descendant_for_byte_range(start, end)
        for _ in range(3):
            if node is None:
                return False
            if node.type in owners:
                return True
            node = node.parent
        return False

    def spans_named(self, name: str, occurrences: list[int]) -> list[tuple[int, int]]:
        """Byte spans of the nodes that carry `name` as their name, given where it occurs."""
        spans = []
        length = len(name.encode("utf-8"))
        root = self.tree.root_node
        for position in occurrences:
            node: Node | None = root.descendant_for_byte_range(position, position + length)
            for _ in range(3):
                if node is None:
                    break
                field = node.child_by_field_name("name") or node.child_by_field_name("property")
                if (field is not None and node_text(field).strip("'\"") == name) or (
                    name == "this" and node.type == "indexer_declaration"
                ):
                    spans.append((node.start_byte, node.end_byte))
                    break
                node = node.parent
        return spans

    def qualify(
        self, candidates: list[Candidate]
    ) -> list[tuple[Candidate, Definition, str | None]]:
        return nest_pairs(candidates, methods_in_types=self.grammar == "python")

    def extraction(self) -> Extraction:
        definitions = tuple(d for _, d, _ in self.qualify(self.candidates()))
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
