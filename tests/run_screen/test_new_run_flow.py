"""From the run list, the new-run form starts a real live run on a repository."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from workbench.demo import demo_task
from workbench.store import RunStore
from workbench.tui.screens.new_run import NewRunScreen

from .conftest import at_gate, tui, wait_for


async def _fill_form(pilot: Pilot[None], task: str, repo: str, model: str) -> None:
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, NewRunScreen), 5, "form")
    form = pilot.app.screen
    form.query_one("#task", TextArea).text = task
    form.query_one("#repo", Input).value = repo
    form.query_one("#model", Input).value = model


async def test_new_run_form_starts_a_live_run(store: RunStore, demo_repo: Path) -> None:
    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await _fill_form(pilot, demo_task(), str(demo_repo), "scripted:demo")
        await pilot.press("ctrl+s")
        screen = await at_gate(pilot, "spec")
        assert screen.view.scripted and screen.view.task == demo_task()
        assert store.get_run(screen.run_id).repo == str(demo_repo.resolve())


async def test_new_run_with_a_bad_model_file_is_a_one_line_notice(
    store: RunStore, demo_repo: Path
) -> None:
    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await _fill_form(pilot, "Do something", str(demo_repo), "scripted:/no/such/script.yaml")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, NewRunScreen)
        notes = [n.message for n in app._notifications]
        assert any("scripted file not found" in m for m in notes), notes
        assert store.runs() == []


async def test_the_form_starts_a_group_chat_run_when_ticked(
    store: RunStore, demo_repo: Path
) -> None:
    from agents.fold import fold

    app = tui(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await _fill_form(pilot, demo_task(), str(demo_repo), "scripted:demo")
        await pilot.click("#group")
        await pilot.press("ctrl+s")
        screen = await at_gate(pilot, "spec")
        assert fold(store.iter_events(screen.run_id)).mode == "group"
        assert any(e.kind == "speaker_selected" for e in store.events(screen.run_id))
