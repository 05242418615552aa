"""The rows a diff viewer shows, in unified and side-by-side layouts (no Textual here).

Rows are built once per diff in O(lines); the viewer renders only the rows on screen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from agents.diff import DiffParseError, FileDiff, parse_unified_diff

RowKind = Literal["file", "hunk", "context", "add", "remove", "note", "meta"]
CODE_KINDS = frozenset({"context", "add", "remove"})

_LANGUAGES = {
    ".py": "python", ".pyi": "python",
    ".cs": "csharp", ".csx": "csharp",
    ".ts": "typescript", ".tsx": "tsx", ".mts": "typescript", ".cts": "typescript",
    ".js": "javascript", ".jsx": "jsx", ".mjs": "javascript", ".cjs": "javascript",
    ".json": "json", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".md": "markdown",
}
_CONTROLS = str.maketrans(
    {**{chr(c): "?" for c in range(32)}, "\r": None, "\x7f": "?", "\x85": " ", "\u2028": " ",
     "\u2029": " "}
)


def language_for(path: str) -> str:
    """The Pygments language name for ``path``, or "" for plain text."""
    return _LANGUAGES.get(os.path.splitext(path)[1].lower(), "")


class DiffRow(NamedTuple):
    """One unified row. A tuple of plain values, so the garbage collector can skip it."""

    kind: RowKind
    text: str
    """Code without its +/-/space sign, or the header text."""
    file_index: int
    hunk_id: str | None = None
    old_no: int | None = None
    new_no: int | None = None
    hunk_row: int = -1
    """Unified index of the owning hunk's header row."""
    pos: int = -1
    """This row's own unified index."""


class SplitRow(NamedTuple):
    left: DiffRow | None
    right: DiffRow | None
    full: DiffRow | None = None
    """Header and note rows span both halves."""
    unified: int = 0
    """Index of the matching unified row (to keep the cursor when switching layouts)."""

    @property
    def any(self) -> DiffRow:
        row = self.full or self.left or self.right
        assert row is not None
        return row


@dataclass
class DiffModel:
    files: list[FileDiff] = field(default_factory=list)
    rows: list[DiffRow] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    hunk_ids: list[str] = field(default_factory=list)
    error: str = ""
    max_code_width: int = 0

    _starts: dict[tuple[str, bool], list[int]] = field(default_factory=dict, repr=False)
    _split: list[SplitRow] | None = field(default=None, repr=False)
    _to_split: list[int] = field(default_factory=list, repr=False)

    @property
    def split(self) -> list[SplitRow]:
        """The side-by-side rows, built on first use."""
        if self._split is None:
            self._split, self._to_split = _build_split(self.rows)
        return self._split

    @property
    def unified_to_split(self) -> list[int]:
        """For each unified row, the index of the side-by-side row showing it."""
        _ = self.split
        return self._to_split

    def starts(self, kind: str, split: bool) -> list[int]:
        """Row indices of every ``kind`` ("hunk" or "file") header, in the given layout."""
        key = (kind, split)
        if key not in self._starts:
            rows: list[DiffRow] | list[SplitRow] = self.split if split else self.rows
            self._starts[key] = [i for i in range(len(rows)) if _kind(rows[i]) == kind]
        return self._starts[key]


def _kind(row: DiffRow | SplitRow) -> str:
    return row.kind if isinstance(row, DiffRow) else row.any.kind


def _clean(text: str) -> str:
    if text.isprintable():
        return text
    if "\t" in text:
        text = text.expandtabs(4)
    return text.translate(_CONTROLS)


def file_title(f: FileDiff) -> str:
    added = sum(h.added for h in f.hunks)
    removed = sum(h.removed for h in f.hunks)
    name = f"{f.old_path} → {f.new_path}" if f.status == "renamed" else f.path
    return f"{name}  ({f.status})  +{added} -{removed}"


def build_model(text: str) -> DiffModel:
    """Parse ``text`` and lay it out; a parse error becomes ``error`` with no rows."""
    model = DiffModel()
    if not text.strip():
        return model
    try:
        model.files = parse_unified_diff(text)
    except DiffParseError as exc:
        model.error = str(exc)
        return model
    rows = model.rows
    widest = 0
    for fi, f in enumerate(model.files):
        model.languages.append(language_for(f.path))
        rows.append(DiffRow("file", _clean(file_title(f)), fi, pos=len(rows)))
        if f.binary:
            rows.append(DiffRow("meta", "binary file, not shown", fi, pos=len(rows)))
        elif not f.hunks:
            rows.append(DiffRow("meta", "no content changes", fi, pos=len(rows)))
        for h in f.hunks:
            header_row = len(rows)
            hid = h.id
            model.hunk_ids.append(hid)
            rows.append(DiffRow("hunk", _clean(h.header), fi, hid, hunk_row=header_row,
                                pos=header_row))
            old_no, new_no = h.old_start, h.new_start
            for line in h.lines:
                sign, code = line[:1], _clean(line[1:])
                if len(code) > widest:
                    widest = len(code)
                if sign == "+":
                    rows.append(DiffRow("add", code, fi, hid, None, new_no, header_row, len(rows)))
                    new_no += 1
                elif sign == "-":
                    rows.append(DiffRow("remove", code, fi, hid, old_no, None, header_row,
                                            len(rows)))
                    old_no += 1
                elif sign == "\\":
                    rows.append(DiffRow("note", _clean(line), fi, hid, hunk_row=header_row,
                                            pos=len(rows)))
                else:
                    rows.append(DiffRow("context", code, fi, hid, old_no, new_no, header_row,
                                            len(rows)))
                    old_no += 1
                    new_no += 1
    model.max_code_width = widest
    return model


def _build_split(rows: list[DiffRow]) -> tuple[list[SplitRow], list[int]]:
    split: list[SplitRow] = []
    to_split = [0] * len(rows)
    removes: list[int] = []
    adds: list[int] = []

    def flush() -> None:
        for k in range(max(len(removes), len(adds))):
            left = removes[k] if k < len(removes) else None
            right = adds[k] if k < len(adds) else None
            index = len(split)
            for u in (left, right):
                if u is not None:
                    to_split[u] = index
            first = left if left is not None else right
            assert first is not None
            split.append(SplitRow(rows[left] if left is not None else None,
                                  rows[right] if right is not None else None,
                                  unified=first))
        removes.clear()
        adds.clear()

    for i, row in enumerate(rows):
        if row.kind == "remove":
            if adds:
                flush()
            removes.append(i)
        elif row.kind == "add":
            adds.append(i)
        else:
            if removes or adds:
                flush()
            to_split[i] = len(split)
            if row.kind == "context":
                split.append(SplitRow(row, row, unified=i))
            else:
                split.append(SplitRow(None, None, full=row, unified=i))
    flush()
    return split, to_split
