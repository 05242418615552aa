"""A small modal that asks for one line of text (comment, steer message, event number)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class TextPrompt(ModalScreen[str | None]):
    """Dismisses with the entered text, or None on escape."""

    DEFAULT_CSS = """
    TextPrompt { align: center middle; }
    TextPrompt > Vertical {
        width: 80%; max-width: 100; height: auto; padding: 1 2;
        border: thick $accent; background: $surface;
    }
    TextPrompt Label { margin-bottom: 1; }
    TextPrompt .hint { color: $text-muted; margin-top: 1; margin-bottom: 0; }
    TextPrompt .hint.-error { color: $text-error; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, placeholder: str = "", *, allow_empty: bool = False) -> None:
        super().__init__()
        self._title = title
        self._placeholder = placeholder
        self._allow_empty = allow_empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title)
            yield Input(placeholder=self._placeholder, id="prompt-input")
            yield Label("enter to send · escape to cancel", classes="hint", id="prompt-hint")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text or self._allow_empty:
            self.dismiss(text)
            return
        self.app.bell()
        hint = self.query_one("#prompt-hint", Label)
        hint.update("Nothing to send: write it first (escape cancels)")
        hint.add_class("-error")

    def action_cancel(self) -> None:
        self.dismiss(None)
