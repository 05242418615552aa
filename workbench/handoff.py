"""A run's result in the shapes other systems take: a pull-request body, the webhook JSON, a
Teams Adaptive Card 1.5 and a Slack Block Kit message for an approval request.

Everything is built from the evidence bundle (``workbench.engine.evidence_bundle``), which is
masked like every stored text; nothing here reads the worktree.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("pr-body", "json", "webhook", "teams", "slack")
READY = "READY_FOR_REVIEW"
NO_SUMMARY = "(no summary)"
# Block Kit's documented limits, in characters
SLACK_SECTION_TEXT = 3000
SLACK_FIELD_TEXT = 2000
SLACK_FALLBACK_TEXT = 300


def _status(bundle: dict[str, Any]) -> str:
    return READY if bundle.get("status") == "APPROVED" else str(bundle.get("status"))


def _last_tests(bundle: dict[str, Any]) -> dict[str, Any] | None:
    tests = bundle.get("tests") or []
    return tests[-1] if tests else None


def _tests_line(bundle: dict[str, Any]) -> str:
    t = _last_tests(bundle)
    if t is None:
        return "no tests ran"
    return (f"{t['status']}: {t['passed']} passed, {t['failed']} failed, {t['errors']} errors "
            f"(`{' '.join(t.get('command') or [])}`)")


def _review_line(bundle: dict[str, Any]) -> str:
    reviews = bundle.get("reviews") or []
    if not reviews:
        return "no review"
    last = reviews[-1]
    return f"{last['status']} after {len(reviews)} review(s): {last['summary']}"


def summary(bundle: dict[str, Any]) -> str:
    spec = bundle.get("spec") or {}
    if spec.get("summary"):
        return str(spec["summary"])
    task = str(bundle.get("task") or "").strip()
    return task.splitlines()[0] if task else ""


def pr_body(bundle: dict[str, Any]) -> str:
    spec = bundle.get("spec") or {}
    usage = bundle.get("usage") or {}
    passed = (_last_tests(bundle) or {}).get("status") == "passed"
    lines = [f"## {spec.get('feature_id', 'Change')}: {summary(bundle)}", ""]
    if spec:
        lines += [f"Risk: **{spec.get('risk_level', '?')}**", "", "### Acceptance criteria", ""]
        mark = "x" if passed else " "
        lines += [f"- [{mark}] {c}" for c in spec.get("acceptance_criteria", [])]
        lines += ["", "_Checked: the tests below passed._" if passed
                  else "_Not proven: the tests did not pass._", ""]
        if spec.get("out_of_scope"):
            lines += ["### Out of scope", ""] + [f"- {c}" for c in spec["out_of_scope"]] + [""]
    lines += ["### Review", "", _review_line(bundle), ""]
    lines += ["### Tests", "", _tests_line(bundle), ""]
    files = bundle.get("committed_files") or []
    if files:
        lines += ["### Changed files", ""] + [f"- `{f}`" for f in files] + [""]
    changes = bundle.get("changed_functions") or []
    if changes:
        lines += ["### Changed functions", ""] + [f"- {c}" for c in changes] + [""]
    approvals = bundle.get("approvals") or []
    if approvals:
        lines += ["### Approvals", ""] + [
            f"- {a['gate']}: {a['decision']} by {a['by']}" + (f" ({a['comment']})"
                                                             if a.get("comment") else "")
            for a in approvals] + [""]
    lines += [f"Cost: ${float(usage.get('cost') or 0):.4f}, "
              f"{int(usage.get('prompt_tokens') or 0) + int(usage.get('completion_tokens') or 0):,}"
              f" tokens, {usage.get('model_calls', 0)} model calls.", "",
              f"Workbench run `{bundle.get('run_id')}` · branch `{bundle.get('branch')}` · "
              f"commit `{(bundle.get('commit') or '')[:12]}`"]
    return "\n".join(lines) + "\n"


def webhook(bundle: dict[str, Any], repository: str) -> dict[str, Any]:
    return {"run_id": bundle.get("run_id"), "repository": repository,
            "branch": bundle.get("branch"), "commit": bundle.get("commit"),
            "status": _status(bundle), "summary": summary(bundle), "evidence": bundle}


def _facts(bundle: dict[str, Any]) -> list[tuple[str, str]]:
    spec = bundle.get("spec") or {}
    files = bundle.get("committed_files") or []
    return [("Status", _status(bundle)), ("Risk", str(spec.get("risk_level", "?"))),
            ("Files", ", ".join(files)[:300] or "none"), ("Tests", _tests_line(bundle)),
            ("Review", _review_line(bundle)[:300]), ("Run", str(bundle.get("run_id")))]


def teams_card(bundle: dict[str, Any], action_url: str = "") -> dict[str, Any]:
    """An Adaptive Card 1.5 asking for a decision; each button posts {run_id, decision}."""
    rid = bundle.get("run_id")
    actions = [{"type": "Action.Submit", "title": title,
                "data": {"run_id": rid, "decision": decision, "action_url": action_url}}
               for title, decision in (("Approve", "approve"),
                                       ("Request changes", "request_changes"),
                                       ("Reject", "reject"))]
    return {"type": "AdaptiveCard", "version": "1.5",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "body": [{"type": "TextBlock", "text": "Workbench: approval requested",
                      "weight": "Bolder", "size": "Medium"},
                     {"type": "TextBlock", "text": summary(bundle) or NO_SUMMARY,
                      "wrap": True},
                     {"type": "FactSet", "facts": [{"title": k, "value": v}
                                                   for k, v in _facts(bundle)]}],
            "actions": actions}


def _mrkdwn(text: str, limit: int) -> str:
    """``text`` for a Slack mrkdwn field: &, < and > escaped (so a task's ``<!channel>`` stays
    text and mentions nobody), cut to ``limit`` characters without splitting an escape."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if len(escaped) <= limit:
        return escaped
    cut = escaped[:limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def slack_message(bundle: dict[str, Any]) -> dict[str, Any]:
    """Block Kit blocks asking for a decision; each button's value is ``decision:run_id``.
    Texts from the run are escaped and kept within Slack's limits."""
    rid = bundle.get("run_id")
    what = summary(bundle) or NO_SUMMARY
    fields = [{"type": "mrkdwn",
               "text": f"*{k}*\n" + _mrkdwn(v, SLACK_FIELD_TEXT - len(k) - 3)}
              for k, v in _facts(bundle)]
    buttons = [{"type": "button", "text": {"type": "plain_text", "text": title},
                "action_id": f"workbench_{decision}", "value": f"{decision}:{rid}",
                **({"style": style} if style else {})}
               for title, decision, style in (("Approve", "approve", "primary"),
                                              ("Request changes", "request_changes", ""),
                                              ("Reject", "reject", "danger"))]
    return {"text": _mrkdwn(f"Workbench: approval requested for {what}", SLACK_FALLBACK_TEXT),
            "blocks": [{"type": "header", "text": {"type": "plain_text",
                                                    "text": "Workbench: approval requested"}},
                       {"type": "section", "text": {"type": "mrkdwn",
                                                    "text": _mrkdwn(what, SLACK_SECTION_TEXT)}},
                       {"type": "section", "fields": fields[:10]},
                       {"type": "actions", "elements": buttons}]}


def render(fmt: str, bundle: dict[str, Any], repository: str) -> str | dict[str, Any]:
    if fmt == "pr-body":
        return pr_body(bundle)
    if fmt == "json":
        return bundle
    if fmt == "webhook":
        return webhook(bundle, repository)
    if fmt == "teams":
        return teams_card(bundle)
    if fmt == "slack":
        return slack_message(bundle)
    raise ValueError(f"unknown format {fmt!r} ({', '.join(FORMATS)})")
