"""The config's routing rule in a real run: a high-risk spec sends the work to the strong
model, everything else to the standard one; a pinned model always wins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents.contracts import FeatureSpec, RunStatus
from agents.output import parse_contract
from workbench.config import ModelSettings
from workbench.engine.routing_plan import first_choices, pins
from workbench.engine.runner import create_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script


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
