"""Per-run budgets: turns, review rounds, tool calls, tokens and cost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class Budgets:
    max_turns: int = 40
    max_review_rounds: int = 3
    max_tool_calls: int = 60
    max_tokens: int = 200_000
    max_cost: float = 5.0
    max_validation_retries: int = 2

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


class BudgetExceeded(RuntimeError):
    def __init__(self, name: str, used: float, limit: float) -> None:
        super().__init__(f"budget exceeded: {name} {used:g}/{limit:g}")
        self.name = name


@dataclass
class BudgetTracker:
    budgets: Budgets
    on_change: Callable[[str, float, float], None] = lambda name, used, limit: None
    used: dict[str, float] = field(
        default_factory=lambda: {"turns": 0, "tool_calls": 0, "tokens": 0, "cost": 0.0}
    )

    def _limit(self, name: str) -> float:
        return {
            "turns": self.budgets.max_turns,
            "tool_calls": self.budgets.max_tool_calls,
            "tokens": self.budgets.max_tokens,
            "cost": self.budgets.max_cost,
        }[name]

    def charge(self, name: str, amount: float = 1) -> None:
        """Record use; overruns surface at the next :meth:`check` (never mid model call)."""
        self.used[name] = self.used.get(name, 0) + amount
        self.on_change(name, self.used[name], self._limit(name))

    def check(self) -> None:
        for name, used in self.used.items():
            limit = self._limit(name)
            if used > limit:
                raise BudgetExceeded(name, used, limit)
