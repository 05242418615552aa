"""Agent replies holding a known contract become readable cards; anything else stays raw."""

from __future__ import annotations

import json

from widgets.conversation_cards import RAW_HINT, message_card


def _plain(text: str) -> str:
    card = message_card(text)
    assert card is not None, text
    return card.plain


def test_a_spec_reply_lists_its_criteria_as_a_checklist() -> None:
    spec = {"feature_id": "F-1", "summary": "Add x", "risk_level": "high",
            "in_scope": ["x()"], "acceptance_criteria": ["x() returns 1", "x(-1) raises"],
            "open_questions": ["which unit?"]}
    plain = _plain(f"Here it is:\n```json\n{json.dumps(spec)}\n```")
    assert plain.splitlines()[:2] == ["spec F-1 · risk high", "Add x"]
    assert "☐ x() returns 1\n☐ x(-1) raises" in plain
    assert "? which unit?" in plain
    assert plain.endswith(RAW_HINT)


def test_a_review_lists_issues_with_severity_place_and_fix() -> None:
    review = {"status": "NEEDS_REVISION", "summary": "One bug.", "issues": [
        {"severity": "major", "file": "a.py", "line": 3, "problem": "off by one",
         "recommended_fix": "use <="},
        {"severity": "minor", "problem": "naming"}]}
    plain = _plain(json.dumps(review))
    assert plain.splitlines()[0] == "review NEEDS_REVISION · 2 issues"
    assert "● major · a.py:3\n│ off by one\n│ fix: use <=" in plain
    assert "● minor\n│ naming" in plain


def test_prose_other_json_and_broken_json_stay_raw() -> None:
    assert message_card("The docstring now documents the tie order.") is None
    assert message_card('{"status": "passed", "exit_code": 0}') is None
    assert message_card('{"feature_id": "F-1", "summary": ') is None
    assert message_card('{"a": 1} and {"b": 2}') is None
