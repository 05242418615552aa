"""SQLite run store (WAL): runs, append-only events, large artifacts and run leases.

Layout versions (``meta.schema_version``): 1 is Workbench 0.1.0 (no ``meta`` table, events
without a version column); 2 adds ``events.v`` (the event schema version of each row), the
``meta`` table and the lease columns of ``runs``. Opening an older store upgrades it once, in
one transaction; a store written by a newer Workbench is refused.

Several processes may use one file at once (the TUI, ``workbench`` commands, engines): schema
creation, ``append`` and the lease calls are each one ``BEGIN IMMEDIATE`` transaction, so
they serialise on SQLite's write lock instead of failing.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir
from pydantic import ValidationError

from agents.events import EVENT_SCHEMA_VERSION, EventBase, build_event
from agents.redact import mask_secrets, mask_value

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 2
"""The layout this code writes; see the module docstring."""

BUSY_TIMEOUT_MS = 5000

__all__ = [
    "SCHEMA_VERSION",
    "Artifact",
    "Lease",
    "RunBusy",
    "RunRecord",
    "RunStore",
    "StoreDamaged",
    "StoreError",
    "UnknownRunError",
    "default_db_path",
]


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


def default_db_path() -> Path:
    """``WORKBENCH_DB`` if set, otherwise ``runs.db`` under the user data dir."""
    env = os.environ.get("WORKBENCH_DB")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("workbench", appauthor=False)) / "runs.db"


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    task: str
    repo: str
    model: str
    status: str
    phase: str
    started_at: float
    finished_at: float | None
    reason: str
    prompt_tokens: int
    completion_tokens: int
    cost: float
    parent_run_id: str | None
    fork_seq: int | None
    branch: str
    config: str

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def duration_s(self) -> float:
        end = self.finished_at or time.time()
        return max(0.0, end - self.started_at)


@dataclass(frozen=True)
class Artifact:
    id: int
    run_id: str
    type: str
    content: str
    created_at: float


@dataclass(frozen=True)
class Lease:
    """Who drives a run (the token stays with the holder)."""

    run_id: str
    pid: int
    host: str
    heartbeat: float


_RUN_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RunRecord))
_RUN_COLUMNS = ", ".join(_RUN_FIELDS)
_ARTIFACT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Artifact))

_RUN_DEFAULTS: dict[str, Any] = {
    "status": "PENDING",
    "phase": "requirements",
    "finished_at": None,
    "reason": "",
    "prompt_tokens": 0,
    "completion_tokens": 0,
    "cost": 0.0,
    "parent_run_id": None,
    "fork_seq": None,
    "branch": "",
    "config": "{}",
}

# Same column types as the 0.1.0 tables (created by sqlite-utils), so new and upgraded
# stores have one layout.
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY, task TEXT, repo TEXT, model TEXT, status TEXT, phase TEXT,
        started_at REAL, finished_at REAL, reason TEXT, prompt_tokens INTEGER,
        completion_tokens INTEGER, cost REAL, parent_run_id TEXT, fork_seq INTEGER,
        branch TEXT, config TEXT,
        lease_pid INTEGER, lease_host TEXT, lease_heartbeat REAL, lease_token TEXT)""",
    """CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY, run_id TEXT, seq INTEGER, ts REAL, kind TEXT, role TEXT,
        payload TEXT, v INTEGER NOT NULL DEFAULT 1)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_events_run_id_seq ON events (run_id, seq)",
    """CREATE TABLE IF NOT EXISTS artifacts (
        id INTEGER PRIMARY KEY, run_id TEXT, type TEXT, content TEXT, created_at REAL)""",
    "CREATE INDEX IF NOT EXISTS idx_artifacts_run_id ON artifacts (run_id)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
)
# Columns later layouts added to tables an older store already has.
_ADDED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "events": (("v", "INTEGER NOT NULL DEFAULT 1"),),
    "runs": (("lease_pid", "INTEGER"), ("lease_host", "TEXT"), ("lease_heartbeat", "REAL"),
             ("lease_token", "TEXT")),
}
_TABLES = frozenset({"runs", "events", "artifacts", "meta"})

_NEXT_SEQ = "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE run_id = ?"
_INSERT_EVENT = ("INSERT INTO events (run_id, seq, ts, kind, role, payload, v) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)")
_SELECT_EVENTS = ("SELECT run_id, seq, ts, kind, role, payload, v FROM events "
                  "WHERE run_id = ? AND seq > ?")
_SELECT_LEASE = "SELECT lease_pid, lease_host, lease_heartbeat, lease_token FROM runs " \
                "WHERE run_id = ?"

# SQLite primary result codes that mean the file itself is bad.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_SQLITE_INTERRUPT = 9
_UPGRADE_BATCH = 1000
_FULL_CHECK_BYTES = 48 * 1024 * 1024
_CHECK_BUDGET_S = 0.05

# Lease tokens issued by this process: a lease that names this pid but whose token is not
# here was left by an earlier process that had the same pid (pids recur in containers).
_issued_tokens: set[str] = set()
_issued_lock = threading.Lock()


def _one_line(text: str, limit: int = 240) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def _make_private_dirs(folder: Path) -> None:
    """Create ``folder`` (and missing parents) as 0700 whatever the umask."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for created in missing:
        with suppress(OSError):  # mkdir's mode is filtered by the umask
            created.chmod(0o700)


def _make_private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would use 0644 & ~umask);
    tighten an existing one (0.1.0 created it world-readable). SQLite gives -wal and -shm
    the database file's mode."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return  # read-only or not ours: SQLite reports what it can't do
    try:
        with suppress(OSError):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True


class RunStore:
    """Thread-safe access to one SQLite file; every write is a short transaction."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self._memory = str(self.path) == ":memory:"
        self._lock = threading.RLock()
        self._db: sqlite_utils.Database | None = None
        self._host = socket.gethostname()
        if not self._memory:
            _make_private_dirs(self.path.parent)
            _make_private_file(self.path)
        try:
            self.conn = sqlite3.connect(str(self.path), check_same_thread=False,
                                        isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the run store {self.path}: {_one_line(str(exc))}"
                             ) from None
        try:
            self._open()
        except BaseException:
            self.conn.close()
            raise

    # opening ----------------------------------------------------------------------------
    def _open(self) -> None:
        conn = self.conn
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._check_integrity()
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                raise StoreDamaged(self._damage_message(str(exc))) from None
            raise StoreError(f"cannot open the run store {self.path}: {_one_line(str(exc))}"
                             ) from None
        if not self._memory:
            for suffix in ("-wal", "-shm"):
                side = Path(f"{self.path}{suffix}")
                with suppress(OSError):  # absent (not created yet) or not ours
                    side.chmod(0o600)

    def _damage_message(self, what: str) -> str:
        return (f"the run store {self.path} is damaged ({_one_line(what, 160)}); "
                "move it aside to start a new one")

    def _check_integrity(self) -> None:
        """``PRAGMA quick_check``: the b-tree structure of every page (not index contents).
        It reads the whole file, about 1 ms per MB (a 50,000-event run is ~15 MB); on files
        above ``_FULL_CHECK_BYTES`` it is cut off after ``_CHECK_BUDGET_S`` so opening a
        very large store stays fast (the pages checked by then are still checked)."""
        size = 0
        if not self._memory:
            with suppress(OSError):
                size = self.path.stat().st_size
        timer: threading.Timer | None = None
        guard, finished = threading.Lock(), threading.Event()
        if size > _FULL_CHECK_BYTES:
            def stop() -> None:
                with guard:
                    if not finished.is_set():  # never interrupt a later statement
                        self.conn.interrupt()

            timer = threading.Timer(_CHECK_BUDGET_S, stop)
            timer.daemon = True
            timer.start()
        try:
            rows = self.conn.execute("PRAGMA quick_check(5)").fetchall()
        except sqlite3.OperationalError as exc:
            if timer is None or getattr(exc, "sqlite_errorcode", 0) != _SQLITE_INTERRUPT:
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

    def _versions(self) -> tuple[set[str], int, int]:
        """Tables present, store layout and event schema recorded in ``meta``."""
        tables = {r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            # An existing store without meta is 0.1.0's; an empty file is new (layout 0).
            return tables, (1 if tables & _TABLES else 0), (1 if "events" in tables else 0)
        meta = dict(self.conn.execute("SELECT key, value FROM meta").fetchall())
        return (tables, int(meta.get("schema_version") or 1),
                int(meta.get("event_version") or 1))

    def _refuse_newer(self, layout: int, event_version: int) -> None:
        if layout > SCHEMA_VERSION or event_version > EVENT_SCHEMA_VERSION:
            raise StoreError(
                f"the run store {self.path} was written by a newer Workbench (layout {layout}, "
                f"events v{event_version}; this one reads up to {SCHEMA_VERSION}, "
                f"v{EVENT_SCHEMA_VERSION}): upgrade Workbench")

    def _ensure_schema(self) -> None:
        with self._lock:
            tables, layout, event_version = self._versions()
            self._refuse_newer(layout, event_version)
            if (tables >= _TABLES and layout == SCHEMA_VERSION
                    and event_version == EVENT_SCHEMA_VERSION):
                return  # the common case: no write lock taken on open
            with self._write():
                # Read again under the write lock: another process may have just done it.
                tables, layout, event_version = self._versions()
                self._refuse_newer(layout, event_version)
                for statement in _SCHEMA:
                    self.conn.execute(statement)
                for table, added in _ADDED_COLUMNS.items():
                    have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
                    for name, decl in added:
                        if name not in have:
                            self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")
                if event_version < EVENT_SCHEMA_VERSION:
                    self._upgrade_events()
                self.conn.executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    [("schema_version", str(SCHEMA_VERSION)),
                     ("event_version", str(EVENT_SCHEMA_VERSION))])

    def _upgrade_events(self) -> None:
        """Rewrite every row of an older event schema in the current shape (inside the
        caller's transaction: all rows or none). The row keeps its id and seq; its kind may
        change (a parked ``run_finished`` becomes ``run_parked``)."""
        last_id = 0
        while True:
            rows = self.conn.execute(
                "SELECT id, run_id, seq, ts, kind, role, payload, v FROM events "
                "WHERE v < ? AND id > ? ORDER BY id LIMIT ?",
                [EVENT_SCHEMA_VERSION, last_id, _UPGRADE_BATCH]).fetchall()
            if not rows:
                return
            updates: list[tuple[str, str, int, int]] = []
            for row_id, run, seq, ts, kind, role, payload, v in rows:
                last_id = row_id
                try:
                    data = json.loads(payload or "{}")
                    event = build_event(run, seq, ts, kind, role or "system", data, v)
                except (ValueError, ValidationError) as exc:
                    raise StoreError(
                        f"cannot upgrade the run store {self.path}: event {seq} of run {run} "
                        f"({kind}) does not fit the current schema: "
                        f"{_one_line(str(exc), 120)}") from None
                if event.kind == "error" and kind != "error":
                    continue  # a kind this version does not know: kept as stored
                dumped = event.dump()
                updates.append((dumped["kind"], dumped["payload"], EVENT_SCHEMA_VERSION, row_id))
            self.conn.executemany(
                "UPDATE events SET kind = ?, payload = ?, v = ? WHERE id = ?", updates)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction (takes the write lock first, so a read
        followed by a write cannot race another process); joins an open one."""
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, for ad-hoc SQL in tools and tests
        (imported on first use; the store itself does not need it)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def _rows(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            cur = self.conn.execute(sql, args)
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        self.conn.close()

    # runs -------------------------------------------------------------------------------
    @staticmethod
    def _check_fields(given: dict[str, Any]) -> None:
        unknown = sorted(set(given) - set(_RUN_FIELDS))
        if unknown:
            raise TypeError(f"unknown run field(s): {', '.join(unknown)}")

    @staticmethod
    def _record(row: dict[str, Any]) -> RunRecord:
        # Known fields only: the table has more columns (the lease) than the record.
        return RunRecord(**{name: row[name] for name in _RUN_FIELDS})

    def create_run(self, run_id: str, task: str, repo: str, model: str, **fields: Any) -> RunRecord:
        self._check_fields(fields)
        task, fields = mask_secrets(task), _masked_fields(fields)
        row = {
            **_RUN_DEFAULTS,
            **fields,
            "run_id": run_id,
            "task": task,
            "repo": repo,
            "model": model,
            "started_at": fields.get("started_at", time.time()),
        }
        with self._write() as conn:
            conn.execute(f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES "
                         f"({', '.join('?' * len(_RUN_FIELDS))})",
                         [row[name] for name in _RUN_FIELDS])
        return self.get_run(run_id)

    def update_run(self, run_id: str, **fields: Any) -> None:
        self._check_fields(fields)
        fields.pop("run_id", None)
        fields = _masked_fields(fields)
        with self._write() as conn:
            if fields:
                sets = ", ".join(f"{name} = ?" for name in fields)
                cur = conn.execute(f"UPDATE runs SET {sets} WHERE run_id = ?",
                                   [*fields.values(), run_id])
                found = cur.rowcount > 0
            else:
                found = conn.execute("SELECT 1 FROM runs WHERE run_id = ?",
                                     [run_id]).fetchone() is not None
            if not found:
                raise UnknownRunError(run_id)

    def add_usage(self, run_id: str, prompt: int, completion: int, cost: float) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET prompt_tokens = prompt_tokens + ?, "
                "completion_tokens = completion_tokens + ?, cost = cost + ? WHERE run_id = ?",
                [prompt, completion, cost, run_id],
            )

    def get_run(self, run_id: str) -> RunRecord:
        rows = self._rows(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", [run_id])
        if not rows:
            raise UnknownRunError(run_id)
        return self._record(rows[0])

    def find_run(self, prefix: str) -> RunRecord:
        """Exact id, or a unique prefix of one."""
        exact = self._rows(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", [prefix])
        if exact:
            return self._record(exact[0])
        if not prefix:
            raise UnknownRunError(prefix)
        where = "FROM runs WHERE run_id LIKE ? ESCAPE '\\'"
        rows = self._rows(f"SELECT {_RUN_COLUMNS} {where} ORDER BY started_at DESC LIMIT ?",
                          [_like_prefix(prefix), AmbiguousRunError.SHOWN])
        if not rows:
            raise UnknownRunError(prefix)
        if len(rows) > 1:
            count = self._rows(f"SELECT COUNT(*) AS n {where}", [_like_prefix(prefix)])[0]["n"]
            raise AmbiguousRunError(prefix, [r["run_id"] for r in rows], int(count))
        return self._record(rows[0])

    def runs(self, limit: int = 500) -> list[RunRecord]:
        rows = self._rows(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY started_at DESC LIMIT ?",
                          [limit])
        return [self._record(r) for r in rows]

    def run_ids_with_status(self, status: str) -> list[str]:
        return [r["run_id"] for r in self._rows(
            "SELECT run_id FROM runs WHERE status = ? ORDER BY started_at", [status])]

    # events -----------------------------------------------------------------------------
    def append(self, event: EventBase) -> EventBase:
        """Store ``event`` with the next seq of its run and return it with that seq. The seq
        is read and used under the write lock, so processes appending to one run interleave
        without colliding. Secrets in the payload are masked first: the returned event is
        the stored one."""
        event = mask_event(event)
        row = event.dump()  # serialised before taking the lock: the lock is held briefly
        with self._write() as conn:
            seq = int(conn.execute(_NEXT_SEQ, (event.run_id,)).fetchone()[0])
            conn.execute(_INSERT_EVENT, (row["run_id"], seq, row["ts"], row["kind"],
                                         row["role"], row["payload"], EVENT_SCHEMA_VERSION))
        return event.model_copy(update={"seq": seq})

    def append_many(self, events: list[EventBase]) -> None:
        """Bulk insert events that already carry their seq (fork, benchmarks)."""
        rows = []
        for event in events:
            row = mask_event(event).dump()
            rows.append((row["run_id"], row["seq"], row["ts"], row["kind"], row["role"],
                         row["payload"], EVENT_SCHEMA_VERSION))
        with self._write() as conn:
            conn.executemany(_INSERT_EVENT, rows)

    def events(
        self, run_id: str, after_seq: int = 0, upto_seq: int | None = None
    ) -> list[EventBase]:
        return list(self.iter_events(run_id, after_seq, upto_seq))

    def iter_events(
        self, run_id: str, after_seq: int = 0, upto_seq: int | None = None
    ) -> Iterator[EventBase]:
        sql = _SELECT_EVENTS
        args: list[Any] = [run_id, after_seq]
        if upto_seq is not None:
            sql += " AND seq <= ?"
            args.append(upto_seq)
        sql += " ORDER BY seq"
        with self._lock:
            rows = self.conn.execute(sql, args).fetchall()
        loads = json.loads
        for run, seq, ts, kind, role, payload, v in rows:
            # Current rows were validated when written; older ones are upgraded here.
            yield build_event(run, seq, ts, kind, role, loads(payload or "{}"), v)

    # artifacts --------------------------------------------------------------------------
    def add_artifact(self, run_id: str, type_: str, content: str) -> int:
        content = mask_content(content)
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO artifacts (run_id, type, content, created_at) VALUES (?, ?, ?, ?)",
                [run_id, type_, content, time.time()])
            return int(cur.lastrowid or 0)

    def artifact(self, artifact_id: int) -> Artifact:
        rows = self._rows(f"SELECT {', '.join(_ARTIFACT_FIELDS)} FROM artifacts WHERE id = ?",
                          [artifact_id])
        if not rows:
            raise LookupError(f"unknown artifact: {artifact_id}")
        return Artifact(**rows[0])

    def patch_diff(self, artifact_id: int | None) -> str | None:
        """The diff of a recorded patch artifact; ``None`` when there is none to read."""
        if artifact_id is None:
            return None
        try:
            data = json.loads(self.artifact(artifact_id).content)
        except (LookupError, ValueError):
            return None
        return str(data.get("diff") or "") if isinstance(data, dict) else None

    # leases -----------------------------------------------------------------------------
    def acquire_lease(self, run_id: str, *, stale_after_s: float = 30.0) -> str:
        """Make this process the one engine driving ``run_id`` and return the lease token.

        Succeeds when the run has no lease, or its holder is gone: a dead pid on this host,
        a lease naming this pid that this process never issued (an earlier process with the
        same pid), or a heartbeat older than ``stale_after_s``. Otherwise raises
        :class:`RunBusy` (also for a second acquire in this process: not re-entrant)."""
        now = time.time()
        with self._write() as conn:
            row = conn.execute(_SELECT_LEASE, [run_id]).fetchone()
            if row is None:
                raise UnknownRunError(run_id)
            pid, host, beat, token = row
            if token is not None and not self._lease_gone(pid, host, beat, token, now,
                                                          stale_after_s):
                raise RunBusy(self._busy_message(run_id, pid, host, beat, now))
            new_token = secrets.token_hex(16)
            conn.execute("UPDATE runs SET lease_pid = ?, lease_host = ?, lease_heartbeat = ?, "
                         "lease_token = ? WHERE run_id = ?",
                         [os.getpid(), self._host, now, new_token, run_id])
        with _issued_lock:
            _issued_tokens.add(new_token)
        return new_token

    def heartbeat(self, run_id: str, token: str) -> None:
        """Renew the lease. Raises :class:`RunBusy` when ``token`` no longer holds it (it
        went stale and another engine took the run over): the caller must stop driving."""
        now = time.time()
        with self._write() as conn:
            cur = conn.execute("UPDATE runs SET lease_heartbeat = ? "
                               "WHERE run_id = ? AND lease_token = ?", [now, run_id, token])
            if cur.rowcount:
                return
            row = conn.execute(_SELECT_LEASE, [run_id]).fetchone()
        if row is None:
            raise UnknownRunError(run_id)
        pid, host, beat, held = row
        if held is None:
            raise RunBusy(f"run {run_id}: this engine's lease was lost (no engine holds it)")
        raise RunBusy(f"run {run_id}: this engine's lease was lost; "
                      + self._busy_message(run_id, pid, host, beat, now))

    def release_lease(self, run_id: str, token: str) -> bool:
        """Drop the lease if ``token`` holds it; ``False`` when it did not (nothing changes)."""
        with self._write() as conn:
            cur = conn.execute("UPDATE runs SET lease_pid = NULL, lease_host = NULL, "
                               "lease_heartbeat = NULL, lease_token = NULL "
                               "WHERE run_id = ? AND lease_token = ?", [run_id, token])
        with _issued_lock:
            _issued_tokens.discard(token)
        return cur.rowcount > 0

    def lease(self, run_id: str) -> Lease | None:
        """The run's current lease (possibly stale), or ``None``."""
        with self._lock:
            row = self.conn.execute(_SELECT_LEASE, [run_id]).fetchone()
        if row is None:
            raise UnknownRunError(run_id)
        pid, host, beat, token = row
        if token is None:
            return None
        return Lease(run_id, int(pid or 0), str(host or ""), float(beat or 0.0))

    def _lease_gone(self, pid: int | None, host: str | None, beat: float | None, token: str,
                    now: float, stale_after_s: float) -> bool:
        if beat is None or now - beat > stale_after_s:
            return True
        if host == self._host and pid is not None:
            if pid == os.getpid():
                with _issued_lock:
                    return token not in _issued_tokens
            return not _pid_alive(pid)
        return False  # another host: only the heartbeat tells

    def _busy_message(self, run_id: str, pid: int | None, host: str | None,
                      beat: float | None, now: float) -> str:
        ago = f"{max(0.0, now - beat):.0f} s ago" if beat is not None else "never"
        who = "this process" if pid == os.getpid() and host == self._host else f"pid {pid}"
        return f"run {run_id} is being driven by {who} on host {host} (heartbeat {ago})"


_MASKED_RUN_TEXT = ("task", "reason", "branch")


def _masked_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Run fields as stored: text masked, the config JSON masked value by value."""
    out = dict(fields)
    for name in _MASKED_RUN_TEXT:
        if isinstance(out.get(name), str):
            out[name] = mask_secrets(out[name])
    if isinstance(out.get("config"), str):
        out["config"] = mask_content(out["config"])
    return out


def mask_content(content: str) -> str:
    """A text or JSON body as stored: JSON is masked value by value (masking its text could
    cut through an escape), re-encoded only when something was masked."""
    try:
        data = json.loads(content)
    except ValueError:
        return mask_secrets(content)
    masked = mask_value(data)
    return content if masked == data else json.dumps(masked)


def mask_event(event: EventBase) -> EventBase:
    """``event`` with the secrets of its payload masked (the same object when none)."""
    payload = event.payload()
    masked = mask_value(payload)
    if masked == payload:
        return event
    return event.model_copy(update={k: v for k, v in masked.items() if v != payload.get(k)})


class AmbiguousRunError(UnknownRunError):
    """A run id prefix that several runs start with; the message names them (newest first)."""

    SHOWN = 5

    def __init__(self, prefix: str, candidates: list[str], count: int) -> None:
        super().__init__(prefix)
        listed = ", ".join(candidates[: self.SHOWN])
        more = f" and {count - self.SHOWN} more" if count > self.SHOWN else ""
        self.args = (f"run id prefix {prefix} matches {count} runs: {listed}{more}",)
        self.candidates = candidates


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching ids that start with ``prefix`` literally."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"
