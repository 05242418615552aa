"""The connection, its write transactions and the events waiting to be written with the next
one.

An engine may *defer* an event (``RunStore.append(event, defer=True)``): it gets its seq at
once and is written by the next write transaction of the store, or by :meth:`flush`, in the
order it was appended. Every write and every read of this store object flushes first, so
what the store holds is always a prefix of what the program appended: a SIGKILL loses at
most the deferred tail, never an event older than one that survived. Run usage totals
(tokens, cost) updated while events of the run wait are written with them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbench.store_masking import MASKING_REVISION

log = logging.getLogger(__name__)

EventRow = tuple[str, int, float, str, str, str, int]
"""run_id, seq, ts, kind, role, payload JSON, event schema version."""

NEXT_SEQ = "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE run_id = ?"
INSERT_EVENT = ("INSERT INTO events (run_id, seq, ts, kind, role, payload, v, masked) "
                f"VALUES (?, ?, ?, ?, ?, ?, ?, {MASKING_REVISION})")
USAGE_FIELDS = frozenset({"prompt_tokens", "completion_tokens", "cost"})


class StoreCore:
    """One SQLite connection shared by threads; writes are ``BEGIN IMMEDIATE``."""

    path: Path
    conn: sqlite3.Connection

    def _init_core(self) -> None:
        self._lock = threading.RLock()
        self._pending: list[EventRow] = []
        self._pending_usage: dict[str, dict[str, Any]] = {}
        self._next_seq: dict[str, int] = {}

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction (takes the write lock first, so a read
        followed by a write cannot race another process) that first writes the deferred
        events; joins an open one."""
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                rows, usage = self._take_pending()
            except BaseException:
                self._rollback()
                raise
            try:
                self._write_pending(rows, usage)
            except BaseException:
                self._rollback()
                log.error("dropped %d deferred event(s) the store refused", len(rows))
                raise
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                self._restore_pending(rows, usage)  # written with the next transaction
                raise

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def flush(self) -> None:
        """Write the deferred events now (one transaction); nothing to do without any."""
        with self._lock:
            if not (self._pending or self._pending_usage):
                return
            if self.conn.in_transaction:  # joined: written when that transaction commits
                with self._write():
                    pass
                return
            # What ``_write`` does with an empty body, without a generator per flush.
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                rows, usage = self._take_pending()
            except BaseException:
                self._rollback()
                raise
            try:
                self._write_pending(rows, usage)
            except BaseException:
                self._rollback()
                log.error("dropped %d deferred event(s) the store refused", len(rows))
                raise
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                self._restore_pending(rows, usage)  # written with the next transaction
                raise

    def _flush_for_read(self) -> None:
        if self._pending or self._pending_usage:
            self.flush()

    # the deferred events ------------------------------------------------------------------
    def _defer(self, row: EventRow) -> int:
        """Queue ``row`` (its seq is replaced) and return the seq it gets."""
        with self._lock:
            run_id = row[0]
            seq = self._next_seq.get(run_id)
            if seq is None:
                seq = int(self.conn.execute(NEXT_SEQ, (run_id,)).fetchone()[0])
            self._next_seq[run_id] = seq + 1
            self._pending.append((run_id, seq, *row[2:]))
            return seq

    def _defer_usage(self, run_id: str, fields: dict[str, Any]) -> bool:
        """Hold a usage update back with the run's deferred events (``False``: none wait)."""
        with self._lock:
            waiting = any(row[0] == run_id for row in self._pending)
            if not waiting or not fields or not USAGE_FIELDS.issuperset(fields):
                return False
            self._pending_usage.setdefault(run_id, {}).update(fields)
            return True

    def _take_pending(self) -> tuple[list[EventRow], dict[str, dict[str, Any]]]:
        rows, usage = self._pending, self._pending_usage
        self._pending, self._pending_usage = [], {}
        # The seqs handed out stay known, so the next deferred event needs no query; if
        # another process appended meanwhile, the write moves ours after its events.
        self._next_seq.update((row[0], row[1] + 1) for row in rows)
        return rows, usage

    def _restore_pending(self, rows: list[EventRow],
                         usage: dict[str, dict[str, Any]]) -> None:
        if not rows and not usage:
            return
        self._pending = rows + self._pending
        for run_id, fields in usage.items():
            self._pending_usage[run_id] = {**fields, **self._pending_usage.get(run_id, {})}
        for run_id, seq, *_ in self._pending:
            self._next_seq[run_id] = max(self._next_seq.get(run_id, 0), seq + 1)

    def _write_pending(self, rows: list[EventRow], usage: dict[str, dict[str, Any]]) -> None:
        if rows:
            try:
                self.conn.executemany(INSERT_EVENT, rows)
            except sqlite3.IntegrityError:
                # A seq of ours is taken (unique per run): another process appended to the
                # run since the seqs were given. Nothing else is written yet in this
                # transaction: start it again and move ours after what the store holds.
                self.conn.execute("ROLLBACK")
                self.conn.execute("BEGIN IMMEDIATE")
                rows[:] = self._renumbered(rows)
                self._next_seq.update((row[0], row[1] + 1) for row in rows)
                self.conn.executemany(INSERT_EVENT, rows)
        for run_id, fields in usage.items():
            sets = ", ".join(f"{name} = ?" for name in fields)
            self.conn.execute(f"UPDATE runs SET {sets} WHERE run_id = ?",
                              [*fields.values(), run_id])

    def _renumbered(self, rows: list[EventRow]) -> list[EventRow]:
        """``rows`` after what the store holds: another process may have appended to the
        same run since the seqs were given (they then move up, in order)."""
        first: dict[str, int] = {}
        for row in rows:
            first.setdefault(row[0], row[1])
        shift: dict[str, int] = {}
        for run_id, seq in first.items():
            next_free = int(self.conn.execute(NEXT_SEQ, (run_id,)).fetchone()[0])
            if next_free > seq:
                shift[run_id] = next_free - seq
                log.warning("run %s: another writer took seqs %d..%d; deferred events "
                            "moved after them", run_id, seq, next_free - 1)
        if not shift:
            return rows
        return [(r[0], r[1] + shift.get(r[0], 0), *r[2:]) for r in rows]
