"""The input box under a live run: steering messages and a few slash commands.

``@developer keep the public API`` goes to the developer's next turn, plain text (or
``@next``) to the next agent turn, ``/cost`` and the other commands act on the screen. ``@``
completes role names and repository paths (→ accepts the suggestion).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input

ROLES = ("requirements", "developer", "reviewer", "tester")
COMMANDS = {
    "/approve": "approve at the gate waiting now",
    "/reject": "reject at the gate waiting now (asks first)",
    "/diff": "show the diff pane",
    "/cost": "tokens and cost per role and per model",
    "/model": "the model each role uses",
    "/help": "what the composer accepts",
}
MAX_PATH_SUGGESTIONS = 20_000


@dataclass(frozen=True)
class ComposerInput:
    """What a line typed in the composer asks for."""

    kind: str
    """"steer", "command" or "error"."""
    text: str = ""
    """The steering message, or the error to show."""
    target: str = "next"
    """The role a steer is for, or "next"."""
    command: str = ""


def parse_composer(line: str) -> ComposerInput:
    """Read one submitted line (see the module's rules)."""
    line = line.strip()
    if not line:
        return ComposerInput("error", "Write a message: plain text steers the next turn, "
                                      "@role addresses one role, /help lists commands")
    if line.startswith("/"):
        command = line.split(maxsplit=1)[0].lower()
        if command not in COMMANDS:
            return ComposerInput("error", f"Unknown command {command}: /help lists them")
        return ComposerInput("command", command=command)
    target = "next"
    if line.startswith("@"):
        head, _, rest = line.partition(" ")
        name = head[1:].lower()
        if name in (*ROLES, "next"):
            target, line = name, rest.strip()
            if not line:
                return ComposerInput("error", f"Write the message for @{name} after its name")
    return ComposerInput("steer", line, target)


class MentionSuggester(Suggester):
    """Completes the ``@word`` being typed: role names first, then repository paths."""

    def __init__(self, paths: Callable[[], Sequence[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._paths = paths

    async def get_suggestion(self, value: str) -> str | None:
        head, _, word = value.rpartition(" ")
        if not word.startswith("@") or len(word) < 2:
            return None
        typed = word[1:]
        prefix = f"{head} " if head else ""
        if not head:
            for role in (*ROLES, "next"):
                if role.startswith(typed.lower()) and role != typed:
                    return f"{prefix}@{role} "
        for path in self._paths()[:MAX_PATH_SUGGESTIONS]:
            if path.startswith(typed) and path != typed:
                return f"{prefix}@{path}"
        return None


class Composer(Input):
    """One line for the human: steers and slash commands, cleared once sent."""

    DEFAULT_CSS = """
    Composer.-textual-compact { padding: 0 1; background: $boost; }
    Composer.-textual-compact:focus { background: $accent 15%; }
    """

    class Sent(Message):
        """The user submitted a line; ``parsed`` says what it asks for."""

        def __init__(self, parsed: ComposerInput) -> None:
            super().__init__()
            self.parsed = parsed

    PLACEHOLDERS: ClassVar[dict[str, str]] = {
        "live": "Steer the next turn · @developer … for one role · /help for commands",
        "stopped": "The run is stopped: R resumes it · /cost, /model, /diff, /help still work",
        "finished": "The run has finished · /cost, /model, /diff, /help still work",
    }

    def __init__(self, paths: Callable[[], Sequence[str]], *, id: str | None = None) -> None:
        # compact: one row, no border, also while focused (a tall border would hide the text)
        super().__init__(placeholder=self.PLACEHOLDERS["live"], id=id, compact=True,
                         suggester=MentionSuggester(paths))

    def show_run_state(self, state: str) -> None:
        """Say what typing here can still do: "live", "stopped" or "finished"."""
        self.placeholder = self.PLACEHOLDERS[state]

    @on(Input.Submitted)
    def _send(self, event: Input.Submitted) -> None:
        event.stop()
        parsed = parse_composer(event.value)
        if parsed.kind != "error":
            self.clear()
            self.screen.set_focus(None)  # the screen's one-key controls work again
        self.post_message(self.Sent(parsed))
