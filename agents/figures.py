"""One way to write a run's figures (tokens, cost, time, model) in every view.

The status bar, the run list, the replay screen, the activity line and the ``runs`` and
``show`` commands all format through here, so one run reads the same everywhere.
"""

from __future__ import annotations

_LABEL_MARKS = (" (SCRIPTED)", " (REPLAY)")

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


def status_label(status: str) -> str:
    """The status in words: ``waiting``, ``needs review``, ``approved``."""
    return STATUS_LABELS.get(status, status.replace("_", " ").lower())


def format_tokens(tokens: int) -> str:
    """``950``, ``12.5k``, ``1.2M``."""
    if tokens < 1000:
        return str(max(0, tokens))
    if tokens < 1_000_000:
        return f"{tokens / 1000:.1f}k"
    return f"{tokens / 1_000_000:.1f}M"


def format_cost(cost: float) -> str:
    """``–`` when nothing was charged (a scripted or unpriced model), else dollars."""
    if cost <= 0:
        return "–"
    if cost < 0.01:
        return "<$0.01"
    return f"${cost:.2f}"


def format_clock(seconds: float) -> str:
    """Elapsed time as a clock: ``0:33``, ``12:05``, ``1:02:03`` (never negative)."""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def model_name(text: str) -> str:
    """The model as configured (``openai:gpt-4.1``, ``scripted:demo``). Runs recorded by
    earlier versions stored display labels (``scripted: demo_script.yaml (SCRIPTED)``);
    their marks are dropped, since every view says "scripted" on its own."""
    for mark in _LABEL_MARKS:
        text = text.removesuffix(mark)
    provider, sep, rest = text.partition(": ")
    return f"{provider}:{rest}" if sep and " " not in provider else text


def role_model(models: dict[str, str], run_model: str, role: str) -> str:
    """The model ``role`` uses: its own choice, else the run's (the developer's) model."""
    return model_name(models.get(role) or models.get("developer") or run_model)


def format_usage(prompt_tokens: int, completion_tokens: int, cost: float, calls: int) -> str:
    """``12.5k tok (11.2k in, 1.3k out) · $0.04 · 9 calls``."""
    total = prompt_tokens + completion_tokens
    return (f"{format_tokens(total)} tok ({format_tokens(prompt_tokens)} in, "
            f"{format_tokens(completion_tokens)} out) · {format_cost(cost)} · "
            f"{calls} call{'s' if calls != 1 else ''}")
