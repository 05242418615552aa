"""Request changes at each gate of the bundled demo, live in the app: the scripted demo has a
revised spec and a developer revision, and the run still ends approved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from agents.contracts import RunStatus
from widgets.diff_view import DiffView
from widgets.spec_editor import SpecEditor
from workbench.gitops import read_branch_file
from workbench.store import RunStore
from workbench.tui.screens.prompt import TextPrompt

from .conftest import at_gate, demo_config, finished, tui, wait_for

BOUNDARY = "An item whose quantity equals the threshold is not listed"
REVISION = "lowest first (ties by SKU)"


def _artifacts(store: RunStore, run_id: str, type_: str) -> list[Any]:
    return [e for e in store.events(run_id)
            if e.kind == "artifact" and e.payload()["type"] == type_]


def _asked(store: RunStore, run_id: str, gate: str) -> int:
    return sum(1 for e in store.events(run_id)
               if e.kind == "approval_requested" and e.payload()["gate"] == gate)


async def _request_changes(pilot: Pilot[None], comment: str) -> None:
    await pilot.press("r")
    assert isinstance(pilot.app.screen, TextPrompt)
    await pilot.press(*comment, "enter")


def _diff_text(diff: DiffView) -> str:
    return "\n".join(row.text for row in diff.model.rows)


async def test_request_changes_at_the_spec_gate_gives_a_revised_spec_and_the_run_goes_on(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        run_id = screen.run_id
        editor = screen.query_one(SpecEditor)
        assert BOUNDARY not in editor.text_area.text
        await _request_changes(pilot, "Say what happens at the threshold itself")
        await wait_for(pilot, lambda: _asked(store, run_id, "spec") == 2
                       and screen.view.pending_approval == "spec", what="second spec gate")
        assert len(_artifacts(store, run_id, "spec")) == 2
        spec = editor.spec
        assert spec is not None and spec.feature_id == "INV-7"
        assert any(BOUNDARY in c for c in spec.acceptance_criteria)
        assert BOUNDARY in editor.text_area.text  # the pane shows the revised spec
        await pilot.press("a")
        await at_gate(pilot, "final")
        await pilot.press("a")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED, done.view.finished_reason
    req = [e for e in store.events(run_id) if e.kind == "turn_started" and e.role == "requirements"]
    assert "Say what happens at the threshold itself" in req[-1].payload()["task"]
    stock = read_branch_file(demo_repo, f"workbench/{run_id}", "inventory/stock.py") or ""
    assert "threshold must not be negative" in stock and REVISION not in stock


async def test_request_changes_at_the_final_gate_starts_a_new_development_cycle(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        run_id = screen.run_id
        diff = screen.query_one(DiffView)
        assert REVISION not in _diff_text(diff)
        await _request_changes(pilot, "Document the ValueError in the docstring")
        await wait_for(pilot, lambda: _asked(store, run_id, "final") == 2
                       and screen.view.pending_approval == "final", what="second final gate")
        assert REVISION in _diff_text(diff)  # the diff pane shows the revision
        await wait_for(pilot, lambda: diff.has_focus_within, 5, "the diff to take focus")
        await pilot.press("a")
        done = await finished(pilot)
        assert done.view.status is RunStatus.APPROVED, done.view.finished_reason

    events = store.events(run_id)
    asked_back = next(e.seq for e in events if e.kind == "approval_given"
                      and e.payload()["gate"] == "final"
                      and e.payload()["decision"] == "request_changes")
    later_dev = [e for e in events if e.kind == "turn_started" and e.role == "developer"
                 and e.seq > asked_back]
    assert later_dev
    assert "Document the ValueError in the docstring" in later_dev[0].payload()["task"]
    reviews = [e.payload()["data"]["status"] for e in _artifacts(store, run_id, "review")]
    assert reviews == ["NEEDS_REVISION", "APPROVED", "APPROVED"]
    results = [e.payload()["data"] for e in _artifacts(store, run_id, "test_result")]
    assert [r["status"] for r in results] == ["passed", "passed"]
    branch = f"workbench/{run_id}"
    stock = read_branch_file(demo_repo, branch, "inventory/stock.py") or ""
    assert REVISION in stock and "Raises ValueError when ``threshold`` is negative." in stock
    assert read_branch_file(demo_repo, branch, "tests/test_low_stock.py") is not None
