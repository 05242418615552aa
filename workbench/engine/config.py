"""What a run was started with; stored on the run so resume and fork rebuild the same engine."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from workbench.engine.budgets import Budgets
from workbench.models.settings import CallSettings

DEFAULT_HIGH_RISK = (
    "auth", "auth.*", "auth_*", "*_auth", "*_auth.*", "authentication*", "authorization*",
    "infra", "infrastructure", "migrations", "payment", "payments", "payment_*", "billing",
    ".github/workflows/*",
)
"""Patterns with a ``/`` match the path from the repository root; the others match any one
component (a directory, or a file name)."""


@dataclass
class RunConfig:
    task: str
    repo: str
    model: str = "scripted:demo"
    role_models: dict[str, str] = field(default_factory=dict)
    base_url: str | None = None
    auto_approve: bool = False
    step_mode: bool = False
    budgets: Budgets = field(default_factory=Budgets)
    timeout_s: float = 300.0
    extra_allowed: list[list[str]] = field(default_factory=list)
    calls: CallSettings = field(default_factory=CallSettings)
    model_settings: dict[str, Any] = field(default_factory=dict)
    """The config's model section when the run was created (routing rule, named models);
    empty: every role uses ``model_for`` as given."""
    pinned_models: dict[str, str] = field(default_factory=dict)
    """Models the user pinned with flags (``*``: --model), which routing never overrides."""
    blocking_severities: list[str] = field(default_factory=lambda: ["blocker", "major"])
    """Review issues of these severities send the change back to the developer; the others
    reach the final gate as notes."""
    high_risk_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_HIGH_RISK))
    """A final patch touching these paths needs a human approval that names them."""
    allow_high_risk: bool = False
    """``--allow-high-risk``: auto-approve may pass high-risk paths too."""
    sandbox: dict[str, Any] = field(default_factory=dict)
    """The config's sandbox section when the run was created (backend, image, limits);
    empty: the defaults (``auto``: bwrap where it works, else the local runner)."""
    mcp: list[dict[str, Any]] = field(default_factory=list)
    """The config's MCP servers when the run was created, so a resume offers the same tools."""
    mode: str = "pipeline"
    """``pipeline`` (fixed order) or ``group`` (an AutoGen SelectorGroupChat chooses who
    speaks next where more than one role could act)."""

    @property
    def repo_path(self) -> Path:
        return Path(self.repo)

    def model_for(self, role: str) -> str:
        return self.role_models.get(role, self.model)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        """The config stored on a run; unknown keys (another version's) are left out and a
        malformed config is a one-line :class:`ValueError`."""
        try:
            data = json.loads(text or "{}")
        except json.JSONDecodeError as exc:
            raise ValueError(f"the run's stored config is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("task"), str):
            raise ValueError("the run's stored config has no task")
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        known["budgets"] = Budgets.from_dict(dict(data.get("budgets") or {}))
        known["calls"] = CallSettings.from_dict(dict(data.get("calls") or {}))
        try:
            return cls(**known)
        except TypeError as exc:
            raise ValueError(f"the run's stored config is incomplete: {exc}") from None
