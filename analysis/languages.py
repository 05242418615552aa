"""Which grammar a file uses, and the shared parsers (created once, reused)."""

from __future__ import annotations

from functools import cache

import tree_sitter_c_sharp
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Language, Parser, Tree

PYTHON = "python"
CSHARP = "csharp"
TYPESCRIPT = "typescript"
JAVASCRIPT = "javascript"
LANGUAGES = (PYTHON, CSHARP, TYPESCRIPT, JAVASCRIPT)

# Grammar ids: tsx is reported as typescript but needs its own grammar.
_GRAMMAR_BY_SUFFIX = {
    ".py": "python",
    ".pyi": "python",
    ".cs": "csharp",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
}
_LANGUAGE_BY_GRAMMAR = {
    "python": PYTHON,
    "csharp": CSHARP,
    "typescript": TYPESCRIPT,
    "tsx": TYPESCRIPT,
    "javascript": JAVASCRIPT,
}
_DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")


def grammar_for_path(path: str) -> str | None:
    """The grammar id for a path (python, csharp, typescript, tsx, javascript), or None."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if name.endswith(_DECLARATION_SUFFIXES):
        return None
    dot = name.rfind(".")
    if dot <= 0 and not name.startswith("."):
        return None
    return _GRAMMAR_BY_SUFFIX.get(name[dot:])


def language_for_path(path: str) -> str | None:
    """The reported language for a path, or None when the file is not analysed."""
    grammar = grammar_for_path(path)
    return None if grammar is None else _LANGUAGE_BY_GRAMMAR[grammar]


def language_of_grammar(grammar: str) -> str:
    return _LANGUAGE_BY_GRAMMAR[grammar]


@cache
def ts_language(grammar: str) -> Language:
    """The tree-sitter Language object for a grammar id (loaded from the wheel, never fetched)."""
    if grammar == "python":
        return Language(tree_sitter_python.language())
    if grammar == "csharp":
        return Language(tree_sitter_c_sharp.language())
    if grammar == "typescript":
        return Language(tree_sitter_typescript.language_typescript())
    if grammar == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    if grammar == "javascript":
        return Language(tree_sitter_javascript.language())
    raise ValueError(f"unknown grammar: {grammar}")


@cache
def parser_for(grammar: str) -> Parser:
    """One parser per grammar for the whole process."""
    return Parser(ts_language(grammar))


def normalise_source(data: bytes) -> bytes:
    """Bytes tree-sitter can parse: UTF-16 files are re-encoded, a UTF-8 BOM is kept."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return data
    return data


def parse(source: bytes, grammar: str, old_tree: Tree | None = None) -> Tree:
    """Parse with the shared parser; `old_tree`, edited to match, makes it incremental."""
    if old_tree is None:
        return parser_for(grammar).parse(source)
    return parser_for(grammar).parse(source, old_tree)
