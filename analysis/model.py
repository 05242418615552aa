"""Plain data types shared by the extractors and the change finder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal[
    "function",
    "method",
    "constructor",
    "destructor",
    "operator",
    "conversion",
    "accessor",
    "local_function",
]
Change = Literal["added", "deleted", "modified"]


@dataclass(frozen=True, slots=True)
class Definition:
    """One function-like definition in one file version.

    Lines are 1-based and inclusive; bytes are the half-open span used for text comparison.
    """

    qualified_name: str
    kind: Kind
    start_line: int
    end_line: int
    start_byte: int
    end_byte: int


@dataclass(frozen=True, slots=True)
class Extraction:
    """The definitions of one file version; `has_error` when the parse needed recovery."""

    language: str
    definitions: tuple[Definition, ...]
    has_error: bool = False


@dataclass(frozen=True, slots=True)
class FunctionChange:
    """A function-like definition that was added, deleted or modified between two versions."""

    path: str
    language: str
    kind: Kind
    qualified_name: str
    change: Change
    old_start: int | None = None
    old_end: int | None = None
    new_start: int | None = None
    new_end: int | None = None
    old_path: str | None = None
    parse_error: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "language": self.language,
            "kind": self.kind,
            "qualified_name": self.qualified_name,
            "change": self.change,
            "old_start": self.old_start,
            "old_end": self.old_end,
            "new_start": self.new_start,
            "new_end": self.new_end,
            "old_path": self.old_path,
            "parse_error": self.parse_error,
        }
