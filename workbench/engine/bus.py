"""The event bus of one run: every event goes to the store, then to live listeners."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from agents.events import TRANSIENT_KINDS, EventBase, make_event
from agents.redact import mask_value
from workbench.store import RunStore

Listener = Callable[[EventBase], None]
log = logging.getLogger(__name__)


class EventBus:
    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener, first: bool = False) -> None:
        with self._lock:
            if first:
                self._listeners.insert(0, listener)
            else:
                self._listeners.append(listener)

    def emit(self, kind: str, role: str = "system", /, **fields: Any) -> EventBase:
        """Build, validate, store and publish an event of ``kind``."""
        return self.put(make_event(kind, role=role, **fields))

    def put(self, event: EventBase) -> EventBase:
        """Mask secrets, store (unless transient) and publish ``event``."""
        masked = mask_value(event.payload())
        event = event.model_copy(update={"run_id": self.run_id, **{
            k: v for k, v in masked.items() if v != getattr(event, k)}})
        if event.kind not in TRANSIENT_KINDS:
            event = self.store.append(event)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # a broken view must never stop the run
                log.exception("event listener failed")
        return event
