"""A scripted developer uses the tools of a local MCP server: the allowed tool runs and its
result is recorded (the calls the policy holds for a human: test_mcp_gate.py)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from agents.contracts import RunStatus
from workbench.cli import cli
from workbench.config import load_settings
from workbench.demo import demo_task
from workbench.engine.runner import create_pipeline
from workbench.mcp_tools import mcp_role_tools
from workbench.paths import ENV_CONFIG, ENV_DB
from workbench.store import RunStore

from .conftest import config_for, write_script

SERVER = Path(__file__).resolve().parent.parent / "mcp_echo_server.py"


def echo_server(marks: Path, **kw: Any) -> dict[str, Any]:
    return {"name": "echo", "command": sys.executable, "args": [str(SERVER), str(marks)],
            "roles": ["developer"], "allow": ["echo", "deploy"], "risky": ["deploy"], **kw}


def _payloads(store: RunStore, run_id: str, kind: str) -> list[dict[str, Any]]:
    return [e.payload() | {"role": e.role} for e in store.events(run_id) if e.kind == kind]


async def test_a_scripted_developer_calls_mcp_tools_through_the_policy(
    tmp_path: Path, demo_repo: Path, demo_script: dict[str, Any], store: RunStore
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    demo_script["roles"]["developer"].insert(0, {"tool_calls": [
        {"name": "echo", "arguments": {"text": "hello from the developer"}}]})
    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True,
                        mcp=[echo_server(marks)])
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason

    results = {r["name"]: r for r in _payloads(store, outcome.run_id, "tool_result")}
    assert "echo: hello from the developer" in results["echo"]["content"]
    assert _payloads(store, outcome.run_id, "policy") == []  # allowed: nothing held


async def test_a_role_not_named_gets_no_tools_and_a_dead_server_is_one_error(
    tmp_path: Path
) -> None:
    seen: list[tuple[str, str, str]] = []

    def record(kind: str, message: str, tool: str) -> None:
        seen.append((kind, message, tool))

    assert await mcp_role_tools([echo_server(tmp_path)], "tester", record) == []
    dead = echo_server(tmp_path, name="dead", command=str(tmp_path / "no-such-server"))
    assert await mcp_role_tools([dead], "developer", record) == []
    assert [(k, t) for k, _, t in seen] == [("error", "dead")]
    assert seen[0][1].startswith("MCP server dead unavailable: ") and "\n" not in seen[0][1]
    # a name the repository tools already use is left out, with the reason
    tools = await mcp_role_tools([echo_server(tmp_path)], "developer", record, ["echo"])
    assert sorted(t.name for t in tools) == ["delete_all", "deploy"]
    assert seen[-1][0] == "policy" and "another tool has that name" in seen[-1][1]


@pytest.mark.parametrize(("server", "reason"), [
    ({"name": "x"}, "give either command (stdio) or url"),
    ({"name": "x", "url": "ftp://h/"}, "url must be http:// or https://"),
    ({"name": "x", "command": "srv", "roles": ["reviewer"]}, "roles reviewer use no tools"),
])
def test_a_bad_mcp_server_in_the_config_file_is_one_line(
    tmp_path: Path, server: dict[str, Any], reason: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"mcp": [server]}))
    settings = load_settings(path)
    assert settings.load_error is not None and reason in settings.load_error
    assert "\n" not in settings.load_error and settings.mcp == []


def test_an_mcp_server_in_the_config_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"mcp": [echo_server(tmp_path)]}))
    settings = load_settings(path)
    assert settings.load_error is None
    assert [(s.name, s.allow, s.risky) for s in settings.mcp] == [
        ("echo", ["echo", "deploy"], ["deploy"])]


def test_workbench_run_takes_the_mcp_servers_from_the_config_file(
    tmp_path: Path, demo_repo: Path, demo_script: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith(("OPENAI", "WORKBENCH"))]:
        monkeypatch.delenv(key)
    demo_script["roles"]["developer"].insert(0, {"tool_calls": [
        {"name": "echo", "arguments": {"text": "from the config file"}}]})
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"mcp": [echo_server(tmp_path)]}))
    db = tmp_path / "data" / "runs.db"
    result = CliRunner().invoke(cli, [
        "run", demo_task(), "--repo", str(demo_repo), "--json", "--auto-approve",
        "--model", write_script(tmp_path, demo_script)],
        env={ENV_CONFIG: str(config), ENV_DB: str(db)})
    assert result.exit_code == 0, result.output
    run_id = json.loads(result.output)["run_id"]
    store = RunStore(db)
    try:
        stored = json.loads(store.get_run(run_id).config)["mcp"]
        echoed = [r for r in _payloads(store, run_id, "tool_result") if r["name"] == "echo"]
    finally:
        store.close()
    assert [s["name"] for s in stored] == ["echo"]  # a resume offers the same tools
    assert "echo: from the config file" in echoed[0]["content"]
