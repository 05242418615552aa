"""A resumed run continues the agents' own conversations (AutoGen state saved every turn)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agents.contracts import Decision, RunStatus
from workbench.engine.runner import approve_run, create_pipeline, open_pipeline
from workbench.store import RunStore

from ..fake_openai import FakeOpenAIServer
from .conftest import CALL_ORDER, config_for, demo_replies

pytestmark = pytest.mark.usefixtures("no_openai_env")


async def test_developer_remembers_its_work_after_request_changes_and_resume(
    store: RunStore, demo_repo: Path, demo_script: dict[str, Any]
) -> None:
    replies = demo_replies(demo_script)
    plan = demo_script["roles"]["tester"][3]["content"]
    replies += [
        {"content": "Kept the change; the README line is already short."},
        {"content": json.dumps({"status": "APPROVED", "summary": "ok", "issues": []})},
        {"content": plan},
    ]
    with FakeOpenAIServer(replies) as server:
        config = config_for(demo_repo, "openai:fake", base_url=server.base_url)
        run_id = (await create_pipeline(store, config).run()).run_id
        approve_run(store, run_id)
        assert (await open_pipeline(store, run_id).run()).status is RunStatus.WAITING_FOR_APPROVAL
        approve_run(store, run_id, Decision.REQUEST_CHANGES, comment="Shorten the README line")
        assert (await open_pipeline(store, run_id).run()).status is RunStatus.WAITING_FOR_APPROVAL
        requests = list(server.requests)
    revision = requests[len(CALL_ORDER)]  # the developer's first call after the resume
    text = json.dumps(revision["messages"])
    assert "Shorten the README line" in text
    assert "Implement this approved specification" in text  # its earlier conversation
    assert "propose_patch" in text
    turns = [e for e in store.events(run_id) if e.kind == "agent_message"
             and not e.payload()["thought"]]
    assert turns and all(e.payload()["state_artifact"] for e in turns)  # every turn, every gate
    last_dev = [e for e in turns if e.role == "developer"][-1]
    saved = json.loads(store.artifact(last_dev.payload()["state_artifact"]).content)
    assert "Shorten the README line" in json.dumps(saved)
