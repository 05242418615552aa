"""The new-run form: task, repository, model, step mode and group mode.

The model field is a picker of the models the config names (and the demo), with "Other" for
any provider string; the text field under it always holds what the form submits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from widgets.footer import KeyFooter
from workbench.tui.model_choices import DEMO_CHOICE, ModelChoice
from workbench.tui.validation import ModelValidator, check_model, check_repo, check_task

OTHER = "other"
"""The picker's free-text entry (no provider string or model name is a bare "other")."""


@dataclass(frozen=True)
class RunRequest:
    """What the user asked for; the engine turns it into a run."""

    task: str
    repo: str
    model: str
    step_mode: bool
    mode: str = "pipeline"
    """``group``: the roles in a group chat that chooses who acts next."""


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
        choices: Sequence[ModelChoice] = (),
        named_models: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self._initial = RunRequest(task, repo, model, step_mode)
        self._validate_model = validate_model or check_model
        self._choices = list(choices) or [ModelChoice(DEMO_CHOICE, f"{DEMO_CHOICE} · demo")]
        self._values = {choice.value for choice in self._choices}
        self._named = frozenset(named_models)
        """Model names from the config: valid without being provider strings."""

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
            listed = initial.model in self._values
            yield Select(
                [(Text(c.label, no_wrap=True, overflow="ellipsis"), c.value)
                 for c in self._choices] + [("Other: type a provider string", OTHER)],
                value=initial.model if listed else OTHER, allow_blank=False, id="model-choice",
            )
            model = Input(initial.model, placeholder="provider:model, e.g. openai:gpt-4o",
                          id="model")
            model.display = not listed
            yield model
            yield Static("", id="model-error", classes="field-error -hidden")
            with Horizontal(id="new-run-buttons"):
                step = Checkbox("Step mode", initial.step_mode, id="step")
                step.tooltip = "Pause after each agent turn until you go on"
                yield step
                group = Checkbox("Group chat", initial.mode == "group", id="group")
                group.tooltip = ("The roles share one thread and a selector model picks who "
                                 "acts next where more than one could; the same gates")
                yield group
                yield Button("Start", id="start", variant="primary")
                yield Button("Cancel", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#task", TextArea).focus()

    def _show_error(self, field: str, message: str | None) -> None:
        error = self.query_one(f"#{field}-error", Static)
        error.update(message or "")
        error.set_class(message is None, "-hidden")
        self.query_one(f"#{field}").set_class(message is not None, "-invalid")
        if field == "model":
            self.query_one("#model-choice").set_class(message is not None, "-invalid")

    def validate(self) -> RunRequest | None:
        """Check every field, show inline errors, and return the request when all are valid."""
        task = self.query_one("#task", TextArea).text.strip()
        repo = self.query_one("#repo", Input).value.strip()
        model = self.query_one("#model", Input).value.strip()
        checks = [
            ("task", check_task(task)),
            ("repo", check_repo(repo)),
            ("model", None if model in self._named else self._validate_model(model)),
        ]
        for field, message in checks:
            self._show_error(field, message)
        bad = [field for field, message in checks if message is not None]
        if bad:
            target = self.query_one(f"#{bad[0]}")
            (target if target.display else self.query_one("#model-choice")).focus()
            return None
        group = self.query_one("#group", Checkbox).value
        return RunRequest(task, repo, model, self.query_one("#step", Checkbox).value,
                          "group" if group else "pipeline")

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

    @on(Select.Changed, "#model-choice")
    def _model_picked(self, event: Select.Changed) -> None:
        field = self.query_one("#model", Input)
        if event.value != OTHER:
            field.value = str(event.value)
            field.display = False
            return
        field.display = True
        if event.select.has_focus_within:  # the user chose Other: let them type
            field.focus()

    @on(Input.Changed, "#model")
    def _model_typed(self, event: Input.Changed) -> None:
        """Text set from outside the field (not typed) moves the picker to its entry."""
        picker = self.query_one("#model-choice", Select)
        value = event.value.strip()
        if value not in self._values:
            picker.value = OTHER
        elif not event.input.has_focus:
            picker.value = value

    @on(TextArea.Changed, "#task")
    def _clear_task_error(self) -> None:
        self._show_error("task", None)
