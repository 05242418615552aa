"""`workbench mcp` driven by an MCP client over stdio: the runs of a store holding a demo run,
the run's events a page at a time and its evidence; it never writes to the store."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from agents.contracts import RunStatus
from workbench.engine.runner import create_pipeline
from workbench.mcp_server import StoreReader
from workbench.store import RunStore

from .conftest import config_for

ROOT = Path(__file__).resolve().parents[2]


def _server(db: Path) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable,
                                 args=["-m", "workbench", "--db", str(db), "mcp"], cwd=ROOT)


async def _call(session: ClientSession, tool: str, **args: Any) -> tuple[bool, Any]:
    result = await session.call_tool(tool, args)
    text = "".join(getattr(part, "text", "") for part in result.content)
    return result.isError, (text if result.isError else json.loads(text))


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


async def test_an_mcp_client_reads_runs_events_and_evidence(
    demo_repo: Path, store: RunStore
) -> None:
    outcome = await create_pipeline(
        store, config_for(demo_repo, "scripted:demo", auto_approve=True)).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    rid, record = outcome.run_id, store.get_run(outcome.run_id)
    kinds = [e.kind for e in store.events(rid)]
    db = store.path
    store.close()
    before = _digest(db)

    async with stdio_client(_server(db)) as (read, write), ClientSession(read, write) as s:
        await s.initialize()
        names = sorted(t.name for t in (await s.list_tools()).tools)
        assert names == ["list_runs", "run_events", "run_evidence"]

        _, listed = await _call(s, "list_runs")
        assert listed["runs"] == [{
            "id": rid, "status": "APPROVED", "task": record.task.strip().splitlines()[0],
            "tokens": record.tokens, "cost": round(record.cost, 6)}]

        pages, after = [], 0
        while True:  # paged: ten at a time until next_after_seq is null
            _, page = await _call(s, "run_events", run_id=rid[:8], after_seq=after, limit=10)
            assert page["run_id"] == rid and len(page["events"]) <= 10
            pages.append(page["events"])
            if page["next_after_seq"] is None:
                break
            after = page["next_after_seq"]
        events = [e for page in pages for e in page]
        assert [e["kind"] for e in events] == kinds and len(pages) > 1
        first_call = next(e for e in events if e["kind"] == "tool_call")
        assert first_call["role"] == "developer" and first_call["summary"].startswith(
            "list_files(")

        _, evidence = await _call(s, "run_evidence", run_id=rid)
        assert evidence["run_id"] == rid and evidence["status"] == "APPROVED"
        assert evidence["spec"] and evidence["task"] == record.task

        failed, message = await _call(s, "run_events", run_id="no-such-run")
        assert failed and "no-such-run" in message and "Traceback" not in message
    assert _digest(db) == before  # read-only: the store file is unchanged


def test_mcp_without_a_store_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    done = subprocess.run([sys.executable, "-m", "workbench", "--db", str(missing), "mcp"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and not missing.exists()
    assert done.stderr.strip().splitlines() == [f"error: no run store at {missing}"]


def test_what_it_returns_is_masked_and_printable(store: RunStore) -> None:
    key = "sk-proj-" + "Q7x9" * 12
    store.create_run("r1", f"\x1b[31mdeploy with {key}\x1b[0m\nsecond line", "/repo", "m")
    runs = StoreReader(store).list_runs()["runs"]
    assert len(runs) == 1 and key not in json.dumps(runs) and "\x1b" not in runs[0]["task"]
    assert runs[0]["task"].startswith("deploy with ") and "second" not in runs[0]["task"]
