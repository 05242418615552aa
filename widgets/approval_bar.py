"""The pending approval gate and the keys that answer it (clickable too)."""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

CHOICES: tuple[tuple[str, str, str], ...] = (
    ("approve", "approve", "approve"), ("request_changes", "request changes", "changes"),
    ("reject", "reject", "reject"), ("steer", "steer", "steer"),
)
"""(action, label, short label) in display order; keys come from the screen's bindings."""
STEP_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("next_turn", "next turn", "next"), ("steer", "steer", "steer"),
    ("toggle_step", "step mode off", "off"),
)
"""At the step gate (step mode, after a turn) the answer is to go on."""
DELIVERED_CHOICES: tuple[tuple[str, str, str], ...] = (
    ("apply_change", "apply to my branch", "apply"),
)
"""Once approved and committed (the "delivered" state) the step left is the user's."""
DEFAULT_KEYS = {"approve": "a", "request_changes": "r", "reject": "x", "steer": "i",
                "next_turn": ".", "toggle_step": "f6", "apply_change": "y"}
GATE_TITLES = {"spec": "Spec gate", "final": "Final gate", "command": "Command approval",
               "step": "Step", "delivered": "Committed"}


class ApprovalBar(Widget):
    """Shows the gate waiting for a human; hidden when none is."""

    DEFAULT_CSS = """
    ApprovalBar { height: 1; background: $warning 20%; padding: 0 1; }
    ApprovalBar.-idle { display: none; }
    ApprovalBar.-replay { background: $panel; }
    ApprovalBar.-delivered { background: $success 20%; }
    """

    gate: reactive[str | None] = reactive[str | None](None)
    """The gate waiting for an answer ("spec", "final", "command", "step"), "delivered"
    once the run's change is committed (the message names commit and branch), or None."""
    message: reactive[str] = reactive("")
    """What the engine asks at the gate."""
    live: reactive[bool] = reactive(True)
    """A live run can be answered; a replay only shows where it waited."""

    class Chosen(Message):
        """The user clicked an answer (``choice`` is the action name, e.g. "approve")."""

        def __init__(self, bar: ApprovalBar, gate: str, choice: str) -> None:
            super().__init__()
            self.bar = bar
            self.gate = gate
            self.choice = choice

        @property
        def control(self) -> ApprovalBar:
            return self.bar

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.add_class("-idle")
        self._hits: list[tuple[int, int, str]] = []

    def show_gate(self, gate: str | None, message: str = "", *, live: bool = True) -> None:
        """Show ``gate`` (None hides the bar)."""
        self.gate = gate
        self.message = message
        self.live = live

    def watch_gate(self, gate: str | None) -> None:
        self.set_class(gate is None, "-idle")
        self.set_class(gate == "delivered", "-delivered")

    def watch_live(self, live: bool) -> None:
        self.set_class(not live, "-replay")

    def _key_for(self, action: str) -> str:
        """The key the screen binds to ``action`` (so remapped keys show correctly)."""
        try:
            bindings = self.screen.active_bindings
        except Exception:  # not on a screen yet
            return DEFAULT_KEYS[action]
        for active in bindings.values():
            if active.binding.action == action:
                return self.app.get_key_display(active.binding)
        return DEFAULT_KEYS[action]

    def render(self) -> Content:
        self._hits = []
        if self.gate is None:
            return Content("")
        delivered = self.gate == "delivered"
        title = Content.styled(f"{'✓' if delivered else '◇'} "
                               f"{GATE_TITLES.get(self.gate, self.gate)}",
                               f"bold {'$text-success' if delivered else '$text-warning'}")
        message = Content(f" {self.message}" if delivered else f" — {self.message}"
                          ) if self.message else Content("")
        if not self.live and not delivered:  # a replay can apply a commit too
            return Content.assemble(
                title, message, ("   (replay: fork the run to answer)", "$text-muted"))
        width = self.content_region.width or 200
        for with_message, short in ((True, False), (False, False), (False, True)):
            head = Content.assemble(title, message if with_message else "", "   ")
            hints, hits = self._hints(head.cell_length, short)
            line = Content.assemble(head, *hints)
            if line.cell_length <= width:
                break
        self._hits = hits
        return line

    def _hints(self, x: int, short: bool) -> tuple[list[Content], list[tuple[int, int, str]]]:
        hints: list[Content] = []
        hits: list[tuple[int, int, str]] = []
        choices = {"step": STEP_CHOICES, "delivered": DELIVERED_CHOICES}.get(self.gate or "",
                                                                            CHOICES)
        for action, label, short_label in choices:
            key = self._key_for(action)
            hint = Content.assemble((f" {key} ", "bold reverse $text-accent"),
                                    f" {short_label if short else label}  ")
            hits.append((x, x + hint.cell_length, action))
            x += hint.cell_length
            hints.append(hint)
        return hints, hits

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.gate is None:
            return
        for start, end, action in self._hits:
            if start <= offset.x < end:
                self.post_message(self.Chosen(self, self.gate, action))
                return


if __name__ == "__main__":
    from textual.app import App, ComposeResult

    class _Demo(App[None]):
        def compose(self) -> ComposeResult:
            yield ApprovalBar()

        def on_mount(self) -> None:
            self.query_one(ApprovalBar).show_gate("spec", "Approve the spec")

        def on_approval_bar_chosen(self, message: ApprovalBar.Chosen) -> None:
            self.notify(f"{message.gate}: {message.choice}")

    _Demo().run()
