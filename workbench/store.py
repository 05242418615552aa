"""SQLite run store (WAL): runs, append-only events, large artifacts and run leases.

The layout and its upgrades are in :mod:`workbench.store_schema`, events in
:mod:`workbench.store_events` (and deferred writes in :mod:`workbench.store_core`), leases in
:mod:`workbench.store_leases`, masking on write in :mod:`workbench.store_masking`.

Several processes may use one file at once (the TUI, ``workbench`` commands, engines): schema
creation, ``append`` and the lease calls are each one ``BEGIN IMMEDIATE`` transaction, so
they serialise on SQLite's write lock instead of failing.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.store_errors import (
    RunBusy,
    StoreDamaged,
    StoreError,
    UnknownRunError,
    is_damage,
    one_line,
)
from workbench.store_events import EventsMixin, PayloadRow
from workbench.store_files import (
    default_db_path,
    make_private_dirs,
    make_private_file,
    tighten_side_files,
)
from workbench.store_leases import Lease, LeasesMixin
from workbench.store_masking import mask_content, mask_event, masked_fields
from workbench.store_schema import SCHEMA_VERSION, SchemaMixin

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 5000

__all__ = [
    "SCHEMA_VERSION",
    "Artifact",
    "Lease",
    "PayloadRow",
    "RunBusy",
    "RunRecord",
    "RunStore",
    "StoreDamaged",
    "StoreError",
    "UnknownRunError",
    "default_db_path",
    "mask_content",
    "mask_event",
]


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
    """When the run last stopped: finished, parked or interrupted (its clock stops there);
    None while an engine drives it."""
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


class RunStore(EventsMixin, LeasesMixin, SchemaMixin):
    """Thread-safe access to one SQLite file; every write is a short transaction."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self._memory = str(self.path) == ":memory:"
        self._init_core()
        self._db: sqlite_utils.Database | None = None
        if not self._memory:
            make_private_dirs(self.path.parent)
            make_private_file(self.path)
        try:
            self.conn = sqlite3.connect(str(self.path), check_same_thread=False,
                                        isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the run store {self.path}: {one_line(str(exc))}"
                             ) from None
        try:
            self._open()
        except BaseException:
            self.conn.close()
            raise

    def _open(self) -> None:
        conn = self.conn
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._check_integrity()
            self._use_wal(BUSY_TIMEOUT_MS / 1000)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._ensure_schema()
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise StoreDamaged(self._damage_message(str(exc))) from None
            raise StoreError(f"cannot open the run store {self.path}: {one_line(str(exc))}"
                             ) from None
        if not self._memory:
            tighten_side_files(self.path)

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, for ad-hoc SQL in tools and tests
        (imported on first use; the store itself does not need it)."""
        self._flush_for_read()
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def _rows(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        self._flush_for_read()
        with self._lock:
            cur = self.conn.execute(sql, args)
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        """Write what is deferred, then close."""
        try:
            self.flush()
        finally:
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
        fields = masked_fields({**fields, "task": task})
        task = fields.pop("task")
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
        """Set run fields. Usage totals set while events of the run are deferred are written
        with those events."""
        self._check_fields(fields)
        fields.pop("run_id", None)
        if self._defer_usage(run_id, fields):
            return
        fields = masked_fields(fields)
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
