"""The event bus of one run: every event goes to the store, then to live listeners."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from agents.events import TRANSIENT_KINDS, EventKind, RunEvent
from agents.redact import mask_value
from workbench.store import RunStore

Listener = Callable[[RunEvent], None]
log = logging.getLogger(__name__)


class EventBus:
    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def emit(self, kind: EventKind, role: str = "system", /, **payload: Any) -> RunEvent:
        event = RunEvent(run_id=self.run_id, kind=kind, role=role, payload=mask_value(payload))
        if kind not in TRANSIENT_KINDS:
            event = self.store.append(event)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a broken view must never stop the run
                log.exception("event listener failed")
        return event
