"""The event bus of one run: every event goes to the store, then to live listeners.

Secrets never reach a listener: the store masks what it writes and hands back the stored
event; streamed text (``model_chunk``, never stored) goes through one stream masker per
role, which holds back a tail that could be the start of a secret and releases it when the
role's turn moves on (its next tool call, message, error or retry)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from agents.events import TRANSIENT_KINDS, EventBase, ModelChunk, make_event
from agents.redact import StreamMasker
from workbench.store import RunStore, mask_event

Listener = Callable[[EventBase], None]
log = logging.getLogger(__name__)

_ENDS_STREAM = frozenset({"agent_message", "tool_call", "error", "model_retry",
                          "turn_started"})
"""Events after which a role's held-back streamed text is released."""

_DEFERRED = frozenset({"turn_started", "model_call", "tool_call", "budget", "phase_changed"})
"""Kinds written with the next transaction (besides the messages inside a turn)."""

REDONE_TOOLS = frozenset({"list_files", "search_repository", "open_file", "replace_in_file",
                          "write_file", "propose_patch", "run_tests"})
"""Built-in tools whose results wait for the next transaction: a turn whose end is not on
record is redone by the resume from the worktree snapshot before it, so a lost result is read,
edited or tested again, and a lost edit is undone with it. Any other tool's result (an MCP
tool's) is written at once: its effect may lie outside the worktree."""


def deferrable(event: EventBase) -> bool:
    """Only needed once its turn's milestone is recorded (see the module docstring)."""
    if event.kind == "agent_message":
        return getattr(event, "state_artifact", None) is None  # the turn's end has one
    if event.kind == "tool_result":
        return getattr(event, "name", "") in REDONE_TOOLS
    return event.kind in _DEFERRED


class EventBus:
    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self._listeners: tuple[Listener, ...] = ()  # replaced whole, read without the lock
        self._lock = threading.Lock()
        self._streams: dict[str, StreamMasker] = {}

    def subscribe(self, listener: Listener, first: bool = False) -> None:
        with self._lock:
            if first:
                self._listeners = (listener, *self._listeners)
            else:
                self._listeners = (*self._listeners, listener)

    def emit(self, kind: str, role: str = "system", /, **fields: Any) -> EventBase:
        """Build, validate, store and publish an event of ``kind``."""
        return self.put(make_event(kind, role=role, **fields))

    def put(self, event: EventBase) -> EventBase:
        """Mask secrets, store (unless transient) and publish ``event``."""
        if event.run_id != self.run_id:
            event = event.model_copy(update={"run_id": self.run_id})
        if isinstance(event, ModelChunk):
            with self._lock:
                stream = self._streams.setdefault(event.role, StreamMasker())
                text = stream.feed(event.text)
            event = event.model_copy(update={"text": text})
        else:
            if event.kind in _ENDS_STREAM:
                self._release(event.role)
            event = (self.store.append(event, defer=deferrable(event))
                     if event.kind not in TRANSIENT_KINDS else mask_event(event))
        self._publish(event)
        return event

    def _release(self, role: str) -> None:
        if not self._streams:  # nothing held back (a stream is only added under the lock)
            return
        with self._lock:
            stream = self._streams.pop(role, None)
            rest = stream.flush() if stream is not None else ""
        if rest:
            self._publish(ModelChunk(run_id=self.run_id, role=role, text=rest))

    def _publish(self, event: EventBase) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a broken view must never stop the run
                log.exception("event listener failed")
