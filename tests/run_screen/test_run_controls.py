"""Every control of the run screen, driven with keys through Pilot on a real demo run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets._footer import FooterKey

from agents.contracts import RunStatus
from widgets.approval_bar import ApprovalBar
from widgets.diff_view import DiffView
from widgets.spec_editor import SpecEditor
from widgets.status_bar import RunStatusBar
from workbench.gitops import read_branch_file
from workbench.store import RunStore
from workbench.tui.screens.prompt import TextPrompt

from .conftest import at_gate, demo_config, finished, script_with, tui, wait_for


def dimmed(key: FooterKey) -> bool:
    return key.has_class("-disabled")


def _events(store: RunStore, run_id: str, kind: str) -> list[Any]:
    return [e for e in store.events(run_id) if e.kind == kind]


async def test_approve_spec_reject_a_hunk_and_finish(store: RunStore, demo_repo: Path) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        diff = screen.query_one(DiffView)
        # Focus moves on the app's next turn after the gate opens.
        await wait_for(pilot, lambda: diff.has_focus_within, 5, "the diff to take focus")
        await pilot.press("space")  # the cursor starts on the first hunk: README.md#0
        assert diff.rejected_hunks == frozenset({"README.md#0"})
        await pilot.press("a")
        screen = await finished(pilot)
        assert screen.view.status is RunStatus.APPROVED, screen.view.finished_reason
        run_id = screen.run_id
        calls = _events(store, run_id, "model_call")
        assert screen.view.model_calls == len(calls)  # every event shown exactly once
        assert screen.view.total_tokens == store.get_run(run_id).tokens
    branch = f"workbench/{run_id}"
    assert "low_stock" not in (read_branch_file(demo_repo, branch, "README.md") or "")
    assert "def low_stock" in (read_branch_file(demo_repo, branch, "inventory/stock.py") or "")
    given = [e.payload() for e in _events(store, run_id, "approval_given")]
    assert given[-1]["rejected_hunks"] == ["README.md#0"]


async def test_invalid_spec_edit_is_refused_then_valid_edit_is_what_developer_gets(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.press("e")
        editor = screen.query_one(SpecEditor)
        area = editor.text_area
        original = area.text
        area.text = original.replace("risk_level: low", "risk_level: extreme")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert screen.view.pending_approval == "spec"  # refused: still waiting
        assert "risk_level" in editor.error_summary
        area.text = original.replace("feature_id: INV-7", "feature_id: INV-7-EDITED")
        await pilot.press("ctrl+s")
        screen = await at_gate(pilot, "final")
        run_id = screen.run_id
    given = [e.payload() for e in _events(store, run_id, "approval_given")
             if e.payload()["gate"] == "spec"]
    assert given[-1]["spec"]["feature_id"] == "INV-7-EDITED"  # the edit travels with it
    dev = next(e for e in _events(store, run_id, "turn_started") if e.role == "developer")
    assert "INV-7-EDITED" in dev.payload()["task"]


async def test_request_changes_sends_the_comment_back_to_requirements(
    store: RunStore, demo_repo: Path, tmp_path: Path
) -> None:
    model = script_with(tmp_path, lambda d: d["roles"]["requirements"].append(
        d["roles"]["requirements"][0]))
    app = tui(store, demo_config(demo_repo, model))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("r")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"Mention units", "enter")
        await wait_for(pilot, lambda: len(_events(store, app.screen.run_id, "approval_requested"))
                       == 2, what="second spec gate")
        run_id = app.screen.run_id
    req = [e for e in _events(store, run_id, "turn_started") if e.role == "requirements"]
    assert "Mention units" in req[-1].payload()["task"]


async def test_reject_asks_first_and_then_ends_the_run_rejected(
    store: RunStore, demo_repo: Path
) -> None:
    from workbench.tui.screens.confirm import ConfirmScreen

    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        gate = await at_gate(pilot, "spec")
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmScreen)
        assert "end the run REJECTED" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")  # kept waiting: nothing was decided
        await pilot.pause()
        assert gate.view.pending_approval == "spec" and not gate.view.finished
        await pilot.press("x", "y")
        screen = await finished(pilot)
        assert screen.view.status is RunStatus.REJECTED


async def test_steer_reaches_the_next_agent_turn(store: RunStore, demo_repo: Path) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("i")
        await pilot.press(*"Keep the README line short", "enter")
        await pilot.pause(0.1)
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        run_id = screen.run_id
    steer = _events(store, run_id, "steer")
    assert steer and steer[0].payload()["text"] == "Keep the README line short"
    assert steer[0].payload()["review_comment"] is True
    dev = next(e for e in _events(store, run_id, "turn_started") if e.role == "developer")
    assert "Keep the README line short" in dev.payload()["task"]


async def test_step_mode_pauses_after_each_turn_until_next(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo, step_mode=True))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "step")
        turns_before = len(_events(store, screen.run_id, "agent_message"))
        await pilot.pause(0.3)
        assert screen.view.phase == "requirements"  # still parked after the first turn
        assert len(_events(store, screen.run_id, "agent_message")) == turns_before
        await pilot.press("full_stop")
        await at_gate(pilot, "spec")
        await pilot.press("f6")  # step mode off: the rest runs without stopping
        assert screen.live is not None and not screen.live.control.step_mode
        await pilot.press("a")
        await at_gate(pilot, "final")


async def test_pause_holds_the_next_turn(store: RunStore, demo_repo: Path) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.press("z")
        assert screen.live is not None and screen.live.control.paused
        await pilot.press("a")
        await pilot.pause(0.5)
        assert not any(e.role == "developer" for e in _events(store, screen.run_id, "model_call"))
        await pilot.press("z")
        await at_gate(pilot, "final")


async def test_final_gate_lists_changed_functions_beside_the_maximized_diff(
    store: RunStore, demo_repo: Path
) -> None:
    from textual.widgets import OptionList

    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        await at_gate(pilot, "spec")
        await pilot.press("a")
        screen = await at_gate(pilot, "final")
        await pilot.press("m")
        await pilot.pause(0.2)
        diff = screen.query_one(DiffView)
        assert screen.maximized is diff
        files = diff.query_one("#diff-files", OptionList)

        def listed() -> str:
            return " ".join(str(files.get_option_at_index(i).prompt)
                            for i in range(files.option_count))

        await wait_for(pilot, lambda: "low_stock" in listed(), 10, "changed functions")
        assert files.display and "Inventory.low_stock" in listed()
        assert "test_low_stock_rejects_negative_threshold" in listed()
        await pilot.press("m")
        assert screen.maximized is None


async def test_narrow_terminal_shows_panes_as_tabs_and_the_gate_opens_its_pane(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.pause(0.1)
        shown = [p for p in ("conversation", "spec", "diff", "tests")
                 if screen.query_one(f"#{p}").display and screen.query_one(f"#{p}").size.width]
        assert shown == ["spec"]
        await pilot.press("1")
        assert screen.query_one("#conversation").display
        assert not screen.query_one("#spec").size.width or not screen.query_one("#spec").display
        await pilot.press("a")
        await at_gate(pilot, "final")
        await pilot.pause(0.1)
        assert screen.query_one("#diff").size.width > 70  # the diff has the whole width


async def test_next_turn_while_paused_runs_one_turn_and_pauses_again(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await at_gate(pilot, "spec")
        await pilot.press("z")
        assert screen.query_one(RunStatusBar).paused
        await pilot.press("a")
        await pilot.press("full_stop")
        await wait_for(pilot, lambda: any(e.role == "developer" for e in _events(
            store, screen.run_id, "agent_message")), 20, "one developer turn")
        assert screen.live is not None
        await wait_for(pilot, lambda: screen.live is not None and screen.live.control.paused,
                       5, "paused again after the one turn")
        await pilot.pause(0.3)
        assert not any(e.role == "reviewer" for e in _events(store, screen.run_id, "turn_started"))
        assert screen.query_one(RunStatusBar).paused
        await pilot.press("z")
        await at_gate(pilot, "final")


async def test_keys_that_do_not_apply_are_dimmed_and_the_step_gate_offers_next_turn(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store, demo_config(demo_repo, step_mode=True))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_gate(pilot, "step")
        await pilot.pause()
        keys = {key.action: key for key in screen.query(FooterKey)}
        assert dimmed(keys["reject"]) and dimmed(keys["request_changes"])
        assert not dimmed(keys["next_turn"])
        assert "apply_change" not in keys  # no approved commit yet
        help_key = keys["help"]
        assert help_key.region.right <= 80 and help_key.region.width > 0  # never cut off
        bar = screen.query_one(ApprovalBar)
        assert ". " in bar.render().plain and "next turn" in bar.render().plain
        assert "approve" not in bar.render().plain
        await pilot.press("e")  # the spec is not editable here: nothing opens
        assert not screen.query_one(SpecEditor).has_focus_within
        await pilot.press("a")  # a at the step gate goes on, like .
        await wait_for(pilot, lambda: screen.view.pending_approval != "step"
                       or len(_events(store, screen.run_id, "approval_given")) > 0, 10,
                       "the step gate answered")
        await at_gate(pilot, "spec")
        await pilot.pause()
        keys = {key.action: key for key in screen.query(FooterKey)}
        assert not dimmed(keys["reject"]) and not dimmed(keys["edit_spec"])
