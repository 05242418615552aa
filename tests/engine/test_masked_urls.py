"""A model server URL with a password is stored masked; a resume gets the password back from
where the user keeps the URL, or says in one line where to give it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.contracts import RunStatus
from agents.redact import MASK
from workbench.demo import prepare_demo_repo
from workbench.engine.errors import EngineError
from workbench.engine.runner import create_pipeline, open_pipeline
from workbench.store import RunStore

from .conftest import config_for

URL = "http://bench:pw-9f2KxQ7vLm3Rt8Zs@127.0.0.1:9/v1"
NAMED = "https://team:Zq8-Lp2mXv7Rk4Nw@llm.internal/v1"


async def _parked_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[RunStore, str]:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "config.yaml"))
    store = RunStore(tmp_path / "runs.db")
    config = config_for(prepare_demo_repo(tmp_path), "scripted:demo", base_url=URL,
                        model_settings={"models": {"strong": {"provider": "openai:gpt-4o",
                                                              "base_url": NAMED}}})
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.WAITING_FOR_APPROVAL
    stored = json.loads(store.get_run(outcome.run_id).config)
    assert "pw-9f2KxQ7vLm3Rt8Zs" not in json.dumps(stored) and MASK in stored["base_url"]
    return store, outcome.run_id


async def test_without_the_url_the_resume_says_where_to_give_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, run_id = await _parked_run(tmp_path, monkeypatch)
    with pytest.raises(EngineError, match=f"run {run_id}: its model URL .* held a password"
                                          ".* --base-url URL"):
        open_pipeline(store, run_id)


async def test_the_url_given_again_restores_the_password(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, run_id = await _parked_run(tmp_path, monkeypatch)
    (tmp_path / "config.yaml").write_text(  # the named model's URL, as the user keeps it
        f"models:\n  models:\n    strong:\n      provider: openai:gpt-4o\n"
        f"      base_url: {NAMED}\n")
    monkeypatch.setenv("OPENAI_BASE_URL", URL)
    pipeline = open_pipeline(store, run_id)
    assert pipeline.config.base_url == URL
    assert pipeline.config.model_settings["models"]["strong"]["base_url"] == NAMED
    moved = "http://127.0.0.1:10/v1"
    assert open_pipeline(store, run_id, base_url=moved).config.base_url == moved
