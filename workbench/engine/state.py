"""Engine state rebuilt from stored events: where a run stopped and what it had produced."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from agents.contracts import Approval, FeatureSpec
from agents.events import RunEvent


@dataclass
class ResumePoint:
    """What resume needs: the latest spec, the gate decisions and the model-call counts."""

    started: bool = False
    spec: FeatureSpec | None = None
    spec_approval: Approval | None = None
    final_diff: str | None = None
    final_approval: Approval | None = None
    pending_gate: str | None = None
    finished_status: str | None = None
    calls_by_role: Counter[str] = field(default_factory=Counter)
    calls_at_checkpoint: dict[str, int] = field(default_factory=dict)
    review_rounds: int = 0
    agent_states: dict[str, Any] = field(default_factory=dict)
    last_seq: int = 0


def _approval(payload: dict[str, Any]) -> Approval:
    data = {k: payload.get(k) for k in ("gate", "decision", "comment", "spec", "rejected_hunks")}
    data = {k: v for k, v in data.items() if v is not None}
    data["by"] = str(payload.get("by", "human"))
    return Approval.model_validate(data)


def resume_point(events: list[RunEvent]) -> ResumePoint:
    point = ResumePoint()
    for event in events:
        point.last_seq = event.seq
        p = event.payload
        if event.kind == "run_started":
            point.started = True
        elif event.kind == "model_call":
            point.calls_by_role[event.role] += 1
        elif event.kind == "artifact" and p.get("type") == "spec":
            point.spec = FeatureSpec.model_validate(p["data"])
            point.spec_approval = None
        elif event.kind == "artifact" and p.get("type") == "patch" and p.get("final"):
            point.final_diff = str(p["data"]["diff"])
            point.final_approval = None
        elif event.kind == "artifact" and p.get("type") == "agent_state":
            point.agent_states = dict(p["data"].get("states", {}))
        elif event.kind == "artifact" and p.get("type") == "review":
            point.review_rounds += 1
        elif event.kind == "approval_requested" and p.get("gate") in ("spec", "final"):
            point.pending_gate = str(p["gate"])
        elif event.kind == "approval_given" and p.get("gate") in ("spec", "final"):
            approval = _approval(p)
            if approval.gate == "spec":
                point.spec_approval = approval
                if approval.spec is not None:
                    point.spec = approval.spec
            else:
                point.final_approval = approval
            point.pending_gate = None
            point.calls_at_checkpoint = dict(point.calls_by_role)
        elif event.kind == "run_finished":
            point.finished_status = str(p.get("status"))
    return point
