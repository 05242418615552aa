"""The command gate's question: the policy blocked a role's command; the human may run that
exact command once, allow it for this repository, or go back and refuse it at the bar."""

from __future__ import annotations

import shlex
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from workbench.mcp_calls import is_mcp_call

CommandAnswer = Literal["once", "always"]


class CommandGateScreen(ModalScreen["CommandAnswer | None"]):
    """Dismisses with "once" (o / enter), "always" (A) or None (escape: decide later)."""

    DEFAULT_CSS = """
    CommandGateScreen { align: center middle; }
    CommandGateScreen > Vertical {
        width: auto; max-width: 90%; height: auto; padding: 1 2;
        border: thick $error; background: $surface;
    }
    CommandGateScreen #command-argv { text-style: bold; margin: 1 0; }
    CommandGateScreen Horizontal { width: auto; height: auto; }
    CommandGateScreen Button { margin-right: 2; min-width: 14; }
    CommandGateScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o,enter", "answer('once')", "Run once", id="command.once", priority=True),
        Binding("A", "answer('always')", "Allow for this repository", id="command.always",
                priority=True),
        Binding("escape", "answer(None)", "Not now", id="command.cancel", priority=True),
    ]

    def __init__(self, argv: list[str], reason: str, role: str) -> None:
        super().__init__()
        self.argv, self.reason, self.role = argv, reason, role

    def compose(self) -> ComposeResult:
        with Vertical():
            what = "an MCP tool call" if is_mcp_call(self.argv) else "a command"
            yield Label(f"The policy blocked {what} of the {self.role or 'run'}:")
            yield Label(shlex.join(self.argv)[:300], id="command-argv", markup=False)
            yield Label(f"Reason: {self.reason}", id="command-reason", markup=False)
            with Horizontal():
                yield Button("Run once (o)", id="command-once", variant="warning")
                yield Button("Allow for this repo (A)", id="command-always", variant="error")
                yield Button("Not now (esc)", id="command-cancel")
            yield Label("x at the bar refuses it; r sends the role back with a comment",
                        classes="hint")

    def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False

    def action_answer(self, answer: CommandAnswer | None) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        answers: dict[str, CommandAnswer] = {"command-once": "once", "command-always": "always"}
        self.dismiss(answers.get(event.button.id or ""))
