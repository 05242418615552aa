"""A whole run through the openai: provider against a local OpenAI-compatible server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.contracts import RunStatus
from workbench.engine.runner import create_pipeline
from workbench.gitops import read_branch_file
from workbench.store import RunStore

from ..fake_openai import FakeOpenAIServer
from .conftest import CALL_ORDER, config_for, demo_replies

pytestmark = pytest.mark.usefixtures("no_openai_env")


async def test_full_run_through_openai_provider_with_streaming_and_tools(
    store: RunStore, demo_repo: Path, demo_script: dict[str, Any]
) -> None:
    replies = demo_replies(demo_script)
    with FakeOpenAIServer(replies) as server:
        config = config_for(demo_repo, "openai:fake-model", base_url=server.base_url,
                            auto_approve=True)
        outcome = await create_pipeline(store, config).run()
        requests = list(server.requests)

    assert outcome.status is RunStatus.APPROVED, outcome.reason
    assert len(requests) == len(CALL_ORDER)
    assert all(r.get("stream") is True for r in requests)
    assert all(r.get("stream_options", {}).get("include_usage") for r in requests)
    # contracts are asked for in the provider's structured-output mode; tool calls are not
    formats = [(r.get("response_format") or {}).get("json_schema", {}).get("name")
               for r in requests]
    assert formats == [{"requirements": "FeatureSpec", "reviewer": "ReviewResult"}.get(role)
                       for role, _ in CALL_ORDER]
    assert "acceptance_criteria" in str(requests[0]["response_format"]["json_schema"]["schema"])
    dev_tools = {t["function"]["name"] for t in requests[1]["tools"]}
    assert dev_tools >= {"list_files", "search_repository", "open_file", "propose_patch"}
    tool_msgs = [m for m in requests[2]["messages"] if m["role"] == "tool"]
    assert any("class Inventory" in m["content"] for m in tool_msgs)

    calls = [e.payload() for e in store.events(outcome.run_id) if e.kind == "model_call"]
    assert len(calls) == len(CALL_ORDER)
    assert all(c["model"] == "openai:fake-model" and c["prompt_tokens"] > 0 for c in calls)
    # what each call was made with is recorded on it, and was sent
    assert all(c["sampling"] == {"max_tokens": 4096, "temperature": 0.0, "seed": 7}
               for c in calls)
    assert all((r["max_tokens"], r["temperature"], r["seed"]) == (4096, 0.0, 7)
               for r in requests)
    assert read_branch_file(demo_repo, outcome.branch, "tests/test_low_stock.py") is not None
