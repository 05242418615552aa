"""The evidence bundle of a run: what was asked, decided, changed and proven. It is a view
of the folded run state, so it is the same for a live run, a replay or a fork."""

from __future__ import annotations

from typing import Any

from agents.run_state import RunState, Usage

_TEST_FIELDS = ("status", "exit_code", "passed", "failed", "errors", "skipped", "failed_tests",
                "command", "log_artifact")


def _usage(usage: Usage) -> dict[str, Any]:
    return {"model_calls": usage.model_calls, "turns": usage.turns,
            "tool_calls": usage.tool_calls, "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens, "cost": round(usage.cost, 6)}


def build_bundle(state: RunState, commit: str = "") -> dict[str, Any]:
    """``commit``: the commit being recorded (the events do not hold it yet)."""
    commit = commit or state.commit
    chosen = next((p for p in reversed(state.patches) if p.committed), None) or state.final_patch
    files = chosen.files if chosen and commit else []
    return {
        "run_id": state.run_id, "task": state.task, "mode": state.mode,
        "models": dict(state.models),
        "base_commit": state.base_commit, "branch": state.branch, "commit": commit,
        "status": state.status.value, "reason": state.finished_reason or state.parked_reason,
        "forked_from": state.forked_from, "fork_seq": state.fork_seq,
        "spec": state.spec.model_dump(mode="json") if state.spec else None,
        "spec_edited": state.spec_edited,
        "reviews": [{"status": r.status, "summary": r.summary,
                     "issues": [i.model_dump(mode="json") for i in r.issues]}
                    for r in state.reviews],
        "review_rounds": state.review_rounds, "test_repairs": state.test_repairs,
        "tests": [{k: getattr(t, k) for k in _TEST_FIELDS} for t in state.test_results],
        "static_checks": (state.static_checks or {}).get("output"),
        "approvals": [{"gate": a.gate, "decision": a.decision.value, "comment": a.comment,
                       "by": a.by, "rejected_hunks": list(a.rejected_hunks)}
                      for a in state.approvals],
        "steers": [{"text": text, "target": target} for text, target in state.steers],
        "policy": list(state.policy),
        "committed_files": list(files),
        "rejected_hunks": list(state.final_approval.rejected_hunks)
        if state.final_approval else [],
        "usage": _usage(state.usage),
        "usage_by_role": {role: _usage(u) for role, u in sorted(state.usage_by_role.items())},
        "usage_by_model": {m: _usage(u) for m, u in sorted(state.usage_by_model.items())},
    }
