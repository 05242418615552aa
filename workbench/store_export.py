"""A run and its events as one JSON document, written while the events are read.

The text is exactly ``json.dumps({"run": run, "events": [...]}, indent=2, default=str)``
(each event ``{"seq", "ts", "role", "kind", "payload"}``, its payload as stored), but no
more than a page of events is in memory at once, however long the run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from workbench.store_events import PayloadRow

_CHUNK = 500
"""Events per write call."""


_ENCODE = json.JSONEncoder(indent=2, default=str).encode
"""``json.dumps(value, indent=2, default=str)`` without a new encoder per call."""


def _dumps(value: Any, indent: str) -> str:
    return _ENCODE(value).replace("\n", "\n" + indent)


def write_run_json(run: dict[str, Any], events: Iterable[PayloadRow],
                   write: Callable[[str], object]) -> int:
    """Write the document to ``write`` (a trailing newline included); returns the number
    of events written."""
    write('{\n  "run": ' + _dumps(run, "  ") + ',\n  "events": [')
    parts: list[str] = []
    count = 0
    for seq, ts, kind, role, payload in events:
        item = {"seq": seq, "ts": ts, "role": role, "kind": kind, "payload": payload}
        parts.append(("\n    " if not count else ",\n    ") + _dumps(item, "    "))
        count += 1
        if len(parts) >= _CHUNK:
            write("".join(parts))
            parts.clear()
    write("".join(parts) + ("\n  ]\n}\n" if count else "]\n}\n"))
    return count
