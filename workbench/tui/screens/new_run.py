"""The new-run form: task, repository, model and step mode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static, TextArea

from workbench.tui.validation import ModelValidator, check_model, check_repo, check_task


@dataclass(frozen=True)
class RunRequest:
    """What the user asked for; the engine turns it into a run."""

    task: str
    repo: str
    model: str
    step_mode: bool


class NewRunScreen(Screen[RunRequest | None]):
    """A form that dismisses with a :class:`RunRequest`, or ``None`` when cancelled."""

    TITLE = "New run"
    CSS_PATH = "new_run.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start run", id="new-run.start", priority=True),
        Binding("escape", "cancel", "Cancel", id="new-run.cancel"),
    ]

    class StartRun(Message):
        """Posted when the form is submitted with valid input."""

        def __init__(self, request: RunRequest) -> None:
            super().__init__()
            self.request = request

        @property
        def task(self) -> str:
            return self.request.task

        @property
        def repo(self) -> str:
            return self.request.repo

        @property
        def model(self) -> str:
            return self.request.model

        @property
        def step_mode(self) -> bool:
            return self.request.step_mode

    def __init__(
        self,
        *,
        task: str = "",
        repo: str = "",
        model: str = "scripted:demo",
        step_mode: bool = False,
        validate_model: ModelValidator | None = None,
    ) -> None:
        super().__init__()
        self._initial = RunRequest(task, repo, model, step_mode)
        self._validate_model = validate_model or check_model

    def compose(self) -> ComposeResult:
        initial = self._initial
        yield Static("New run", classes="screen-title")
        with Vertical(id="new-run-form"):
            yield Label("Task", classes="field-label")
            yield TextArea(
                initial.task,
                id="task",
                show_line_numbers=False,
                tab_behavior="focus",
                placeholder="What should change, and how will you know it works?",
            )
            yield Static("", id="task-error", classes="field-error -hidden")
            yield Label("Repository", classes="field-label")
            yield Input(initial.repo, placeholder="path to a git repository", id="repo")
            yield Static("", id="repo-error", classes="field-error -hidden")
            yield Label("Model", classes="field-label")
            yield Input(initial.model, placeholder="provider:model, e.g. openai:gpt-4o", id="model")
            yield Static("", id="model-error", classes="field-error -hidden")
            with Horizontal(id="new-run-buttons"):
                yield Checkbox("Step mode: pause after each turn", initial.step_mode, id="step")
                yield Button("Start", id="start", variant="primary")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#task", TextArea).focus()

    def _show_error(self, field: str, message: str | None) -> None:
        error = self.query_one(f"#{field}-error", Static)
        error.update(message or "")
        error.set_class(message is None, "-hidden")
        self.query_one(f"#{field}").set_class(message is not None, "-invalid")

    def validate(self) -> RunRequest | None:
        """Check every field, show inline errors, and return the request when all are valid."""
        task = self.query_one("#task", TextArea).text.strip()
        repo = self.query_one("#repo", Input).value.strip()
        model = self.query_one("#model", Input).value.strip()
        checks = [
            ("task", check_task(task)),
            ("repo", check_repo(repo)),
            ("model", self._validate_model(model)),
        ]
        for field, message in checks:
            self._show_error(field, message)
        bad = [field for field, message in checks if message is not None]
        if bad:
            self.query_one(f"#{bad[0]}").focus()
            return None
        return RunRequest(task, repo, model, self.query_one("#step", Checkbox).value)

    def action_start(self) -> None:
        request = self.validate()
        if request is None:
            return
        self.post_message(self.StartRun(request))
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_start()

    @on(Input.Changed, "#repo")
    @on(Input.Changed, "#model")
    def _clear_input_error(self, event: Input.Changed) -> None:
        if event.input.id:
            self._show_error(event.input.id, None)

    @on(TextArea.Changed, "#task")
    def _clear_task_error(self) -> None:
        self._show_error("task", None)
