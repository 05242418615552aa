"""The config's routing rule in a real run: a high-risk spec sends the work to the strong
model, everything else to the standard one; a pinned model always wins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agents.contracts import FeatureSpec, RunStatus
from agents.output import parse_contract
from workbench.config import ModelSettings
from workbench.engine.routing_plan import first_choices, pins
from workbench.engine.runner import create_pipeline
from workbench.store import RunStore

from ..fake_openai import FakeOpenAIServer
from .conftest import config_for, demo_replies, write_script


def _models_by_role(store: RunStore, run_id: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in store.events(run_id):
        if e.kind == "model_call":
            out.setdefault(e.role, set()).add(e.payload()["model"])
    return out


async def _run(store: RunStore, repo: Path, tmp_path: Path, script: dict[str, Any],
               risk: str, pinned: dict[str, str]) -> dict[str, set[str]]:
    spec = parse_contract(script["roles"]["requirements"][0]["content"], FeatureSpec
                          ).model_dump()
    spec["risk_level"] = risk
    script["roles"]["requirements"][0]["content"] = json.dumps(spec)
    standard = write_script(tmp_path, script, "standard.json")
    strong = write_script(tmp_path, script, "strong.json")
    settings = ModelSettings.model_validate({"models": {
        "standard": {"provider": standard}, "strong": {"provider": strong}}})
    choices = first_choices(settings, pinned)
    config = config_for(repo, choices["developer"], role_models=choices, auto_approve=True,
                        model_settings=settings.model_dump(mode="json"), pinned_models=pinned)
    outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
    return _models_by_role(store, outcome.run_id)


async def test_high_risk_work_goes_to_the_strong_model(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    used = await _run(store, demo_repo, tmp_path, demo_script, "high", {})
    assert used["requirements"] == {f"scripted:{tmp_path / 'standard.json'}"}  # risk unknown
    for role in ("developer", "reviewer", "tester"):
        assert used[role] == {f"scripted:{tmp_path / 'strong.json'}"}, role


async def test_standard_work_stays_on_the_standard_model_and_pins_win(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    pinned = pins(None, {"tester": "scripted:demo"})
    used = await _run(store, demo_repo, tmp_path, demo_script, "low", pinned)
    for role in ("requirements", "developer", "reviewer"):
        assert used[role] == {f"scripted:{tmp_path / 'standard.json'}"}, role
    assert len(used["tester"]) == 1 and next(iter(used["tester"])).endswith("demo_script.yaml")


async def test_the_runs_base_url_reaches_routed_openai_models(
    store: RunStore, demo_repo: Path, demo_script: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    settings = ModelSettings.model_validate({"default": "openai:fake-model"})
    pinned = pins("openai:fake-model", {})
    with FakeOpenAIServer(demo_replies(demo_script)) as server:
        config = config_for(demo_repo, "openai:fake-model", auto_approve=True,
                            base_url=server.base_url, pinned_models=pinned,
                            role_models=first_choices(settings, pinned),
                            model_settings=settings.model_dump(mode="json"))
        outcome = await create_pipeline(store, config).run()
    assert outcome.status is RunStatus.APPROVED, outcome.reason
