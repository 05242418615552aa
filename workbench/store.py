"""SQLite run store (WAL): runs, append-only events and large artifacts."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir

if TYPE_CHECKING:
    import sqlite_utils

from agents.events import RunEvent

EventBuilder = Callable[[str, int, float, str, str, dict[str, Any]], RunEvent]
_EVENT_FIELDS = ("run_id", "seq", "ts", "kind", "role", "payload")
_builder: EventBuilder | None = None


def _construct(run: str, seq: int, ts: float, kind: str, role: str,
               payload: dict[str, Any]) -> RunEvent:
    return RunEvent.model_construct(run_id=run, seq=seq, ts=ts, kind=kind, role=role,
                                    payload=payload)


def _fill(run: str, seq: int, ts: float, kind: str, role: str,
          payload: dict[str, Any]) -> RunEvent:
    """What ``model_construct`` makes of a complete row, with less generic work per event."""
    event = _new(RunEvent)
    _set(event, "__dict__", {"run_id": run, "seq": seq, "ts": ts, "kind": kind, "role": role,
                             "payload": payload})
    _set(event, "__pydantic_fields_set__", set(_EVENT_FIELDS))
    _set(event, "__pydantic_extra__", None)
    _set(event, "__pydantic_private__", None)
    return event


_new = object.__new__
_set = object.__setattr__


def _event_builder() -> EventBuilder:
    """``_fill`` when it builds exactly what ``model_construct`` does, else ``_construct``."""
    global _builder
    if _builder is None:
        row = ("run", 1, 1.0, "steer", "human", {"text": "x"})
        fast, slow = _fill(*row), _construct(*row)
        same = (fast == slow and fast.__dict__ == slow.__dict__
                and fast.model_fields_set == slow.model_fields_set
                and tuple(RunEvent.model_fields) == _EVENT_FIELDS)
        _builder = _fill if same else _construct
    return _builder


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


class RunStore:
    """Thread-safe access to one SQLite file; every write is a short transaction."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._lock = threading.RLock()
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        with self._lock:
            existing = {
                row[0] for row in self.conn.execute("SELECT name FROM sqlite_master")
            }
            if "runs" not in existing:
                self._t("runs").create(
                    {
                        "run_id": str,
                        "task": str,
                        "repo": str,
                        "model": str,
                        "status": str,
                        "phase": str,
                        "started_at": float,
                        "finished_at": float,
                        "reason": str,
                        "prompt_tokens": int,
                        "completion_tokens": int,
                        "cost": float,
                        "parent_run_id": str,
                        "fork_seq": int,
                        "branch": str,
                        "config": str,
                    },
                    pk="run_id",
                )
            if "events" not in existing:
                self._t("events").create(
                    {
                        "id": int,
                        "run_id": str,
                        "seq": int,
                        "ts": float,
                        "kind": str,
                        "role": str,
                        "payload": str,
                    },
                    pk="id",
                )
                self._t("events").create_index(["run_id", "seq"], unique=True)
            if "artifacts" not in existing:
                self._t("artifacts").create(
                    {"id": int, "run_id": str, "type": str, "content": str, "created_at": float},
                    pk="id",
                )
                self._t("artifacts").create_index(["run_id"])

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, for writes and schema (imported on first
        write: reading the run list at start-up does not pay for it)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def _t(self, name: str) -> sqlite_utils.db.Table:
        return self.db.table(name)

    def _rows(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        with self._lock:
            cur = self.conn.execute(sql, args)
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        self.conn.close()

    # runs -------------------------------------------------------------------------------
    def create_run(self, run_id: str, task: str, repo: str, model: str, **fields: Any) -> RunRecord:
        row = {
            **_RUN_DEFAULTS,
            **fields,
            "run_id": run_id,
            "task": task,
            "repo": repo,
            "model": model,
            "started_at": fields.get("started_at", time.time()),
        }
        with self._lock:
            self._t("runs").insert(row)
        return self.get_run(run_id)

    def update_run(self, run_id: str, **fields: Any) -> None:
        with self._lock:
            self.get_run(run_id)
            self._t("runs").update(run_id, fields)

    def add_usage(self, run_id: str, prompt: int, completion: int, cost: float) -> None:
        with self._lock:
            self.conn.execute(
                "UPDATE runs SET prompt_tokens = prompt_tokens + ?, "
                "completion_tokens = completion_tokens + ?, cost = cost + ? WHERE run_id = ?",
                [prompt, completion, cost, run_id],
            )

    def get_run(self, run_id: str) -> RunRecord:
        with self._lock:
            rows = self._rows("SELECT * FROM runs WHERE run_id = ?", [run_id])
        if not rows:
            raise UnknownRunError(run_id)
        return RunRecord(**rows[0])

    def find_run(self, prefix: str) -> RunRecord:
        """Exact id, or a unique prefix of one."""
        with self._lock:
            rows = self._rows("SELECT * FROM runs WHERE run_id LIKE ? LIMIT 2", [prefix + "%"])
        exact = [r for r in rows if r["run_id"] == prefix]
        if exact:
            return RunRecord(**exact[0])
        if len(rows) != 1 or not prefix:
            raise UnknownRunError(prefix)
        return RunRecord(**rows[0])

    def runs(self, limit: int = 500) -> list[RunRecord]:
        with self._lock:
            rows = self._rows("SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", [limit])
            return [RunRecord(**r) for r in rows]

    # events -----------------------------------------------------------------------------
    def append(self, event: RunEvent) -> RunEvent:
        """Store ``event`` with the next seq of its run and return it with that seq."""
        with self._lock:
            cur = self.conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE run_id = ?", [event.run_id]
            )
            seq = int(cur.fetchone()[0]) + 1
            stored = event.model_copy(update={"seq": seq})
            self._t("events").insert(stored.dump())
        return stored

    def append_many(self, events: list[RunEvent]) -> None:
        """Bulk insert events that already carry their seq (fork, benchmarks)."""
        with self._lock, self.conn:
            self._t("events").insert_all((e.dump() for e in events), batch_size=1000)

    def events(
        self, run_id: str, after_seq: int = 0, upto_seq: int | None = None
    ) -> list[RunEvent]:
        return list(self.iter_events(run_id, after_seq, upto_seq))

    def iter_events(
        self, run_id: str, after_seq: int = 0, upto_seq: int | None = None
    ) -> Iterator[RunEvent]:
        sql = "SELECT run_id, seq, ts, kind, role, payload FROM events WHERE run_id = ? AND seq > ?"
        args: list[Any] = [run_id, after_seq]
        if upto_seq is not None:
            sql += " AND seq <= ?"
            args.append(upto_seq)
        sql += " ORDER BY seq"
        with self._lock:
            rows = self.conn.execute(sql, args).fetchall()
        loads = json.loads
        build = _event_builder()
        for run, seq, ts, kind, role, payload in rows:
            # Rows were validated when written: built without a second validation.
            yield build(run, seq, ts, kind, role, loads(payload or "{}"))

    # artifacts --------------------------------------------------------------------------
    def add_artifact(self, run_id: str, type_: str, content: str) -> int:
        with self._lock:
            table = self._t("artifacts")
            table.insert(
                {"run_id": run_id, "type": type_, "content": content, "created_at": time.time()}
            )
            return int(table.last_pk or 0)

    def artifact(self, artifact_id: int) -> Artifact:
        with self._lock:
            rows = self._rows("SELECT * FROM artifacts WHERE id = ?", [artifact_id])
        if not rows:
            raise LookupError(f"unknown artifact: {artifact_id}")
        return Artifact(**rows[0])
