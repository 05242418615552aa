"""The developer edits with replace_in_file and write_file instead of a diff, end to end, and a
developer stuck repeating one call is told so instead of running it again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from autogen_agentchat.agents import AssistantAgent
from autogen_core import CancellationToken

from agents.contracts import RunStatus
from agents.repo_tools import RepoTools
from workbench.engine.runner import create_pipeline
from workbench.engine.tools import ToolAwareAgent, repo_tools
from workbench.gitops import read_branch_file
from workbench.models.scripted import ScriptedChatCompletionClient
from workbench.store import RunStore

from .conftest import config_for, write_script

TOTAL_VALUE = ("    def total_value(self) -> float:\n"
               "        return sum(i.unit_price * i.quantity for i in self._items.values())\n")
LOW_STOCK = TOTAL_VALUE + (
    "\n"
    "    def low_stock(self, threshold: int) -> list[Item]:\n"
    '        """Items whose quantity is below ``threshold``, lowest first."""\n'
    "        if threshold < 0:\n"
    '            raise ValueError("threshold must not be negative")\n'
    "        low = [i for i in self._items.values() if i.quantity < threshold]\n"
    "        return sorted(low, key=lambda i: (i.quantity, i.sku))\n")
NEW_TEST = (
    "import pytest\n\nfrom inventory import Inventory\n\n\n"
    "def test_low_stock_rejects_negative_threshold() -> None:\n"
    "    with pytest.raises(ValueError):\n"
    "        Inventory().low_stock(-1)\n")
APPROVED = {"content": '{"status": "APPROVED", "summary": "ok", "issues": []}'}


def _calls(*calls: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"tool_calls": [{"name": n, "arguments": a} for n, a in calls]}


def _results(store: RunStore, run_id: str, role: str) -> list[dict[str, Any]]:
    return [e.payload() for e in store.events(run_id)
            if e.kind == "tool_result" and e.role == role]


async def test_developer_edits_without_a_diff_and_the_change_is_committed(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    roles = demo_script["roles"]
    roles["developer"] = [
        _calls(("open_file", {"path": "inventory/stock.py"})),
        _calls(("replace_in_file", {"path": "inventory/stock.py", "old": TOTAL_VALUE,
                                    "new": LOW_STOCK}),
               ("write_file", {"path": "docs/low_stock.md",
                               "content": "# Low stock\n\nInventory.low_stock(threshold)"})),
        {"content": "Added Inventory.low_stock and a page about it."},
    ]
    roles["reviewer"] = [APPROVED]
    roles["tester"] = [
        _calls(("write_file", {"path": "tests/test_low_stock.py", "content": NEW_TEST})),
        _calls(("run_tests", {"command": ["python -m pytest -q"]})),
        {"content": '{"targets": ["Inventory.low_stock"], "command": "python -m pytest -q"}'},
    ]
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()

    assert outcome.status is RunStatus.APPROVED, outcome.reason
    edits = _results(store, outcome.run_id, "developer")[1:]
    assert [(r["name"], r["is_error"]) for r in edits] == [
        ("replace_in_file", False), ("write_file", False)]
    assert edits[0]["content"].startswith("replaced 1 occurrence in inventory/stock.py; lines ")
    assert "def low_stock(self, threshold: int)" in edits[0]["content"]
    stock = read_branch_file(demo_repo, outcome.branch, "inventory/stock.py")
    assert stock is not None and 'raise ValueError("threshold must not be negative")' in stock
    doc = read_branch_file(demo_repo, outcome.branch, "docs/low_stock.md")
    assert doc == "# Low stock\n\nInventory.low_stock(threshold)\n"
    assert read_branch_file(demo_repo, outcome.branch, "tests/test_low_stock.py") == NEW_TEST
    events = store.events(outcome.run_id)
    patch = next(e.payload() for e in events
                 if e.kind == "artifact" and e.payload()["type"] == "patch")
    assert patch["files"] == ["docs/low_stock.md", "inventory/stock.py"]  # git diff shows both
    result = [e.payload()["data"] for e in events
              if e.kind == "artifact" and e.payload()["type"] == "test_result"][-1]
    assert result["status"] == "passed" and result["command"] == ["python", "-m", "pytest", "-q"]


async def test_developer_repeating_one_call_is_answered_and_told_to_stop(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    same = _calls(("open_file", {"path": "inventory/stock.py"}))
    demo_script["roles"]["developer"][:1] = [same] * 5
    model = write_script(tmp_path, demo_script)
    outcome = await create_pipeline(store, config_for(demo_repo, model, auto_approve=True)).run()

    assert outcome.status is RunStatus.APPROVED, outcome.reason
    opened = [r["content"] for r in _results(store, outcome.run_id, "developer")
              if r["name"] == "open_file"]
    assert len(opened) == 5
    assert opened[0].startswith("inventory/stock.py (lines 1-")
    for repeat in opened[1:3]:
        assert repeat.startswith("You already called open_file with these arguments; nothing "
                                 "changed since. The result was: inventory/stock.py (lines 1-")
        assert repeat.endswith("Use it, or do something else.")
    for repeat in opened[3:]:
        assert repeat.startswith("You have repeated identical tool calls ")
        assert "Stop calling tools now and give your final answer." in repeat


async def test_every_edit_marks_the_worktree_changed(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    changes: list[str] = []
    tools = {t.name: t for t in repo_tools(RepoTools(tmp_path), lambda d, s: "patch applied",
                                           None, on_change=lambda: changes.append("dirty"))}
    assert set(tools) == {"list_files", "search_repository", "open_file", "replace_in_file",
                          "write_file", "propose_patch"}
    token = CancellationToken()
    await tools["open_file"].run_json({"path": "a.py"}, token)
    await tools["replace_in_file"].run_json({"path": "a.py", "old": "1", "new": "2"}, token)
    await tools["write_file"].run_json({"path": "b.py", "content": "y = 1\n"}, token)
    await tools["propose_patch"].run_json({"diff": "..."}, token)
    assert changes == ["dirty"] * 3


async def test_a_call_to_a_tool_that_does_not_exist_is_answered_with_the_real_tools(
    tmp_path: Path,
) -> None:
    client = ScriptedChatCompletionClient.from_data({"roles": {"developer": [
        _calls(("edit_file", {"path": "a.py"})), {"content": "done"}]}}, "developer")
    tools = repo_tools(RepoTools(tmp_path), lambda d, s: "", None)
    agent = ToolAwareAgent("developer", model_client=client, tools=list(tools))
    assert isinstance(agent, AssistantAgent)
    result = await agent.run(task="change a.py")
    (executed,) = [m for m in result.messages if m.type == "ToolCallExecutionEvent"]
    content = executed.content[0].content  # type: ignore[attr-defined]
    assert content.startswith("Error: there is no tool named 'edit_file' (did you mean "
                              "write_file?). The tools you can call are:\n- list_files(")
    assert "- replace_in_file(path: string, old: string, new: string)" in content


async def test_edits_asked_for_in_one_reply_all_land(tmp_path: Path) -> None:
    # AutoGen runs the calls of one model reply concurrently; each edit sees the one before.
    (tmp_path / "a.py").write_text("".join(f"v{i} = {i}\n" for i in range(20)))
    tools = {t.name: t for t in repo_tools(RepoTools(tmp_path), lambda d, s: "", None)}
    token = CancellationToken()
    await asyncio.gather(*(
        tools["replace_in_file"].run_json(
            {"path": "a.py", "old": f"v{i} = {i}\n", "new": f"v{i} = -{i}\n"}, token)
        for i in range(1, 20)))
    assert (tmp_path / "a.py").read_text() == "v0 = 0\n" + "".join(
        f"v{i} = -{i}\n" for i in range(1, 20))
