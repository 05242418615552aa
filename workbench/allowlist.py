"""Commands a human allowed for one repository at the command gate, kept in the run store.

Each entry is one exact argv: it runs without the policy's allow-list for every later run on the
same repository (resolved path), and nothing else is implied by it (no prefix matching).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

_SCHEMA = """CREATE TABLE IF NOT EXISTS allowed_commands (
    repo TEXT NOT NULL, argv TEXT NOT NULL, added REAL NOT NULL, by TEXT NOT NULL,
    PRIMARY KEY (repo, argv))"""


def repo_key(repo: str | Path) -> str:
    return os.path.realpath(repo)


@contextlib.contextmanager
def _connect(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        with conn:
            conn.execute(_SCHEMA)
            yield conn
    finally:
        conn.close()


def allowed_commands(db: Path, repo: str | Path) -> list[list[str]]:
    """The exact commands allowed for ``repo``; empty when the store has none (or no file)."""
    if not Path(db).exists():
        return []
    with _connect(db) as conn:
        rows = conn.execute("SELECT argv FROM allowed_commands WHERE repo = ? ORDER BY added",
                            (repo_key(repo),)).fetchall()
    return [list(json.loads(row[0])) for row in rows]


def allow_command(db: Path, repo: str | Path, argv: Sequence[str], by: str = "human") -> None:
    """Add ``argv`` to the repository's allow-list (once; adding it again changes nothing)."""
    with _connect(db) as conn:
        conn.execute("INSERT OR IGNORE INTO allowed_commands VALUES (?, ?, ?, ?)",
                     (repo_key(repo), json.dumps(list(argv)), time.time(), by))
