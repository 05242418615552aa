"""A small yes/no question in a modal (quitting or leaving while a run is in progress)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

QUIT_QUESTION = "A run is in progress. Quit and stop it? It stays resumable."
LEAVE_QUESTION = "A run is in progress. Leave and stop it? It stays resumable."


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True for y / enter, False for n / escape (buttons do the same)."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: auto; max-width: 80%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    ConfirmScreen #confirm-question { margin-bottom: 1; max-width: 100%; }
    ConfirmScreen Horizontal { width: auto; height: auto; }
    ConfirmScreen Button { margin-right: 2; min-width: 12; }
    ConfirmScreen .hint { color: $text-muted; margin-top: 1; }
    """
    # Priority: enter must confirm even though a button would otherwise take it.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes", priority=True),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", priority=True),
    ]

    def __init__(self, question: str, yes: str = "Quit and stop", no: str = "Stay") -> None:
        super().__init__()
        self.question = question
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, id="confirm-question")
            with Horizontal():
                yield Button(f"{self._yes} (y)", id="confirm-yes", variant="warning")
                yield Button(f"{self._no} (n)", id="confirm-no")
            yield Label("y / enter: yes · n / escape: no", classes="hint")

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False  # keys answer; focus would only suggest enter picks it

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")
