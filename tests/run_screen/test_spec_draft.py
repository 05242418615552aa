"""When the requirements agent never gives a valid spec, the app waits at the spec gate with
its last attempt in the spec editor; the human fixes it and approves, and the run goes on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents.contracts import FeatureSpec
from agents.output import parse_contract
from widgets.spec_editor import SpecEditor
from workbench.store import RunStore

from .conftest import at_gate, demo_config, script_with, tui, wait_for


async def test_the_last_invalid_attempt_is_in_the_editor_and_a_fixed_one_is_approved(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    good: dict[str, Any] = {}

    def invalid_spec(data: dict[str, Any]) -> None:
        spec = parse_contract(data["roles"]["requirements"][0]["content"], FeatureSpec)
        good.update(spec.model_dump(mode="json"))
        broken = {**good, "feature_id": "", "risk_level": "extreme"}
        data["roles"]["requirements"] = [{"content": json.dumps(broken)}] * 3

    app = tui(store, demo_config(demo_repo, script_with(tmp_path, invalid_spec)))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        editor = screen.query_one(SpecEditor)
        await wait_for(pilot, lambda: '"risk_level": "extreme"' in editor.text_area.text,
                       what="the draft in the editor")
        assert editor.spec is None  # still invalid: approving now is refused
        await pilot.press("a")
        assert screen.view.pending_approval == "spec"

        assert editor.text_area.has_focus  # the refusal took the human to the editor
        editor.text_area.load_text(json.dumps(good, indent=2))  # the human's fix
        await pilot.press("ctrl+s")  # approve from the editor
        await wait_for(pilot, lambda: screen.view.spec is not None
                       and screen.view.spec_edited, what="the human's spec recorded")
        assert screen.view.spec is not None and screen.view.spec.feature_id == good["feature_id"]
        await at_gate(pilot, "final", timeout=60)  # the run went on, on the human's spec
