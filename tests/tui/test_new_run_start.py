"""Starting a run: the form opens on the repository the app started in, and the model is
picked from what the config names."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, TextArea

from tests.tui.apps import RecordingApp
from workbench.config import ModelSettings, NamedModel, load_settings
from workbench.repo_root import repo_root
from workbench.store import RunStore
from workbench.tui.launch import WorkbenchTUI
from workbench.tui.model_choices import model_choices
from workbench.tui.screens.new_run import OTHER, NewRunScreen, RunRequest
from workbench.tui.screens.runs import RunListScreen


def _configured() -> ModelSettings:
    return ModelSettings(
        default="standard",
        roles={"reviewer": "anthropic:claude-sonnet-4-5", "developer": "standard"},
        models={"standard": NamedModel(provider="openai:gpt-4.1"),
                "small": NamedModel(provider="ollama", model="qwen2.5-coder")},
    )


def test_repo_root_walks_up_to_the_working_tree(git_repo: Path, tmp_path: Path) -> None:
    deep = git_repo / "src" / "pkg"
    deep.mkdir(parents=True)
    assert repo_root(deep) == git_repo.resolve()
    assert repo_root(git_repo) == git_repo.resolve()
    plain = tmp_path / "plain"
    plain.mkdir()
    assert repo_root(plain) is None
    assert repo_root(git_repo / "typo") is None  # a missing folder is not the repo above it


def test_choices_name_every_configured_model_once() -> None:
    choices = model_choices(_configured())
    values = [c.value for c in choices]
    assert values == ["standard", "anthropic:claude-sonnet-4-5", "small", "scripted:demo"]
    first = choices[0].label
    assert "standard = openai:gpt-4.1" in first and "default (config routing)" in first
    assert "developer in config" in first and "named model" in first
    assert "reviewer in config" in choices[1].label
    assert "small = ollama:qwen2.5-coder" in choices[2].label


async def test_started_in_a_repo_opens_the_form_on_it(store: RunStore, git_repo: Path) -> None:
    app = WorkbenchTUI(store, load_settings(), repo=str(git_repo))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewRunScreen)
        assert form.query_one("#repo", Input).value == str(git_repo)
        assert form.query_one("#task", TextArea).has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RunListScreen)


async def test_outside_a_repo_the_run_list_opens(store: RunStore) -> None:
    app = WorkbenchTUI(store, load_settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RunListScreen)


async def test_model_is_picked_from_config_or_typed(store: RunStore, git_repo: Path) -> None:
    app = RecordingApp(store)
    app.settings.models = _configured()
    app.default_repo = str(git_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewRunScreen)
        picker = form.query_one("#model-choice", Select)
        field = form.query_one("#model", Input)
        assert picker.value == "standard" and not field.display
        await pilot.press(*"Add a flag")
        # Pick the reviewer's model with the keyboard: open the list, go down one, Enter.
        picker.focus()
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert picker.value == "anthropic:claude-sonnet-4-5"
        assert field.value == "anthropic:claude-sonnet-4-5" and not field.display
        # Other: the text field appears, focused, for any provider string.
        await pilot.press("enter", "end", "enter")
        await pilot.pause()
        assert picker.value == OTHER and field.display and field.has_focus
        field.value = ""
        await pilot.press(*"ollama:llama3.2")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.started == [RunRequest("Add a flag", str(git_repo), "ollama:llama3.2", False)]


async def test_a_named_model_is_valid_and_submitted_by_name(
    store: RunStore, git_repo: Path
) -> None:
    app = RecordingApp(store)
    app.settings.models = _configured()
    app.default_repo = str(git_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Add a flag")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.started == [RunRequest("Add a flag", str(git_repo), "standard", False)]
