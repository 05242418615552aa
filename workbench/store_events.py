"""Events in the store: appended one by one, deferred into the next transaction, or in bulk;
read back fast, page by page.

Reading is most of what replay, ``show`` and every resume do, so rows of the current event
schema are turned into events without validating again (they were validated when written)
and without pydantic's generic construction: per kind, :func:`agents.events.build_event`
builds the first full row, and later rows of the kind are built the same way (same fields,
same order, same set fields; checked on that first row, else every row goes through
``build_event``). Each page's payloads are decoded by one ``json.loads``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from workbench.store_core import INSERT_EVENT, NEXT_SEQ, EventRow, StoreCore
from workbench.store_masking import MASKING_REVISION, mask_event, mask_payload
from workbench.store_schema import EVENT_VERSION

if TYPE_CHECKING:
    from agents.events import EventBase

PAGE = 10_000
"""Rows read per query: memory stays flat however long the run."""

_SELECT = ("SELECT run_id, seq, ts, kind, role, payload, v, masked FROM events "
           "WHERE run_id = ? AND seq > ?")
_ROW_INDEX = {"run_id": 0, "seq": 1, "ts": 2, "kind": 3, "role": 4}


class PayloadRow(NamedTuple):
    """A stored event as ``workbench show --json`` prints it."""

    seq: int
    ts: float
    kind: str
    role: str
    payload: Any


class _Plan(NamedTuple):
    cls: type[EventBase]
    payload_keys: frozenset[str]
    values: Callable[[dict[str, Any], Sequence[Any]], dict[str, Any]]
    fields_set: set[str]


_plans: dict[str, _Plan | None] = {}
"""Per kind; ``None``: that kind is always built by ``build_event``."""
_new = object.__new__
_set = object.__setattr__


_ENCODE = json.JSONEncoder(sort_keys=True, default=str).encode
"""``json.dumps(value, sort_keys=True, default=str)`` without a new encoder per call."""
_SEQ = frozenset({"seq"})


def with_seq(event: EventBase, seq: int) -> EventBase:
    """``event`` with ``seq`` set in place: an appended event is the store's from then on
    (the bus builds each one it appends), so no copy is made for it."""
    if getattr(event, "__pydantic_private__", None) is not None:
        return event.model_copy(update={"seq": seq})
    event.__dict__["seq"] = seq
    if "seq" not in event.__pydantic_fields_set__:  # a new set: decoded events share theirs
        _set(event, "__pydantic_fields_set__", event.__pydantic_fields_set__ | _SEQ)
    return event


def _values_maker(order: tuple[str, ...]
                  ) -> Callable[[dict[str, Any], Sequence[Any]], dict[str, Any]]:
    """A function building the field dict in ``order`` from a payload and its row: one dict
    display, several times faster than a generic loop (names are the class's field names)."""
    items = ", ".join(f"{name!r}: row[{_ROW_INDEX[name]}]" if name in _ROW_INDEX
                      else f"{name!r}: data[{name!r}]" for name in order)
    namespace: dict[str, Any] = {}
    exec(f"def values(data, row):\n    return {{{items}}}\n", namespace)  # noqa: S102
    maker: Callable[[dict[str, Any], Sequence[Any]], dict[str, Any]] = namespace["values"]
    return maker


def _fast(plan: _Plan, row: Sequence[Any], data: dict[str, Any]) -> EventBase:
    event = _new(plan.cls)
    _set(event, "__dict__", plan.values(data, row))
    # Shared by the kind's events: every field but ``kind`` is in it, so pydantic (which
    # only ever adds the name of a field assigned) has nothing to add.
    _set(event, "__pydantic_fields_set__", plan.fields_set)
    _set(event, "__pydantic_extra__", None)
    _set(event, "__pydantic_private__", None)
    return event


def _same(a: EventBase, b: EventBase) -> bool:
    return (type(a) is type(b) and list(a.__dict__) == list(b.__dict__) and a == b
            and a.model_fields_set == b.model_fields_set
            and a.__pydantic_private__ == b.__pydantic_private__)


def _learn(kind: str, row: Sequence[Any], data: dict[str, Any], built: EventBase) -> None:
    """Make the plan of ``kind`` from a full row and the event ``build_event`` made of it."""
    from agents.events import ENVELOPE

    cls = type(built)
    order = tuple(built.__dict__)
    if not all(name.isidentifier() for name in order):
        _plans[kind] = None
        return
    plan = _Plan(cls, frozenset(cls.model_fields) - set(ENVELOPE), _values_maker(order),
                 set(built.model_fields_set))
    _plans[kind] = plan if _same(_fast(plan, row, dict(data)), built) else None


def decode(rows: Sequence[Sequence[Any]]) -> list[EventBase]:
    """Events from ``(run_id, seq, ts, kind, role, payload, v, ...)`` rows."""
    from agents.events import build_event

    datas = _loads_all([r[5] for r in rows])
    out: list[EventBase] = []
    add = out.append
    plans = _plans
    for row, data in zip(rows, datas, strict=True):
        kind = row[3]
        plan = plans.get(kind) if row[6] == EVENT_VERSION else None
        if plan is not None and type(data) is dict and data.keys() == plan.payload_keys:
            add(_fast(plan, row, data))
            continue
        built = build_event(row[0], row[1], row[2], kind, row[4], data, row[6])
        if (kind not in plans and row[6] == EVENT_VERSION and type(data) is dict
                and built.kind == kind and data.keys() == set(built.payload())):
            _learn(kind, row, data, built)
        add(built)
    return out


def _loads_all(texts: list[str | None]) -> list[Any]:
    """Every payload, decoded by one ``json.loads`` when they all parse as one array of
    that many values; otherwise one by one (a bad row raises as it would alone)."""
    if not texts:
        return []
    try:
        values = json.loads("[" + ",".join(t or "{}" for t in texts) + "]")
        if isinstance(values, list) and len(values) == len(texts):
            return values
    except ValueError:
        pass
    return [json.loads(t or "{}") for t in texts]


class EventsMixin(StoreCore):
    def append(self, event: EventBase, *, defer: bool = False) -> EventBase:
        """Store ``event`` with the next seq of its run and return it with that seq. The seq
        is read and used under the write lock, so processes appending to one run interleave
        without colliding. Secrets in the payload are masked first: the returned event is
        the stored one (``event`` itself with its seq set, or a masked copy). ``defer``:
        written with the store's next transaction (see :mod:`workbench.store_core`)."""
        from agents.redact import mask_value

        # Dumped once, masked and serialised before taking the lock: the lock is held
        # briefly.
        payload = event.payload()
        masked = mask_value(payload)
        if masked != payload:
            event = event.model_copy(update={k: v for k, v in masked.items()
                                             if v != payload.get(k)})
        values: EventRow = (event.run_id, 0, event.ts, event.kind, event.role,
                            _ENCODE(masked), EVENT_VERSION)
        if defer:
            seq = self._defer(values)
        elif self._pending or event.run_id in self._next_seq:
            # Written with the deferred ones, in one transaction; with the run's next seq
            # known, no query (a seq another writer took is caught by the write).
            seq = self._defer(values)
            self.flush()
        else:
            with self._write() as conn:
                seq = int(conn.execute(NEXT_SEQ, (event.run_id,)).fetchone()[0])
                conn.execute(INSERT_EVENT, (*values[:1], seq, *values[2:]))
                self._next_seq[event.run_id] = seq + 1
        return with_seq(event, seq)

    def append_many(self, events: list[EventBase]) -> None:
        """Bulk insert events that already carry their seq (fork, benchmarks)."""
        rows = []
        for event in events:
            row = mask_event(event).dump()
            rows.append((row["run_id"], row["seq"], row["ts"], row["kind"], row["role"],
                         row["payload"], EVENT_VERSION))
        with self._write() as conn:
            conn.executemany(INSERT_EVENT, rows)

    def events(self, run_id: str, after_seq: int = 0,
               upto_seq: int | None = None) -> list[EventBase]:
        out: list[EventBase] = []
        for page in self._pages(run_id, after_seq, upto_seq):
            out += decode(page)
        return out

    def iter_events(self, run_id: str, after_seq: int = 0,
                    upto_seq: int | None = None) -> Iterator[EventBase]:
        """The run's events in seq order, read a page at a time."""
        for page in self._pages(run_id, after_seq, upto_seq):
            yield from decode(page)

    def iter_payloads(self, run_id: str) -> Iterator[PayloadRow]:
        """The run's events as stored (payload key order as written), masked where their
        row was written without masking, a page at a time; rows of an older event schema
        are upgraded as :meth:`iter_events` does."""
        for page in self._pages(run_id, 0, None):
            datas = _loads_all([r[5] for r in page])
            for row, data in zip(page, datas, strict=True):
                seq, ts, kind, role = row[1:5]
                if row[6] != EVENT_VERSION:
                    [event] = decode([row])
                    kind, data = event.kind, event.payload()
                masked = int(row[7] or 0)
                if masked >= MASKING_REVISION:  # masked on write: as stored
                    yield PayloadRow(seq, ts, kind, role, data)
                else:
                    yield PayloadRow(seq, ts, mask_payload(kind, masked),
                                     mask_payload(role, masked), mask_payload(data, masked))

    def _pages(self, run_id: str, after_seq: int,
               upto_seq: int | None) -> Iterator[list[tuple[Any, ...]]]:
        """Rows by keyset pages on (run_id, seq): the lock is held per query only."""
        self._flush_for_read()
        sql = _SELECT + (" AND seq <= ?" if upto_seq is not None else "")
        sql += f" ORDER BY seq LIMIT {PAGE}"
        last = after_seq
        while True:
            args: list[Any] = [run_id, last] + ([upto_seq] if upto_seq is not None else [])
            with self._lock:
                rows = self.conn.execute(sql, args).fetchall()
            if not rows:
                return
            yield rows
            if len(rows) < PAGE:
                return
            last = rows[-1][1]
