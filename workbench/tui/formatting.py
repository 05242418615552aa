"""Short, fixed-width renderings of run fields for tables."""

from __future__ import annotations

import time

STATUS_LABELS: dict[str, str] = {
    "PENDING": "pending",
    "RUNNING": "running",
    "WAITING_FOR_APPROVAL": "waiting",
    "INTERRUPTED": "interrupted",
    "WAITING": "waiting: provider",
    "APPROVED": "approved",
    "NEEDS_HUMAN_REVIEW": "needs review",
    "BLOCKED_BY_POLICY": "blocked",
    "REJECTED": "rejected",
    "FAILED": "failed",
}

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


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").lower())


def format_started(ts: float, compact: bool = False) -> str:
    """Local time: ``2024-05-01 14:03``, or ``05-01 14:03`` when compact."""
    return time.strftime("%m-%d %H:%M" if compact else "%Y-%m-%d %H:%M", time.localtime(ts))


def format_duration(seconds: float) -> str:
    total = int(round(seconds))
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_tokens(tokens: int) -> str:
    if tokens < 1000:
        return str(tokens)
    if tokens < 1_000_000:
        return f"{tokens / 1000:.1f}k"
    return f"{tokens / 1_000_000:.1f}M"


def format_cost(cost: float) -> str:
    if cost <= 0:
        return "–"
    if cost < 0.01:
        return "<$0.01"
    return f"${cost:.2f}"


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
