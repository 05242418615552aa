"""Errors of the run store, each with a one-line message for the user."""

from __future__ import annotations

import sqlite3

# SQLite primary result codes that mean the file itself is bad.
SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
SQLITE_INTERRUPT = 9


class StoreError(Exception):
    """The store cannot be used as asked; the message is one line for the user."""


class StoreDamaged(StoreError):
    """The database file is not a database or fails SQLite's integrity check."""


class RunBusy(StoreError):
    """Another live engine holds the run's lease."""


class UnknownRunError(LookupError):
    """Raised when a run id is not in the store."""

    def __init__(self, run_id: str) -> None:
        super().__init__(f"unknown run id: {run_id}")
        self.run_id = run_id


def one_line(text: str, limit: int = 240) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text
