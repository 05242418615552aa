"""What the agent at work is doing right now, in one line under the panes:
``developer · waiting for openai:gpt-4.1 · 12 s · 3.1k tokens in``.

Fed with the run's events as they arrive; hidden between turns and at gates (the approval bar
speaks then). The seconds count on a one-second ticker, never per streamed chunk.
"""

from __future__ import annotations

import time

from textual.content import Content
from textual.timer import Timer
from textual.widget import Widget

from agents.events import EventBase
from agents.figures import role_model
from agents.run_state import RunState

_ENDS = frozenset({"agent_message", "approval_requested", "run_finished", "run_parked",
                   "run_interrupted"})


def _tokens(count: int) -> str:
    return f"{count / 1000:.1f}k" if count >= 1000 else str(count)


class ActivityLine(Widget):
    """The live activity of the role whose turn it is."""

    DEFAULT_CSS = """
    ActivityLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    ActivityLine.-idle { display: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.add_class("-idle")
        self.role = ""
        self.doing = ""
        """What the role is doing: waiting for its model, streaming, running a tool."""
        self._since = 0.0
        self._tokens_in = 0
        self._streamed = 0
        self._ticker: Timer | None = None

    def follow(self, event: EventBase, view: RunState) -> None:
        """Update from one event (the run state already includes it)."""
        kind, role = event.kind, event.role
        model = role_model(view.models, view.model, role) or "the model"
        if kind in _ENDS:
            self._set("", "", event.ts)
            return
        if kind == "model_chunk":
            self._streamed += len(getattr(event, "text", ""))
            if self.doing != "streaming" or self.role != role:
                self._set(role, "streaming", event.ts)
            return
        if kind in ("turn_started", "model_call", "tool_result"):
            doing = f"waiting for {model}"
        elif kind == "tool_call":
            doing = f"running {getattr(event, 'name', 'a tool')}"
        elif kind == "model_retry":
            doing = (f"retrying {model} ({getattr(event, 'fault', '') or 'error'}, "
                     f"{getattr(event, 'attempt', 0)}/{getattr(event, 'max_attempts', 0)})")
        else:
            return
        usage = view.usage_by_role.get(role)
        self._tokens_in = usage.prompt_tokens if usage is not None else 0
        self._set(role, doing, event.ts)

    def _set(self, role: str, doing: str, since: float) -> None:
        if doing != "streaming":
            self._streamed = 0
        self.role, self.doing, self._since = role, doing, since
        active = bool(doing)
        self.set_class(not active, "-idle")
        if active and self._ticker is None and self.is_attached:
            self._ticker = self.set_interval(1.0, self.refresh)
        elif not active and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.refresh()

    def text(self) -> str:
        """The line as shown (also for tests)."""
        if not self.doing:
            return ""
        seconds = max(0, int(time.time() - self._since)) if self._since else 0
        parts = [self.role, self.doing, f"{seconds} s"]
        if self.doing == "streaming":
            parts.append(f"{self._streamed:,} chars")
        if self._tokens_in:
            parts.append(f"{_tokens(self._tokens_in)} tokens in")
        return " · ".join(parts)

    def render(self) -> Content:
        line = self.text()
        if not line:
            return Content("")
        role, _, rest = line.partition(" · ")
        return Content.assemble((role, "bold $text-accent"), " · ", rest)
