"""The new-run form: inline errors for bad input, a RunRequest for good input."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Input, Static, TextArea

from tests.tui.apps import RecordingApp
from workbench.store import RunStore
from workbench.tui.screens.new_run import NewRunScreen, RunRequest
from workbench.tui.screens.runs import RunListScreen
from workbench.tui.validation import check_model, check_repo


def _error(screen: NewRunScreen, field: str) -> str:
    widget = screen.query_one(f"#{field}-error", Static)
    return str(widget.render()) if widget.display else ""


async def _open_form(app: RecordingApp, pilot: object) -> NewRunScreen:
    await app.screen.run_action("app.new_run")
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, NewRunScreen)
    return app.screen


async def test_n_opens_form_with_model_from_settings(store: RunStore) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NewRunScreen)
        assert screen.query_one("#model", Input).value == "scripted:demo"
        assert screen.query_one("#task", TextArea).has_focus


async def test_empty_task_and_missing_repo_are_refused(store: RunStore) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_form(app, pilot)
        await pilot.click("#start")
        await pilot.pause()
        assert app.screen is screen
        assert "Describe the change" in _error(screen, "task")
        assert "git repository" in _error(screen, "repo")
        assert screen.query_one("#task", TextArea).has_focus
        assert app.started == [] and app.start_messages == []


async def test_a_plain_directory_is_not_a_repository(store: RunStore, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_form(app, pilot)
        screen.query_one("#task", TextArea).text = "Add a flag"
        screen.query_one("#repo", Input).value = str(plain)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert _error(screen, "task") == ""
        assert f"Not a git repository: {plain}" in _error(screen, "repo")
        assert screen.query_one("#repo", Input).has_focus
        # Typing clears the error.
        await pilot.press("x")
        assert _error(screen, "repo") == ""


async def test_bad_model_is_refused(store: RunStore, git_repo: Path) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_form(app, pilot)
        screen.query_one("#task", TextArea).text = "Add a flag"
        screen.query_one("#repo", Input).value = str(git_repo)
        screen.query_one("#model", Input).value = "gpt-4o"
        await pilot.click("#start")
        await pilot.pause()
        assert "PROVIDER:MODEL" in _error(screen, "model")
        assert app.started == []


async def test_valid_form_starts_a_run(store: RunStore, git_repo: Path) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_form(app, pilot)
        await pilot.press(*"Add a flag")
        screen.query_one("#repo", Input).value = str(git_repo)
        screen.query_one("#model", Input).value = "openai:gpt-4o-mini"
        await pilot.click("#step")
        assert screen.query_one("#step", Checkbox).value
        await pilot.click("#start")
        await pilot.pause()
        expected = RunRequest("Add a flag", str(git_repo), "openai:gpt-4o-mini", True)
        assert app.started == [expected]
        assert app.start_messages == [expected]
        assert isinstance(app.screen, RunListScreen)


async def test_escape_cancels_without_starting(store: RunStore) -> None:
    app = RecordingApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_form(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RunListScreen)
        assert app.started == []


async def test_custom_model_validator_is_used(store: RunStore, git_repo: Path) -> None:
    app = RecordingApp(store)
    app.validate_model = lambda spec: None if spec == "scripted:demo" else "only the demo"
    app.default_repo = str(git_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_form(app, pilot)
        assert screen.query_one("#repo", Input).value == str(git_repo)
        screen.query_one("#task", TextArea).text = "Add a flag"
        screen.query_one("#model", Input).value = "openai:gpt-4o"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert _error(screen, "model") == "only the demo"


def test_repo_check_points_subdirectories_at_the_top_level(git_repo: Path) -> None:
    sub = git_repo / "src"
    sub.mkdir()
    assert check_repo(str(git_repo)) is None
    message = check_repo(str(sub))
    assert message is not None and str(git_repo) in message
    assert check_repo(str(git_repo / "missing")) == f"No such directory: {git_repo / 'missing'}"


def test_model_check_knows_the_providers() -> None:
    for spec in ("scripted:demo", "openai:gpt-4o", "azure:dep", "anthropic:claude",
                 "ollama:qwen", "gemini:gemini-2.0-flash", "replay:run-1"):
        assert check_model(spec) is None, spec
    assert check_model("openai:") == "Missing the model name after openai:"
    assert check_model("mystery:x") is not None
    assert check_model("llamacpp:/m.gguf") is not None  # serve it with llama-server instead
