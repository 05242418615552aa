"""Short, fixed-width renderings of run fields for tables."""

from __future__ import annotations

import time

STATUS_VARIABLES: dict[str, str] = {
    "PENDING": "status-running",
    "RUNNING": "status-running",
    "WAITING_FOR_APPROVAL": "status-waiting",
    "INTERRUPTED": "status-interrupted",
    "WAITING": "status-waiting",
    "APPROVED": "status-approved",
    "NEEDS_HUMAN_REVIEW": "status-review",
    "BLOCKED_BY_POLICY": "status-blocked",
    "REJECTED": "status-rejected",
    "FAILED": "status-failed",
}
"""Theme variable holding each status colour (see ``themes.palette``)."""

STATUS_FALLBACK_VARIABLES: dict[str, str] = {"status-interrupted": "role-system"}
"""Used when a theme lacks a status variable: an interrupted run reads as stopped (muted),
unlike every live or finished status."""

RESUMABLE_STATUSES = frozenset({"WAITING_FOR_APPROVAL", "INTERRUPTED", "WAITING"})
"""Runs that stopped short of a terminal status and that ``R`` continues."""


def format_started(ts: float, compact: bool = False) -> str:
    """Local time: ``2024-05-01 14:03``, or ``05-01 14:03`` when compact."""
    return time.strftime("%m-%d %H:%M" if compact else "%Y-%m-%d %H:%M", time.localtime(ts))


def truncate(text: str, width: int) -> str:
    """One line of at most ``width`` cells, ending in an ellipsis when cut."""
    line = " ".join(text.split())
    if width <= 0:
        return ""
    if len(line) <= width:
        return line
    return line[: max(0, width - 1)].rstrip() + "…"


def shorten_path(path: str, width: int) -> str:
    """Keep the end of a path (its most telling part) when it does not fit."""
    if len(path) <= width:
        return path
    if width <= 1:
        return "…"[:width]
    return "…" + path[-(width - 1) :]
