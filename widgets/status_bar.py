"""One line of run facts: status, phase, active role, model, tokens, cost, budgets, clock."""

from __future__ import annotations

import time

from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from agents.contracts import RunStatus
from agents.figures import format_clock, format_cost, format_tokens, role_model, status_label
from agents.run_state import RunState

_STATUS_STYLE = {
    RunStatus.PENDING: "$text-muted", RunStatus.RUNNING: "$text-primary",
    RunStatus.WAITING_FOR_APPROVAL: "$text-warning", RunStatus.APPROVED: "$text-success",
    RunStatus.NEEDS_HUMAN_REVIEW: "$text-warning", RunStatus.BLOCKED_BY_POLICY: "$text-error",
    RunStatus.REJECTED: "$text-error", RunStatus.FAILED: "$text-error",
    RunStatus.INTERRUPTED: "$text-muted", RunStatus.WAITING: "$text-warning",
}
SEPARATOR = " · "


def format_budget(name: str, used: float, limit: float) -> str:
    if name == "cost":
        return f"cost ${used:.2f}/${limit:.2f}"
    if name == "tokens":
        return f"tokens {format_tokens(int(used))}/{format_tokens(int(limit))}"
    return f"{name.replace('_', ' ')} {used:g}/{limit:g}"


class RunStatusBar(Widget):
    """Status facts of one run. Segments drop out by priority when the bar is narrow."""

    DEFAULT_CSS = """
    RunStatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    view: reactive[RunState | None] = reactive[RunState | None](None, always_update=True)
    """The run state shown (call :meth:`update_view` after each event)."""
    step_mode: reactive[bool] = reactive(False)
    """The run pauses after every agent turn."""
    paused: reactive[bool] = reactive(False)
    """The run is paused before the next agent turn."""
    clock: reactive[bool] = reactive(False)
    """Tick the elapsed time with the wall clock (live runs); otherwise show event time."""

    def __init__(self, view: RunState | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(RunStatusBar.view, view)
        self._ticker: Timer | None = None

    def update_view(self, view: RunState) -> None:
        self.view = view

    def watch_clock(self, clock: bool) -> None:
        if clock and self._ticker is None:
            self._ticker = self.set_interval(1.0, self.refresh)
        elif not clock and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def elapsed(self) -> float:
        view = self.view
        if view is None or not view.started_ts:
            return 0.0
        if self.clock and not view.finished:
            return max(view.elapsed, time.time() - view.started_ts)
        return view.elapsed

    def _segments(self, view: RunState) -> list[tuple[int, Content]]:
        """(priority, text) pairs in display order; lower priority drops first."""
        status = view.status
        segments: list[tuple[int, Content]] = [
            (9, Content.styled(f" {status_label(status.value).upper()} ",
                               f"bold reverse {_STATUS_STYLE.get(status, '')}")),
        ]
        if view.retrying and not view.finished:
            retry = f" RETRY {view.retrying} "
            segments.append((8, Content.styled(retry, "reverse $text-warning")))
        if self.paused:
            segments.append((8, Content.styled(" PAUSED ", "bold reverse $text-warning")))
        if self.step_mode:
            segments.append((8, Content.styled(" STEP ", "bold reverse $text-accent")))
        if view.sandbox is not None:
            backend, jailed = view.sandbox
            segments.append((2, Content.styled(f"jail: {backend}", "$text-muted")) if jailed
                            else (7, Content.styled(" NOT JAILED ", "bold reverse $text-error")))
        if view.mode == "group":  # the turns are handed out by a group chat
            segments.append((3, Content.styled("group chat", "$text-accent")))
        if view.phase:
            segments.append((7, Content.styled(view.phase.replace("_", " "), "bold")))
        waiting = view.pending_approval is not None or view.finished
        if view.active_role and not waiting:  # at a gate nobody is at work
            segments.append((5, Content.styled(view.active_role, "$text-accent")))
        # one model whatever the phase: the active role's, else the developer's (the run's),
        # written as configured, the way the run list writes it
        model = role_model(view.models, view.model, "" if waiting else view.active_role)
        if view.scripted:
            segments.append((8, Content.styled(" SCRIPTED ", "bold reverse $text-warning")))
        elif model.startswith("replay:"):  # a stand-in as well: the recorded run's outputs
            segments.append((8, Content.styled(" REPLAY ", "bold reverse $text-warning")))
        if model:
            segments.append((2, Content.styled(model, "$text-muted")) if view.scripted
                            else (4, Content(model)))
        # tokens, cost and time outrank the role and the model: they are what the run list
        # compares, and the bar keeps them at 80 columns
        segments.append((6, Content(f"{format_tokens(view.total_tokens)} tok")))
        segments.append((6, Content(format_cost(view.cost))))
        for name, (used, limit) in view.budgets.items():
            if limit and name != "cost":
                style = "$text-error" if used > limit else (
                    "$text-warning" if used >= 0.8 * limit else "")
                segments.append((1, Content.styled(format_budget(name, used, limit), style)))
        segments.append((6, Content(format_clock(self.elapsed()) + " elapsed")))
        return segments

    def render(self) -> Content:
        view = self.view
        if view is None:
            return Content.styled("no run", "$text-muted")
        segments = self._segments(view)
        width = self.content_region.width or 200
        while len(segments) > 1:
            total = sum(c.cell_length for _, c in segments) + len(SEPARATOR) * (len(segments) - 1)
            if total <= width:
                break
            lowest = min(range(len(segments)), key=lambda i: (segments[i][0], -i))
            del segments[lowest]
        return Content(SEPARATOR).join(c for _, c in segments)


if __name__ == "__main__":
    from textual.app import App, ComposeResult

    from widgets.samples import sample_events

    class _Demo(App[None]):
        def compose(self) -> ComposeResult:
            yield RunStatusBar(RunState.from_events(sample_events()))

    _Demo().run()
