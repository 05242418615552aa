"""One engine per run: hold the run's lease in the store while driving it.

A thread renews the heartbeat, so a long model call or a blocking analysis never makes a
live engine look dead; a killed engine stops renewing and its lease can be taken over.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from workbench.store import RunBusy, RunStore

HEARTBEAT_S = 5.0
log = logging.getLogger(__name__)


class Lease:
    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store, self.run_id = store, run_id
        self.token = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = ""
        """Why this engine no longer holds the run (another engine took it over)."""

    def __enter__(self) -> Lease:
        self.token = self.store.acquire_lease(self.run_id)
        self._thread = threading.Thread(target=self._beat, name=f"lease-{self.run_id}",
                                        daemon=True)
        self._thread.start()
        return self

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                self.store.heartbeat(self.run_id, self.token)
            except RunBusy as exc:  # taken over: this engine must stop writing
                self.lost = str(exc)
                return
            except Exception:  # a missed beat is retried; the run goes on
                log.exception("lease heartbeat failed")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=HEARTBEAT_S)
        if not self.lost:
            self.store.release_lease(self.run_id, self.token)
