"""The evidence bundle of a finished run: what was asked, decided, changed and proven, built
from the run's events alone (so it is the same for a live run, a replay or a fork)."""

from __future__ import annotations

from typing import Any

from agents.events import RunEvent


def build_bundle(run_id: str, events: list[RunEvent]) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "run_id": run_id, "task": "", "models": {}, "branch": "", "commit": "", "status": "",
        "reason": "", "spec": None, "spec_edited": False, "reviews": [], "tests": [],
        "static_checks": None, "approvals": [], "steers": [], "policy": [],
        "committed_files": [], "rejected_hunks": [],
        "usage": {"model_calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost": 0.0},
    }
    usage = bundle["usage"]
    for e in events:
        p = e.payload
        if e.kind == "run_started":
            bundle.update(task=p.get("task", ""), models=p.get("models", {}),
                          base_commit=p.get("base_commit", ""))
        elif e.kind == "model_call":
            usage["model_calls"] += 1
            usage["prompt_tokens"] += int(p.get("prompt_tokens") or 0)
            usage["completion_tokens"] += int(p.get("completion_tokens") or 0)
            usage["cost"] = round(usage["cost"] + float(p.get("cost") or 0.0), 6)
        elif e.kind == "artifact":
            _artifact(bundle, p)
        elif e.kind == "approval_given" and p.get("gate") in ("spec", "final", "command"):
            bundle["approvals"].append({k: p.get(k) for k in ("gate", "decision", "comment", "by",
                                                              "rejected_hunks")})
            if p.get("gate") == "final":
                bundle["rejected_hunks"] = list(p.get("rejected_hunks") or [])
        elif e.kind == "steer":
            bundle["steers"].append({"text": p.get("text"), "target": p.get("target_role")})
        elif e.kind == "policy":
            bundle["policy"].append(p.get("message"))
        elif e.kind == "run_finished":
            bundle.update(status=p.get("status", ""), reason=p.get("reason", ""),
                          commit=p.get("commit", ""), branch=p.get("branch", ""))
    return bundle


def _artifact(bundle: dict[str, Any], p: dict[str, Any]) -> None:
    kind, data = p.get("type"), p.get("data")
    if kind == "spec":
        bundle["spec"], bundle["spec_edited"] = data, bool(p.get("edited"))
    elif kind == "review" and isinstance(data, dict):
        bundle["reviews"].append({"status": data.get("status"), "summary": data.get("summary"),
                                  "issues": data.get("issues", [])})
    elif kind == "test_result" and isinstance(data, dict):
        bundle["tests"].append({k: data.get(k) for k in ("status", "exit_code", "passed", "failed",
                                                         "errors", "skipped", "failed_tests",
                                                         "command", "log_artifact")})
    elif kind == "static_checks" and isinstance(data, dict):
        bundle["static_checks"] = data.get("output")
    elif kind == "patch" and isinstance(data, dict) and (p.get("final") or p.get("committed")):
        bundle["committed_files"] = list(data.get("files", []))
