"""The store's tables, the checks made on opening and the upgrade of older layouts.

Layout versions (``meta.schema_version``): 1 is Workbench 0.1.0 (no ``meta`` table, events
without a version column); 2 adds ``events.v`` (the event schema version of each row), the
``meta`` table and the lease columns of ``runs``; 3 adds ``events.masked`` (the masking a
row was written with, 0 for rows written before masking on write); 4 masks the text of run
rows an older Workbench wrote unmasked, so every run row is masked (the run list prints them
without loading the masker). Opening an older store
upgrades it once, in one transaction; a store written by a newer Workbench is refused.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import suppress

from workbench.store_core import StoreCore
from workbench.store_errors import SQLITE_INTERRUPT, StoreDamaged, StoreError, one_line
from workbench.store_masking import MASKING_REVISION

SCHEMA_VERSION = 4
"""The layout this code writes; see the module docstring."""

EVENT_VERSION = 2
"""``agents.events.EVENT_SCHEMA_VERSION``, without importing the event classes on open (a
test keeps the two equal)."""

# Same column types as the 0.1.0 tables (created by sqlite-utils), so new and upgraded
# stores have one layout.
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY, task TEXT, repo TEXT, model TEXT, status TEXT, phase TEXT,
        started_at REAL, finished_at REAL, reason TEXT, prompt_tokens INTEGER,
        completion_tokens INTEGER, cost REAL, parent_run_id TEXT, fork_seq INTEGER,
        branch TEXT, config TEXT,
        lease_pid INTEGER, lease_host TEXT, lease_heartbeat REAL, lease_token TEXT)""",
    """CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY, run_id TEXT, seq INTEGER, ts REAL, kind TEXT, role TEXT,
        payload TEXT, v INTEGER NOT NULL DEFAULT 1, masked INTEGER NOT NULL DEFAULT 0)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_events_run_id_seq ON events (run_id, seq)",
    """CREATE TABLE IF NOT EXISTS artifacts (
        id INTEGER PRIMARY KEY, run_id TEXT, type TEXT, content TEXT, created_at REAL)""",
    "CREATE INDEX IF NOT EXISTS idx_artifacts_run_id ON artifacts (run_id)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
)
# Columns later layouts added to tables an older store already has.
ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "events": (("v", "INTEGER NOT NULL DEFAULT 1"), ("masked", "INTEGER NOT NULL DEFAULT 0")),
    "runs": (("lease_pid", "INTEGER"), ("lease_host", "TEXT"), ("lease_heartbeat", "REAL"),
             ("lease_token", "TEXT")),
}
TABLES = frozenset({"runs", "events", "artifacts", "meta"})

UPGRADE_BATCH = 1000
FULL_CHECK_BYTES = 48 * 1024 * 1024
CHECK_BUDGET_S = 0.05


class SchemaMixin(StoreCore):
    _memory: bool

    def _damage_message(self, what: str) -> str:
        return (f"the run store {self.path} is damaged ({one_line(what, 160)}); "
                "move it aside to start a new one")

    def _check_integrity(self) -> None:
        """``PRAGMA quick_check``: the b-tree structure of every page (not index contents).
        It reads the whole file, about 1 ms per MB (a 50,000-event run is ~15 MB); on files
        above ``FULL_CHECK_BYTES`` it is cut off after ``CHECK_BUDGET_S`` so opening a
        very large store stays fast (the pages checked by then are still checked)."""
        size = 0
        if not self._memory:
            with suppress(OSError):
                size = self.path.stat().st_size
        timer: threading.Timer | None = None
        guard, finished = threading.Lock(), threading.Event()
        if size > FULL_CHECK_BYTES:
            def stop() -> None:
                with guard:
                    if not finished.is_set():  # never interrupt a later statement
                        self.conn.interrupt()

            timer = threading.Timer(CHECK_BUDGET_S, stop)
            timer.daemon = True
            timer.start()
        try:
            rows = self.conn.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.OperationalError as exc:
            if timer is None or getattr(exc, "sqlite_errorcode", 0) != SQLITE_INTERRUPT:
                raise
            rows = []  # out of time: no damage found in the part checked
        finally:
            if timer is not None:
                with guard:
                    finished.set()
                timer.cancel()
        problems = [str(r[0]) for r in rows if r and r[0] != "ok"]
        if problems:
            raise StoreDamaged(self._damage_message("; ".join(problems)))

    def _use_wal(self, timeout_s: float) -> None:
        """Switch to WAL. Changing the journal mode needs the file to itself and SQLite
        reports "locked" at once instead of calling the busy handler, so several processes
        opening an old (rollback-journal) store together retry here until ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        pause = 0.005
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)  # back off: another process holds the file for its switch
            pause = min(pause * 2, 0.1)

    def _versions(self) -> tuple[set[str], int, int]:
        """Tables present, store layout and event schema recorded in ``meta``."""
        tables = {r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            # An existing store without meta is 0.1.0's; an empty file is new (layout 0).
            return tables, (1 if tables & TABLES else 0), (1 if "events" in tables else 0)
        meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        return (tables, int(meta.get("schema_version") or 1),
                int(meta.get("event_version") or 1))

    def _refuse_newer(self, layout: int, event_version: int) -> None:
        if layout > SCHEMA_VERSION or event_version > EVENT_VERSION:
            raise StoreError(
                f"the run store {self.path} was written by a newer Workbench (layout {layout}, "
                f"events v{event_version}; this one reads up to {SCHEMA_VERSION}, "
                f"v{EVENT_VERSION}): upgrade Workbench")

    def _ensure_schema(self) -> None:
        with self._lock:
            tables, layout, event_version = self._versions()
            self._refuse_newer(layout, event_version)
            if tables >= TABLES and layout == SCHEMA_VERSION and event_version == EVENT_VERSION:
                return  # the common case: no write lock taken on open
            with self._write():
                # Read again under the write lock: another process may have just done it.
                tables, layout, event_version = self._versions()
                self._refuse_newer(layout, event_version)
                for statement in SCHEMA:
                    self.conn.execute(statement)
                for table, added in ADDED_COLUMNS.items():
                    have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
                    for name, decl in added:
                        if name not in have:
                            self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")
                if event_version < EVENT_VERSION:
                    self._upgrade_events()
                if 0 < layout < 4:
                    self._mask_run_rows()
                self.conn.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    [("schema_version", str(SCHEMA_VERSION)),
                     ("event_version", str(EVENT_VERSION))])

    def _mask_run_rows(self) -> None:
        """Mask the text of every run row (inside the caller's transaction)."""
        from workbench.store_masking import MASKED_RUN_COLUMNS, masked_fields

        columns = ", ".join(MASKED_RUN_COLUMNS)
        rows = self.conn.execute(f"SELECT run_id, {columns} FROM runs").fetchall()
        for run_id, *values in rows:
            stored = dict(zip(MASKED_RUN_COLUMNS, values, strict=True))
            masked = masked_fields(stored)
            if masked != stored:
                sets = ", ".join(f"{name} = ?" for name in MASKED_RUN_COLUMNS)
                self.conn.execute(f"UPDATE runs SET {sets} WHERE run_id = ?",
                                  [*(masked[n] for n in MASKED_RUN_COLUMNS), run_id])

    def _upgrade_events(self) -> None:
        """Rewrite every row of an older event schema in the current shape, masked (inside
        the caller's transaction: all rows or none). The row keeps its id and seq; its kind
        may change (a parked ``run_finished`` becomes ``run_parked``)."""
        from pydantic import ValidationError

        from agents import events as event_types
        from workbench.store_masking import mask_event

        last_id = 0
        while True:
            rows = self.conn.execute(
                "SELECT id, run_id, seq, ts, kind, role, payload, v FROM events "
                "WHERE v < ? AND id > ? ORDER BY id LIMIT ?",
                [EVENT_VERSION, last_id, UPGRADE_BATCH]).fetchall()
            if not rows:
                return
            updates: list[tuple[str, str, int, int, int]] = []
            for row_id, run, seq, ts, kind, role, payload, v in rows:
                last_id = row_id
                try:
                    data = json.loads(payload or "{}")
                    event = event_types.build_event(run, seq, ts, kind, role or "system",
                                                    data, v)
                except (ValueError, ValidationError) as exc:
                    raise StoreError(
                        f"cannot upgrade the run store {self.path}: event {seq} of run {run} "
                        f"({kind}) does not fit the current schema: "
                        f"{one_line(str(exc), 120)}") from None
                if event.kind == "error" and kind != "error":
                    continue  # a kind this version does not know: kept as stored
                dumped = mask_event(event).dump()
                updates.append((dumped["kind"], dumped["payload"], EVENT_VERSION,
                                MASKING_REVISION, row_id))
            self.conn.executemany(
                "UPDATE events SET kind = ?, payload = ?, v = ?, masked = ? WHERE id = ?",
                updates)
