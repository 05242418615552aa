"""Signed deliveries: an HMAC-SHA256 over the timestamp and the body, a delivery id that is
accepted once, and a time window, so a captured request cannot be replayed or altered."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

SIGNATURE = "X-Workbench-Signature"
TIMESTAMP = "X-Workbench-Timestamp"
DELIVERY = "X-Workbench-Delivery"
WINDOW_S = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    ts = str(int(now if now is not None else time.time()))
    return {SIGNATURE: signature(secret, ts, body), TIMESTAMP: ts, DELIVERY: uuid.uuid4().hex,
            "Content-Type": "application/json"}


@contextlib.contextmanager
def _deliveries(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        with conn:
            conn.execute("CREATE TABLE IF NOT EXISTS handoff_deliveries "
                         "(delivery TEXT PRIMARY KEY, received REAL NOT NULL)")
            yield conn
    finally:
        conn.close()


def check(secret: str, headers: Mapping[str, str], body: bytes, db: Path,
          now: float | None = None) -> str | None:
    """None when the request is authentic, fresh and new (its delivery id is then used up);
    otherwise the reason it is refused."""
    got = {k.lower(): v for k, v in headers.items()}
    sig, ts, delivery = (got.get(h.lower(), "") for h in (SIGNATURE, TIMESTAMP, DELIVERY))
    if not sig or not ts or not delivery:
        return "unsigned request"
    if not hmac.compare_digest(sig, signature(secret, ts, body)):
        return "bad signature"
    try:
        age = (now if now is not None else time.time()) - int(ts)
    except ValueError:
        return "bad timestamp"
    if abs(age) > WINDOW_S:
        return "expired request"
    with _deliveries(db) as conn:
        try:
            conn.execute("INSERT INTO handoff_deliveries VALUES (?, ?)", (delivery, time.time()))
        except sqlite3.IntegrityError:
            return "replayed request"
    return None
