"""Run events: the single source of truth for live view, replay, resume and fork.

Events are tagged pydantic models (``kind`` is the tag) that round-trip through the store
with :meth:`RunEvent.dump` and :func:`load_event`, so replay renders exactly what live rendered.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal

from pydantic import BaseModel, Field

EventKind = Literal[
    "run_started",
    "phase_changed",
    "model_call",
    "model_chunk",
    "agent_message",
    "tool_call",
    "tool_result",
    "artifact",
    "approval_requested",
    "approval_given",
    "steer",
    "budget",
    "error",
    "policy",
    "run_finished",
]

EVENT_KINDS: tuple[str, ...] = EventKind.__args__  # type: ignore[attr-defined]


class RunEvent(BaseModel):
    """One row of the append-only events table."""

    run_id: str
    seq: int = 0
    ts: float = Field(default_factory=time.time)
    kind: EventKind
    role: str = "system"
    payload: dict[str, Any] = Field(default_factory=dict)

    def dump(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "seq": self.seq,
            "ts": self.ts,
            "kind": self.kind,
            "role": self.role,
            "payload": json.dumps(self.payload, sort_keys=True, default=str),
        }

    def summary(self) -> str:
        """A one-line human description, used by lists and the CLI."""
        p = self.payload
        match self.kind:
            case "phase_changed":
                return f"phase -> {p.get('phase')}"
            case "model_call":
                return (
                    f"{p.get('model')} {p.get('prompt_tokens')}+{p.get('completion_tokens')} tok "
                    f"{p.get('latency_ms', 0):.0f} ms"
                )
            case "agent_message":
                return str(p.get("content", ""))[:120].replace("\n", " ")
            case "tool_call":
                return f"{p.get('name')}({str(p.get('arguments', ''))[:80]})"
            case "tool_result":
                flag = "error: " if p.get("is_error") else ""
                return f"{p.get('name')} -> {flag}{str(p.get('content', ''))[:80]}".replace(
                    "\n", " "
                )
            case "artifact":
                return f"{p.get('type')} #{p.get('artifact_id')}"
            case "run_finished":
                return f"{p.get('status')}: {p.get('reason', '')}"
            case "error" | "policy":
                return str(p.get("message", ""))
            case _:
                return json.dumps(p, default=str)[:120]


def load_event(row: dict[str, Any]) -> RunEvent:
    payload = row.get("payload") or "{}"
    data = dict(row)
    data["payload"] = json.loads(payload) if isinstance(payload, str) else payload
    data.pop("id", None)
    return RunEvent.model_validate(data)


# Payload conventions, per kind (the engine writes them; views read them):
#   run_started      {task, repo, model, models: {role: label}, scripted, branch, budgets}
#   phase_changed    {phase, role}                       role = the active agent role, if any
#   model_call       {model, prompt_tokens, completion_tokens, latency_ms, cost, streamed,
#                     finish_reason, error}
#   model_chunk      {text}                              live only: streamed text, never stored
#   agent_message    {content, turn, task}               final text of one turn; task = its input
#   tool_call        {name, arguments: {...}, call_id}
#   tool_result      {name, call_id, content, is_error}
#   artifact         {type, artifact_id, data}           type: spec | patch | review | test_plan |
#                                                        test_result | static_checks | log;
#                                                        data = the contract's dict (not for log)
#   approval_requested {gate, message}                   gate: spec | final | command | step
#   approval_given   {gate, decision, comment, spec, rejected_hunks}
#   steer            {text, target_role}
#   budget           {name, used, limit}
#   error            {message}
#   policy           {message, tool, path, argv}
#   run_finished     {status, reason, commit, branch}
TRANSIENT_KINDS: frozenset[str] = frozenset({"model_chunk"})
