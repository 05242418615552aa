"""Upgrades of stored event payloads to the current schema.

Version 1 (Workbench 0.1.0) stored free-form payload dicts. Version 2 differs in:

- ``phase_changed``: the active role moved from ``role`` to ``active_role``;
- parking at a gate was ``run_finished`` with status ``WAITING_FOR_APPROVAL``; it is now its
  own kind, ``run_parked``, so a parked run never reads as finished;
- ``artifact``: bodies (``patch`` diffs, ``log`` text, ``agent_state``, ``evidence``) were kept
  both in the event and in the artifacts table; they are now only in the table (the event
  keeps the id, and a patch's file list and summary);
- keys that no class declares are dropped (the classes forbid unknown fields).

The store rewrites every older row through :func:`upgrade_payload` once, in one transaction,
when it opens a store of an older version; reading also upgrades rows on the fly.
"""

from __future__ import annotations

import re
from typing import Any

_BODY_TYPES = frozenset({"patch", "log", "agent_state", "evidence"})
_GATE_RE = re.compile(r"at the (\w+) gate")

_V2_FIELDS: dict[str, frozenset[str]] = {
    "run_started": frozenset({"task", "repo", "model", "models", "scripted", "branch", "budgets",
                              "worktree", "base_commit", "forked_from", "fork_seq"}),
    "phase_changed": frozenset({"phase", "active_role", "cycle"}),
    "model_call": frozenset({"model", "prompt_tokens", "completion_tokens", "latency_ms",
                             "cost", "streamed", "finish_reason", "error"}),
    "agent_message": frozenset({"content", "turn", "task", "thought"}),
    "tool_call": frozenset({"name", "arguments", "call_id"}),
    "tool_result": frozenset({"name", "call_id", "content", "is_error"}),
    "artifact": frozenset({"type", "artifact_id", "data", "files", "summary_text", "round",
                           "final", "committed", "edited", "after_hunk_rejection",
                           "rejected_hunks"}),
    "approval_requested": frozenset({"gate", "message"}),
    "approval_given": frozenset({"gate", "decision", "comment", "spec", "rejected_hunks", "by"}),
    "steer": frozenset({"text", "target_role", "review_comment"}),
    "budget": frozenset({"name", "used", "limit"}),
    "error": frozenset({"message", "tool", "errors", "attempt", "contract"}),
    "policy": frozenset({"message", "tool", "path", "argv"}),
    "run_parked": frozenset({"gate", "reason"}),
    "run_finished": frozenset({"status", "reason", "commit", "branch"}),
}


def _v1_to_v2(kind: str, p: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    p = dict(p)
    if kind == "phase_changed":
        p["active_role"] = p.pop("role", None)
    elif kind == "run_finished" and p.get("status") == "WAITING_FOR_APPROVAL":
        reason = str(p.get("reason") or "")
        match = _GATE_RE.search(reason)
        kind, p = "run_parked", {"gate": match.group(1) if match else "", "reason": reason}
    elif kind == "artifact" and p.get("type") in _BODY_TYPES:
        data = p.pop("data", None)
        if p.get("type") == "patch" and isinstance(data, dict):
            p["files"] = [str(f) for f in data.get("files") or []]
            p["summary_text"] = str(data.get("summary") or "")
            p["rejected_hunks"] = [str(h) for h in data.get("rejected_hunks") or []]
    elif kind == "tool_result" and not isinstance(p.get("content"), str):
        p["content"] = str(p.get("content", ""))
    for key in ("comment", "message", "reason", "text"):
        if key in p and p[key] is None:
            p[key] = ""
    allowed = _V2_FIELDS.get(kind)
    if allowed is not None:
        p = {k: v for k, v in p.items() if k in allowed}
    return kind, p


def upgrade_payload(kind: str, payload: dict[str, Any], version: int) -> tuple[str, dict[str, Any]]:
    """``(kind, payload)`` of a row written at schema ``version``, in the current shape."""
    if version <= 1:
        kind, payload = _v1_to_v2(kind, payload)
    return kind, payload
