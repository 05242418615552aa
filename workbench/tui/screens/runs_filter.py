"""The run list's columns and filters: pure functions of the runs and the terminal width."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from workbench.store import RunRecord

STATUS_FILTERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("all", frozenset()),
    ("live", frozenset({"PENDING", "RUNNING"})),
    ("needs you", frozenset({"WAITING_FOR_APPROVAL", "NEEDS_HUMAN_REVIEW", "INTERRUPTED",
                             "WAITING"})),
    ("approved", frozenset({"APPROVED"})),
    ("failed", frozenset({"FAILED", "BLOCKED_BY_POLICY", "REJECTED"})),
)
"""What ``s`` cycles through: a name and the statuses it keeps (none: every run)."""


@dataclass(frozen=True)
class Layout:
    compact: bool
    task: int
    repo: int
    """0: no repo or tokens column (narrow terminal; the detail line names both)."""

    @property
    def status(self) -> int:
        return 10 if self.compact else 14

    @property
    def started(self) -> int:
        return 11 if self.compact else 16


TIME_WIDTH = 7
"""The Time column: a clock up to ``9:59:59``, as the status bar writes it."""


def repo_label(repo: str, compact: bool) -> str:
    """The repo as shown: its directory name when space is short, else the whole path."""
    return PurePath(repo).name or repo if compact else repo


def plan_layout(width: int, repos: list[str]) -> Layout:
    """Column widths for a table ``width`` cells wide: the task gets most of what is left;
    under 100 columns the repo and tokens columns give way to it."""
    compact = width < 120
    narrow = width < 100
    columns = 5 if narrow else 7
    fixed = (10 if compact else 14) + (11 if compact else 16) + TIME_WIDTH + 6 + (
        0 if narrow else 6)
    free = max(20, width - 2 - 2 * columns - fixed)  # vertical scrollbar, cell padding
    if narrow:
        return Layout(compact=True, task=free, repo=0)
    longest = max((len(repo_label(repo, compact)) for repo in repos), default=4)
    repo = max(4, min(longest, max(9, free * 2 // 5)))
    return Layout(compact=compact, task=free - repo, repo=repo)


def matches(run: RunRecord, text: str, statuses: frozenset[str]) -> bool:
    """Whether the run passes the filters: every word of ``text`` (any case) in its task,
    run id or repo, and its status among ``statuses`` (empty: any)."""
    if statuses and run.status not in statuses:
        return False
    haystack = f"{run.task}\n{run.run_id}\n{run.repo}".casefold()
    return all(word in haystack for word in text.casefold().split())
