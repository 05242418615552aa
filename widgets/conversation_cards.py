"""Readable cards for the contracts agents answer with (spec, review, test plan).

An agent's reply that is one of these JSON objects is drawn as a card: the spec's acceptance
criteria as a checklist, a review's issues with severity, file:line and fix. The raw reply
stays one key away (the item's details). Replies that are not a known contract are drawn
as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from textual.content import Content

from agents.strict_json import JsonRefused, one_object

MAX_CARD_INPUT = 64 * 1024
"""Longer replies are drawn raw: a card is for reading, not for a dump."""
RAW_HINT = "▸ enter: raw JSON"


def _texts(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if value else []


def _heading(text: str) -> Content:
    return Content.styled(text, "bold")


def _list(title: str, values: Any, bullet: str = "•") -> list[Content]:
    items = _texts(values)
    if not items:
        return []
    return [_heading(title), *(Content(f"{bullet} {v}") for v in items)]


def _spec(data: dict[str, Any]) -> list[Content]:
    head = Content.assemble(("spec ", "bold"), (str(data.get("feature_id", "")), "bold"),
                            f" · risk {data.get('risk_level', '?')}")
    return [head, Content(str(data.get("summary", ""))),
            *_list("Acceptance criteria", data.get("acceptance_criteria"), "☐"),
            *_list("In scope", data.get("in_scope")),
            *_list("Out of scope", data.get("out_of_scope")),
            *_list("Open questions", data.get("open_questions"), "?")]


_SEVERITY_STYLE = {"blocker": "bold $text-error", "critical": "bold $text-error",
                   "major": "$text-error", "minor": "$text-warning"}


def _issue(issue: Any) -> list[Content]:
    if not isinstance(issue, dict):
        return [Content(f"● {issue}")]
    severity = str(issue.get("severity", "?"))
    where = str(issue.get("file", ""))
    if where and issue.get("line") is not None:
        where += f":{issue['line']}"
    lines = [Content.assemble("● ", (severity, _SEVERITY_STYLE.get(severity, "")),
                              f" · {where}" if where else "",
                              f" · {issue['category']}" if issue.get("category") else "")]
    lines.append(Content(f"│ {issue.get('problem', '')}"))
    if issue.get("recommended_fix"):
        lines.append(Content(f"│ fix: {issue['recommended_fix']}"))
    return lines


def _review(data: dict[str, Any]) -> list[Content]:
    found = data.get("issues")
    issues: list[Any] = found if isinstance(found, list) else []
    status = str(data.get("status", ""))
    style = "bold $text-success" if status == "APPROVED" else "bold $text-warning"
    count = f" · {len(issues)} issue{'s' if len(issues) != 1 else ''}" if issues else ""
    lines = [Content.assemble(("review ", "bold"), (status, style), count)]
    if data.get("summary"):
        lines.append(Content(str(data["summary"])))
    for issue in issues:
        lines += _issue(issue)
    return lines


def _test_plan(data: dict[str, Any]) -> list[Content]:
    command = data.get("command")
    shown = " ".join(command) if isinstance(command, list) else str(command or "")
    return [Content.assemble(("test plan", "bold"), f" · {shown}" if shown else ""),
            *_list("Targets", data.get("targets")),
            *_list("New tests", data.get("new_tests"), "+"),
            *_list("Existing tests first", data.get("focus_tests"))]


def _drawer(data: dict[str, Any]) -> Callable[[dict[str, Any]], list[Content]] | None:
    keys = data.keys()
    if {"feature_id", "summary", "acceptance_criteria"} <= keys:
        return _spec
    if data.get("status") in ("APPROVED", "NEEDS_REVISION"):
        return _review
    if {"new_tests", "command"} <= keys or {"targets", "focus_tests"} <= keys:
        return _test_plan
    return None


@lru_cache(maxsize=512)
def message_card(text: str) -> Content | None:
    """The card for an agent reply holding a known contract, or None to draw it raw."""
    if "{" not in text or len(text) > MAX_CARD_INPUT:
        return None
    try:
        data = one_object(text, "reply")
    except (JsonRefused, RecursionError, ValueError):
        return None
    draw = _drawer(data)
    if draw is None:
        return None
    return Content("\n").join([*draw(data), Content.styled(RAW_HINT, "dim")])
