"""Only blocking review issues send a change back; rounds are counted for what happened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents.contracts import RunStatus
from workbench.engine.runner import create_pipeline
from workbench.engine.team import TOOL_ITERATIONS
from workbench.engine.turns import TOOL_CAP_NOTE
from workbench.store import RunStore

from .conftest import config_for, write_script


def _minor_only_review(script: dict[str, Any]) -> None:
    first = json.loads(script["roles"]["reviewer"][0]["content"])
    first["issues"][0]["severity"] = "low"  # a model's word for minor
    script["roles"]["reviewer"][0]["content"] = json.dumps(first)
    # the review after the test repair approves, with a note
    second = json.loads(script["roles"]["reviewer"][1]["content"])
    second["issues"] = [{"severity": "minor", "category": "docs", "file": "inventory/stock.py",
                         "problem": "docstring could name the tie order"}]
    script["roles"]["reviewer"][1]["content"] = json.dumps(second)


async def test_a_review_with_only_minor_issues_goes_on_to_the_tests(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    _minor_only_review(demo_script)
    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True)
    outcome = await create_pipeline(store, config).run()
    events = store.events(outcome.run_id)

    turns = [e.role for e in events if e.kind == "turn_started"]
    after_review = turns[turns.index("reviewer") + 1]
    assert after_review == "tester"  # not back to the developer
    asked = [e.payload()["message"] for e in events
             if e.kind == "approval_requested" and e.payload()["gate"] == "final"]
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert "1 reviewer note(s)" in asked[0]
    assert "docstring could name the tie order" in asked[0]


async def test_a_developer_that_never_changes_a_file_is_named_for_it(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    demo_script["roles"]["developer"] = [{"content": "I looked around; all good."}] * 4
    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True)
    outcome = await create_pipeline(store, config).run()

    assert outcome.status is RunStatus.NEEDS_HUMAN_REVIEW
    assert outcome.reason == "the developer ended its turn without changing any file 3 times"
    assert not any(e.kind == "artifact" and e.payload()["type"] == "review"
                   for e in store.events(outcome.run_id))


async def test_a_turn_that_hits_the_tool_cap_says_so_and_the_run_goes_on(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    looking = [{"tool_calls": [{"name": "list_files", "arguments": {"pattern": f"*{n}*"}}]}
               for n in range(TOOL_ITERATIONS)]
    demo_script["roles"]["developer"] = looking + demo_script["roles"]["developer"]
    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True)
    outcome = await create_pipeline(store, config).run()
    events = store.events(outcome.run_id)

    capped = [e.payload() for e in events if e.kind == "error" and e.payload().get("tool")
              == "tool_cap"]
    assert capped and capped[0]["message"] == (
        f"developer used its {TOOL_ITERATIONS} tool rounds in one turn without finishing")
    first = next(e.payload() for e in events
                 if e.kind == "agent_message" and e.role == "developer")
    assert first["content"] == TOOL_CAP_NOTE  # not a tool output posing as the summary
    assert outcome.status is RunStatus.APPROVED, outcome.reason


async def test_a_tool_call_written_as_text_gets_the_real_tools_back(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    as_text = '```json\n{"name": "edit_file", "arguments": {"path": "inventory/stock.py"}}\n```'
    demo_script["roles"]["developer"].insert(0, {"content": as_text})
    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True)
    outcome = await create_pipeline(store, config).run()
    events = store.events(outcome.run_id)

    error = next(e.payload() for e in events if e.kind == "error" and e.role == "developer")
    assert error["message"] == "developer wrote a tool call as text instead of calling it"
    tasks = [e.payload()["task"] for e in events
             if e.kind == "turn_started" and e.role == "developer"]
    assert "There is no tool named 'edit_file'" in tasks[1]
    for tool in ("replace_in_file(", "write_file(", "propose_patch(", "run_tests("):
        assert tool in tasks[1]
    assert outcome.status is RunStatus.APPROVED, outcome.reason
