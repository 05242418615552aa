"""Test results: counts, failed tests, the failure slice, and the full log on demand."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Log, Static

from agents.contracts import TestResult
from agents.redact import printable

_STATUS_STYLE = {"passed": "$text-success", "failed": "$text-error", "error": "$text-error",
                 "blocked": "$text-warning", "timeout": "$text-warning"}
MAX_FAILED_SHOWN = 8


class TestOutputView(Vertical, can_focus=True):
    """The latest TestResult; ``l`` swaps the failure slice for the full log."""

    __test__ = False  # not a pytest class

    DEFAULT_CSS = """
    TestOutputView { height: 1fr; }
    TestOutputView > #tests-summary { height: auto; padding: 0 1; background: $panel; }
    TestOutputView:focus > #tests-summary { background: $primary 25%; }
    TestOutputView > #tests-failed { height: auto; max-height: 10; padding: 0 1;
                                     color: $text-error; }
    TestOutputView > #tests-log-title { height: 1; padding: 0 1; color: $text-muted;
                                        text-style: bold; }
    TestOutputView > Log { height: 1fr; padding: 0 1; background: $surface; overflow: auto auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "toggle_log", "Full log", id="tests.toggle_log"),
        Binding("up", "scroll_log('up')", "Scroll up", show=False, id="tests.up"),
        Binding("down", "scroll_log('down')", "Scroll down", show=False, id="tests.down"),
        Binding("pageup", "scroll_log('page_up')", "Page up", show=False, id="tests.page_up"),
        Binding("pagedown", "scroll_log('page_down')", "Page down", show=False,
                id="tests.page_down"),
    ]

    show_full_log: reactive[bool] = reactive(False)
    """Show the full log instead of the failure slice."""

    class FullLogRequested(Message):
        """The user asked for the full log and it has not been supplied yet."""

        def __init__(self, view: TestOutputView, artifact_id: int | None) -> None:
            super().__init__()
            self.view = view
            self.artifact_id = artifact_id

        @property
        def control(self) -> TestOutputView:
            return self.view

    def __init__(self, result: TestResult | None = None, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._result = result
        self._full_log: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="tests-summary")
        yield Static(id="tests-failed")
        yield Static(id="tests-log-title")
        log = Log(id="tests-log")
        log.can_focus = False
        yield log

    def on_mount(self) -> None:
        self._refresh()

    # ------------------------------------------------------------------- API
    @property
    def result(self) -> TestResult | None:
        return self._result

    def show_result(self, result: TestResult | None) -> None:
        """Show ``result``; a new run forgets the previous full log."""
        if result is not None and self._result is not None and \
                result.log_artifact != self._result.log_artifact:
            self._full_log = None
        self._result = result
        if result is None:
            self._full_log = None
        if self.is_mounted:
            self._refresh()

    def set_full_log(self, text: str) -> None:
        """Supply the full log (e.g. read from the artifact store by the screen)."""
        self._full_log = printable(text)
        if self.is_mounted:
            self._refresh()

    # --------------------------------------------------------------- actions
    def action_toggle_log(self) -> None:
        self.show_full_log = not self.show_full_log

    def watch_show_full_log(self, show: bool) -> None:
        if show and self._full_log is None:
            artifact = self._result.log_artifact if self._result else None
            self.post_message(self.FullLogRequested(self, artifact))
        if self.is_mounted:
            self._refresh()

    def action_scroll_log(self, how: str) -> None:
        log = self.query_one(Log)
        {"up": log.scroll_up, "down": log.scroll_down, "page_up": log.scroll_page_up,
         "page_down": log.scroll_page_down}[how](animate=False)

    # ---------------------------------------------------------------- render
    def _refresh(self) -> None:
        result = self._result
        summary = self.query_one("#tests-summary", Static)
        failed = self.query_one("#tests-failed", Static)
        title = self.query_one("#tests-log-title", Static)
        log = self.query_one(Log)
        log.clear()
        if result is None:
            summary.update(Content.styled("No test run yet.", "$text-muted"))
            failed.display = False
            title.display = False
            return
        summary.update(self._summary(result))
        failed.display = bool(result.failed_tests)
        shown = result.failed_tests[:MAX_FAILED_SHOWN]
        more = len(result.failed_tests) - len(shown)
        failed.update(Content("\n".join(
            [f"✗ {name}" for name in shown] + ([f"  … {more} more"] if more > 0 else []))))
        title.display = True
        if self.show_full_log:
            title.update("Full log  (l: failure slice)")
            log.write(self._full_log if self._full_log is not None else "loading the full log…")
        else:
            title.update("Failure slice  (l: full log)" if result.failure_slice
                         else "No failure output  (l: full log)")
            log.write(result.failure_slice)
        log.scroll_home(animate=False)

    @staticmethod
    def _summary(result: TestResult) -> Content:
        style = _STATUS_STYLE.get(result.status, "")
        parts: list[tuple[str, str] | str] = [
            (f" {result.status.upper()} ", f"bold reverse {style}"), "  ",
            (f"{result.passed} passed", "$text-success" if result.passed else "$text-muted"),
            "  ", (f"{result.failed} failed", "$text-error" if result.failed else "$text-muted"),
            "  ", (f"{result.errors} errors", "$text-error" if result.errors else "$text-muted"),
            "  ", (f"{result.skipped} skipped", "$text-warning" if result.skipped
                   else "$text-muted"),
        ]
        details = []
        if result.exit_code is not None:
            details.append(f"exit {result.exit_code}")
        if result.duration_s:
            details.append(f"{result.duration_s:.2f} s")
        if result.command:
            details.append(" ".join(result.command))
        if details:
            parts.append(("  · " + " · ".join(details), "$text-muted"))
        return Content.assemble(*parts)


if __name__ == "__main__":
    from textual.app import App

    from widgets.samples import SAMPLE_LOG, SAMPLE_TEST_RESULT

    class _Demo(App[None]):
        def compose(self) -> ComposeResult:
            yield TestOutputView(SAMPLE_TEST_RESULT, id="tests")

        def on_test_output_view_full_log_requested(self) -> None:
            self.query_one(TestOutputView).set_full_log(SAMPLE_LOG)

    _Demo().run()
