"""A provider that fails every attempt parks the run WAITING (not FAILED); resume goes on
from the turn that could not be made once the provider answers again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.contracts import RunStatus
from agents.fold import fold
from workbench.engine.runner import create_pipeline, open_pipeline
from workbench.models.settings import CallSettings
from workbench.store import RunStore

from ..fake_openai import FakeOpenAIServer
from .conftest import CALL_ORDER, config_for, demo_replies

pytestmark = pytest.mark.usefixtures("no_openai_env")

CALLS = CallSettings(backoff_base_s=0.01, backoff_cap_s=0.02, max_attempts=3)


async def test_an_outage_parks_the_run_and_resume_finishes_it(
    store: RunStore, demo_repo: Path, demo_script: dict[str, Any]
) -> None:
    outage: list[Any] = [{"status": 503, "error": "upstream overloaded"}] * 3
    replies = demo_replies(demo_script)
    assert CALL_ORDER[1] == ("developer", 0)
    # the requirements call works, then the developer's first call meets the outage
    script = [replies[0], *outage, *replies[1:]]
    with FakeOpenAIServer(script) as server:
        config = config_for(demo_repo, "openai:fake-model", base_url=server.base_url,
                            auto_approve=True, calls=CALLS)
        parked = await create_pipeline(store, config).run()
        state = fold(store.iter_events(parked.run_id))
        run = store.get_run(parked.run_id)

        assert parked.status is RunStatus.WAITING
        assert parked.reason == ("provider unavailable: server error (HTTP 503): upstream "
                                 "overloaded after 3 attempts")
        assert run is not None and run.status == "WAITING"
        assert state.status is RunStatus.WAITING and not state.finished
        kinds = [e.kind for e in store.events(parked.run_id)]
        assert kinds.count("model_retry") == 2
        assert "run_finished" not in kinds and kinds[-1] == "run_parked"
        retry_items = [i.text for i in state.items if "attempt 2 of 3" in i.text]
        assert retry_items and "HTTP 503" in retry_items[0]

        resumed = await open_pipeline(store, parked.run_id).run()
        remaining = server.remaining

    assert resumed.status is RunStatus.APPROVED, resumed.reason
    assert remaining == 0  # every scripted reply was used once: nothing asked twice
    final = fold(store.iter_events(parked.run_id))
    assert final.usage_by_role["requirements"].model_calls == 1
