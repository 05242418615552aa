"""Per-run budgets: turns, review rounds, test repairs, tool calls, tokens and cost.

What a run has used is folded from its events (:class:`agents.run_state.RunState`), so the
budgets continue exactly across resume and fork.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from agents.run_state import RunState


@dataclass
class Budgets:
    max_turns: int = 40
    max_review_rounds: int = 3
    max_test_repairs: int = 2
    max_tool_calls: int = 60
    max_tokens: int = 200_000
    max_cost: float = 5.0
    max_validation_retries: int = 2

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Budgets:
        """Known fields only (a store may hold budgets of another version)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


class BudgetExceeded(RuntimeError):
    def __init__(self, name: str, used: float, limit: float) -> None:
        super().__init__(f"budget exceeded: {name} {used:g}/{limit:g}")
        self.name = name


def check_budgets(state: RunState, budgets: Budgets) -> None:
    """Raise :class:`BudgetExceeded` for the first budget the run has gone over."""
    usage = state.usage
    for name, used, limit in (
        ("turns", usage.turns, budgets.max_turns),
        ("tool_calls", usage.tool_calls, budgets.max_tool_calls),
        ("tokens", usage.tokens, budgets.max_tokens),
        ("cost", usage.cost, budgets.max_cost),
    ):
        if used > limit:
            raise BudgetExceeded(name, used, limit)
