"""Hostile model replies: each is an OutputInvalid with a readable reason, never another
exception; the replies models really write still parse."""

from __future__ import annotations

import json
import time

import pytest
from autogen_core.tools import FunctionTool
from pydantic import BaseModel

from agents import contracts
from agents.contracts import FeatureSpec, ReviewResult, TestPlan
from agents.output import (
    MAX_REPLY_BYTES,
    OutputInvalid,
    cap_arguments,
    parse_contract,
    stored_arguments,
)
from agents.tool_guard import text_tool_call

OK = '{"status": "APPROVED", "summary": "fine"}'
OTHER = '{"status": "NEEDS_REVISION", "summary": "no"}'

# (reply, words the one error must hold)
HOSTILE: list[tuple[str, str]] = [
    ("status: APPROVED\nsummary: fine\n", "looks like YAML"),
    ("```yaml\nstatus: APPROVED\n```", "YAML is not accepted"),
    ("- status: APPROVED\n", "looks like YAML"),
    ("{status: APPROVED}", "invalid JSON"),
    ("{'status': 'APPROVED'}", "invalid JSON"),
    ('{"status": "APPROVED", "status": "NEEDS_REVISION"}', "duplicate key 'status'"),
    ('{"status": "APPROVED", "issues": [{"severity": "nit", "problem": "a", "problem": "b"}]}',
     "duplicate key 'problem'"),
    (OK + "\n" + OTHER, "more than one JSON object"),
    (OK + OK, "more than one JSON object"),
    (f"```json\n{OK}\n```\nor rather\n```json\n{OTHER}\n```", "2 different JSON objects"),
    ("[" + OK + "]", "an array, not a JSON object"),
    ("Here: [" + OK + ", " + OTHER + "]", "inside another JSON value"),
    ("```json\n[" + OK + "]\n```", "holds an array"),
    ('"APPROVED"', "no JSON object"),
    ("[" * 100_000 + "]" * 100_000, "nests deeper than 32"),
    ('{"status": "APPROVED", "summary": ' + '{"a": ' * 10_000 + "1" + "}" * 10_001,
     "nests deeper than 32"),
    ('{"a": ' * 40 + "1" + "}" * 40, "nests deeper than 32"),
    ('{"status": "APPROVED", "summary": "' + "x" * (2 << 20) + '"}', "over the 256 KiB limit"),
    (OK + " and that is my final answer", "text after the JSON object"),
    (OK + "\n```", "text after the JSON object"),
    ("```json\n" + OK + " trailing\n```", "text after the JSON object"),
    ('{"status": "APPROVED", "summary": NaN}', "NaN is not a JSON number"),
    ('{"status": "APPROVED", "line": Infinity}', "Infinity is not a JSON number"),
    ('{"status": "APPROVED", "summary": "a\x1bb"}', "Invalid control character"),
    ('{"status": "APPROVED", "summary": "\\u001b[2J\\u001b[H"}', "control character U+001B"),
    ('{"status": "APPROVED", "summary": "\\u009b31m"}', "control character U+009B"),
    ('{"status": "APPROVED", "summary": "\\ud800"}', "unpaired surrogate"),
    ('{"status": "APPROVED", "evil": true}', "evil: unknown field"),
    ('{"status": "APPROVED", "issues": [{"severity": "nit", "problem": "p", "x": 1}]}',
     "issues.0.x: unknown field"),
    ('{"status": "MAYBE"}', "status: Input should be"),
    ('{"status": "APPROVED", "issues": [{"severity": "nit", "problem": "p", "line": '
     + "9" * 5000 + "}]}", "invalid JSON: Exceeds the limit"),
    ("", "the reply is empty"),
    ("   \n\t", "the reply is empty"),
    ('{"status": "APPROVED"', "invalid JSON"),
    ("{" * 60, "nests deeper than 32"),
    ("{" * 10, "invalid JSON"),
    ("```json\n{\"status\": \n```", "the fenced block: invalid JSON"),
    ("\x00" * 10, "no JSON object"),
]
VALID = [
    OK,
    "Here is my review:\n" + OK,
    "I looked at {the diff} carefully.\n" + OK,
    "Review below.\n```json\n" + OK + "\n```\nThanks, that is all.",
    "```\n" + OK + "\n```",
    "```JSON\n" + OK + "\n```",
    f"```json\n{OK}\n```\nSame again:\n```json\n{OK}\n```",
    '```json\n{"status": "APPROVED", "summary": "see ```code``` here"}\n```',
    "```json\n" + OK,  # the closing fence left out
    "```python\nprint('{not json}')\n```\n```json\n" + OK + "\n```",
    '{"status": "APPROVED", "summary": "tab\\tand\\nnewline"}',
    "  \n" + OK + "\n\n",
]


@pytest.mark.parametrize(("reply", "reason"), HOSTILE, ids=[repr(r)[:40] for r, _ in HOSTILE])
def test_hostile_replies_are_invalid_with_a_readable_reason(reply: str, reason: str) -> None:
    started = time.monotonic()
    with pytest.raises(OutputInvalid) as info:
        parse_contract(reply, ReviewResult)
    assert time.monotonic() - started < 2.0
    assert info.value.contract == "ReviewResult"
    assert any(reason in e for e in info.value.errors), info.value.errors
    assert all(len(e) < 400 and "\n" not in e for e in info.value.errors)


def test_the_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 25


@pytest.mark.parametrize("reply", VALID, ids=[repr(r)[:40] for r in VALID])
def test_the_replies_models_really_write_still_parse(reply: str) -> None:
    assert parse_contract(reply, ReviewResult).status == "APPROVED"


@pytest.mark.parametrize("thing", [None, 42, b'{"status": "APPROVED"}', ["x"]])
def test_a_reply_that_is_not_text_is_invalid(thing: object) -> None:
    with pytest.raises(OutputInvalid, match="not text"):
        parse_contract(thing, ReviewResult)  # type: ignore[arg-type]


def test_a_validator_that_fails_oddly_is_still_a_retry() -> None:
    # TestPlan's command validator splits a string; a broken quote is its own ValueError.
    with pytest.raises(OutputInvalid) as info:
        parse_contract('{"command": "pytest \\"unclosed"}', TestPlan)
    assert info.value.errors and info.value.errors[0].startswith("command: ")


def test_a_reply_at_the_size_limit_still_parses() -> None:
    summary = "x" * (MAX_REPLY_BYTES - 100)
    reply = json.dumps({"status": "APPROVED", "summary": summary})
    assert parse_contract(reply, ReviewResult).summary == summary


def test_unknown_fields_name_what_the_contract_has() -> None:
    with pytest.raises(OutputInvalid) as info:
        parse_contract('{"feature_id": "F", "summry": "typo"}', FeatureSpec)
    unknown = next(e for e in info.value.errors if e.startswith("summry:"))
    assert "unknown field" in unknown and "summary" in unknown


def test_every_contract_refuses_fields_it_does_not_define() -> None:
    models = [m for m in vars(contracts).values()
              if isinstance(m, type) and issubclass(m, BaseModel) and m is not BaseModel]
    assert len(models) >= 7
    assert {m.__name__ for m in models if m.model_config.get("extra") != "forbid"} == set()


def test_tool_arguments_are_capped_for_events() -> None:
    content = "y" * (1 << 20)
    raw = json.dumps({"path": "a.py", "content": content})
    stored = stored_arguments(raw, limit=1000)
    assert stored["path"] == "a.py" and stored["_truncated"] == len(content) - 1000
    assert stored["content"].startswith("y" * 1000) and stored["content"].endswith(
        f"[truncated {len(content) - 1000} more characters]")
    assert len(json.dumps(stored)) < 1200
    small = json.dumps({"path": "a.py", "content": "x = 1\n"})
    assert stored_arguments(small) == {"path": "a.py", "content": "x = 1\n"}
    garbage = "{" * 100_000
    cut = stored_arguments(garbage, limit=500)
    assert cut["_truncated"] == 100_000 - 500 and len(cut["_raw"]) < 600
    assert stored_arguments("") == {}
    assert stored_arguments('{"a": 1, "a": 2}') == {"_raw": '{"a": 1, "a": 2}'}
    assert cap_arguments("abc", 5) == "abc"
    assert cap_arguments("abcdef", 3) == "abc … [truncated 3 more characters]"


def _open_file(path: str) -> str:
    return path


@pytest.mark.parametrize(("reply", "reason"), HOSTILE, ids=[repr(r)[:40] for r, _ in HOSTILE])
def test_the_hint_a_validation_retry_adds_never_raises(reply: str, reason: str) -> None:
    # The engine asks, for a reply of a role with tools, whether it wrote a tool call as
    # text before it sends the errors back; that check must not crash on the reply either.
    tools = [FunctionTool(_open_file, description="open a file")]
    assert text_tool_call(reply, tools, tuple(TestPlan.model_fields)) is None
