"""Labelled before/after cases: what a reader applying the naming rules by hand expects."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from analysis import FunctionChange


@dataclass(frozen=True)
class Case:
    """One change to one file.

    `expected` holds "change qualified_name" strings; None for before/after means the file
    does not exist on that side.
    """

    name: str
    before: str | None
    after: str | None
    expected: frozenset[str]
    path: str = "src/module.py"
    after_path: str | None = None
    parse_error: bool = False
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.name.replace(" ", "-")


def case(
    name: str,
    before: str | None,
    after: str | None,
    *expected: str,
    path: str = "src/module.py",
    after_path: str | None = None,
    parse_error: bool = False,
    kinds: dict[str, str] | None = None,
) -> Case:
    """Build a case; the texts are dedented so they can be written inline."""
    return Case(
        name,
        None if before is None else textwrap.dedent(before).lstrip("\n"),
        None if after is None else textwrap.dedent(after).lstrip("\n"),
        frozenset(expected),
        path,
        after_path,
        parse_error,
        kinds or {},
    )


def labels(changes: list[FunctionChange]) -> set[str]:
    return {f"{c.change} {c.qualified_name}" for c in changes}
