"""What a run was started with; stored on the run so resume and fork rebuild the same engine."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from workbench.engine.budgets import Budgets


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

    @property
    def repo_path(self) -> Path:
        return Path(self.repo)

    def model_for(self, role: str) -> str:
        return self.role_models.get(role, self.model)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        data = json.loads(text or "{}")
        data["budgets"] = Budgets(**data.get("budgets", {}))
        return cls(**data)
