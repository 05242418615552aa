"""Run leases: which live engine drives a run."""

from __future__ import annotations

import functools
import os
import threading
import time
from dataclasses import dataclass

from workbench.store_core import StoreCore
from workbench.store_errors import RunBusy, UnknownRunError
from workbench.store_files import pid_alive

_SELECT_LEASE = ("SELECT lease_pid, lease_host, lease_heartbeat, lease_token FROM runs "
                 "WHERE run_id = ?")

# Lease tokens issued by this process: a lease that names this pid but whose token is not
# here was left by an earlier process that had the same pid (pids recur in containers).
_issued_tokens: set[str] = set()
_issued_lock = threading.Lock()


@dataclass(frozen=True)
class Lease:
    """Who drives a run (the token stays with the holder)."""

    run_id: str
    pid: int
    host: str
    heartbeat: float


class LeasesMixin(StoreCore):
    @functools.cached_property
    def _host(self) -> str:
        import socket  # only a lease needs it, not a read

        return socket.gethostname()

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
            new_token = os.urandom(16).hex()  # as secrets.token_hex, without its import
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
            return not pid_alive(pid)
        return False  # another host: only the heartbeat tells

    def _busy_message(self, run_id: str, pid: int | None, host: str | None,
                      beat: float | None, now: float) -> str:
        ago = f"{max(0.0, now - beat):.0f} s ago" if beat is not None else "never"
        who = "this process" if pid == os.getpid() and host == self._host else f"pid {pid}"
        return f"run {run_id} is being driven by {who} on host {host} (heartbeat {ago})"
