"""The app's one garbage-collector policy (used by :class:`workbench.tui.app.WorkbenchApp`
and around the replay's load; nothing else in Workbench touches the collector).

Full passes of Python's cyclic collector over the long-lived heap stall key handling and
scrolling for tens of milliseconds: the app pauses collection until its first frame, then
collects and freezes what start-up loaded (:func:`settle_heap`), freezes what a later load
left once a full pass finds it lasting (:func:`freeze_grown_heap`, from ``on_idle``), and
pauses collection while a worker builds a run for replay (:func:`bulk_load`)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SETTLED_OBJECTS = 50_000
"""Objects in the collector's oldest generation, after one of its full passes, from which
the app freezes them (about as many as the app holds after start-up)."""


def full_passes() -> int:
    """How many passes over the oldest generation the garbage collector has made."""
    return int(gc.get_stats()[2]["collections"])


def settle_heap() -> int:
    """Collect, then move what is left out of the collector's way (``gc.freeze``); the
    number of full passes so far."""
    gc.collect()
    gc.freeze()
    return full_passes()


def freeze_grown_heap(seen: int) -> int:
    """Freeze the oldest generation if the collector made a full pass since ``seen`` passes
    and what it kept is large (a run opened for replay, a long diff): later full passes then
    walk only newer objects, where each would otherwise hold the UI for tens of milliseconds
    per 20,000-line diff or 50,000-event run. Cheap when nothing changed (one counter read);
    the number of full passes so far."""
    passes = full_passes()
    if passes != seen and len(gc.get_objects(generation=2)) >= SETTLED_OBJECTS:
        gc.freeze()
    return passes


_loads = 0
_loads_lock = threading.Lock()
_paused_by_loads = False


@contextmanager
def bulk_load() -> Iterator[None]:
    """Around a worker thread's load of objects that all live on (a run read and folded
    for replay): collector passes over them while they are built are pure cost, so
    collection pauses until the last overlapping load ends, and what it built is then
    frozen (as freeze_grown_heap would freeze it after the passes it saves)."""
    global _loads, _paused_by_loads
    with _loads_lock:
        if _loads == 0 and gc.isenabled():
            gc.disable()
            _paused_by_loads = True
        _loads += 1
    try:
        yield
    finally:
        with _loads_lock:
            _loads -= 1
            if _loads == 0 and _paused_by_loads:
                _paused_by_loads = False
                gc.freeze()  # what the load built lives on: no pass need walk it again
                gc.enable()
