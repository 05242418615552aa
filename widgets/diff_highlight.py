"""Lazy syntax highlighting of diff rows, a small block of rows at a time.

Each block (at most ``BLOCK`` rows of one hunk) is lexed as two snippets, the old side
(context and removed lines) and the new side (context and added lines), so tokens that span
lines inside the block come out right. Only blocks that are drawn are ever lexed.
"""

from __future__ import annotations

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from textual.cache import LRUCache
from textual.content import Content, Span
from textual.highlight import HighlightTheme

from widgets.diff_rows import CODE_KINDS, DiffModel

BLOCK = 32


_LEXERS: dict[str, Lexer | None] = {}


def _lexer(language: str) -> Lexer | None:
    """A shared lexer per language (building one compiles its rules: tens of ms)."""
    if language not in _LEXERS:
        try:
            lexer: Lexer | None = get_lexer_by_name(language, stripnl=False, ensurenl=False)
            assert lexer is not None
            list(lexer.get_tokens("x"))  # compile the rules now, not on first draw
        except ClassNotFound:
            lexer = None
        _LEXERS[language] = lexer
    return _LEXERS[language]


def warm_up(languages: set[str]) -> bool:
    """Build one missing lexer among ``languages``; False when all are ready."""
    for language in sorted(languages):
        if language and language not in _LEXERS:
            _lexer(language)
            return True
    return False


def highlight_lines(lines: list[str], language: str) -> list[Content]:
    """Highlight ``lines`` as one snippet and return one Content per line."""
    lexer = _lexer(language)
    if lexer is None or not lines:
        return [Content(line) for line in lines]
    styles = HighlightTheme.STYLES
    out: list[Content] = []
    spans: list[Span] = []
    line_start = 0
    offset = 0
    code = "\n".join(lines)
    for token_type, token in lexer.get_tokens(code):
        pieces = token.split("\n")
        for n, piece in enumerate(pieces):
            if n:  # a newline ends the current line
                out.append(Content(code[line_start:offset], spans=spans))
                offset += 1
                line_start = offset
                spans = []
            if piece:
                end = offset + len(piece)
                kind = token_type
                while kind is not None:
                    if style := styles.get(kind):
                        spans.append(Span(offset - line_start, end - line_start, style))
                        break
                    kind = kind.parent
                offset = end
    out.append(Content(code[line_start:offset], spans=spans))
    if len(out) != len(lines):  # the lexer rewrote the text: fall back to plain lines
        return [Content(line) for line in lines]
    return out


class DiffHighlighter:
    """Highlighted Content for the code rows of one :class:`DiffModel`, cached by block."""

    def __init__(self, model: DiffModel, cache_blocks: int = 1024) -> None:
        self.model = model
        self._cache: LRUCache[int, dict[int, Content]] = LRUCache(cache_blocks)

    def _block_start(self, index: int) -> int:
        first = self.model.rows[index].hunk_row + 1
        return first + ((index - first) // BLOCK) * BLOCK

    def _language(self, index: int) -> str:
        row = self.model.rows[index]
        return self.model.languages[row.file_index] if row.kind in CODE_KINDS else ""

    def content(self, index: int) -> Content:
        """The (possibly highlighted) code of unified row ``index``."""
        language = self._language(index)
        if not language:
            return Content(self.model.rows[index].text)
        start = self._block_start(index)
        block = self._cache.get(start)
        if block is None:
            block = self._cache[start] = self._highlight_block(start, language)
        return block.get(index) or Content(self.model.rows[index].text)

    def prefetch(self, index: int) -> bool:
        """Highlight the block holding row ``index`` if not yet done; True if work was done."""
        if not 0 <= index < len(self.model.rows) or not (language := self._language(index)):
            return False
        start = self._block_start(index)
        if start in self._cache:
            return False
        self._cache[start] = self._highlight_block(start, language)
        return True

    def _highlight_block(self, start: int, language: str) -> dict[int, Content]:
        """Lex the old side (removed lines) and the new side (context and added lines)."""
        rows = self.model.rows
        hunk_row = rows[start].hunk_row
        old: list[int] = []
        new: list[int] = []
        for i in range(start, min(start + BLOCK, len(rows))):
            row = rows[i]
            if row.hunk_row != hunk_row:
                break
            if row.kind == "remove":
                old.append(i)
            elif row.kind in ("context", "add"):
                new.append(i)
        block: dict[int, Content] = {}
        for indices in (old, new):
            lines = highlight_lines([rows[i].text for i in indices], language)
            block.update(zip(indices, lines, strict=True))
        return block
