"""Edit a FeatureSpec as YAML or JSON, validated live, with each problem shown on its line."""

from __future__ import annotations

from typing import ClassVar, Self

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static, TextArea

from agents.contracts import FeatureSpec
from widgets.spec_check import SpecCheck, SpecFormat, SpecProblem, check_spec, dump_spec
from widgets.spec_text_area import SpecTextArea

DEBOUNCE_S = 0.15

class SpecEditor(Vertical):
    """FeatureSpec editor with live validation; approval is refused while the spec is invalid."""

    DEFAULT_CSS = """
    SpecEditor { height: 1fr; }
    SpecEditor > #spec-status { height: 1; padding: 0 1; background: $panel; }
    SpecEditor:focus-within > #spec-status { background: $primary 25%; }
    SpecEditor > #spec-problems { height: auto; max-height: 6; padding: 0 1;
                                  color: $text-error; background: $error 10%; }
    SpecEditor > #spec-problems.-hidden { display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "approve", "Approve spec", id="spec.approve"),
        Binding("ctrl+t", "toggle_format", "YAML/JSON", id="spec.toggle_format"),
        Binding("f8", "next_problem", "Next problem", id="spec.next_problem"),
    ]

    format: reactive[SpecFormat] = reactive[SpecFormat]("yaml")
    """The text format being edited: "yaml" or "json"."""
    read_only: reactive[bool] = reactive(False)
    """Replay: the text can be read but not edited or approved."""

    class Approved(Message):
        """The user approved the spec (``edited`` if it differs from the one loaded)."""

        def __init__(self, editor: SpecEditor, spec: FeatureSpec, edited: bool) -> None:
            super().__init__()
            self.editor = editor
            self.spec = spec
            self.edited = edited

        @property
        def control(self) -> SpecEditor:
            return self.editor

    class Validated(Message):
        """Validation finished after an edit."""

        def __init__(self, editor: SpecEditor, problems: tuple[SpecProblem, ...]) -> None:
            super().__init__()
            self.editor = editor
            self.problems = problems

        @property
        def valid(self) -> bool:
            return not self.problems

        @property
        def control(self) -> SpecEditor:
            return self.editor

    def __init__(self, spec: FeatureSpec | None = None, *, format: SpecFormat = "yaml",
                 read_only: bool = False, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._original = spec
        self.set_reactive(SpecEditor.format, format)
        self.set_reactive(SpecEditor.read_only, read_only)
        text = dump_spec(spec, format) if spec else ""
        self._check: SpecCheck = check_spec(text, format)
        self._timer: Timer | None = None
        self._notice = ""
        self._area = SpecTextArea(text, language=format, read_only=read_only, id="spec-text")

    def compose(self) -> ComposeResult:
        yield Static(id="spec-status")
        yield self._area
        yield Static(id="spec-problems", classes="-hidden")

    def on_mount(self) -> None:
        self._show_check()

    # ------------------------------------------------------------------- API
    @property
    def text_area(self) -> SpecTextArea:
        return self._area

    def focus(self, scroll_visible: bool = True) -> Self:
        """Focus the text (the editor itself only arranges its parts)."""
        self._area.focus(scroll_visible)
        return self

    @property
    def spec(self) -> FeatureSpec | None:
        """The spec as currently typed, if valid."""
        return self._check.spec

    @property
    def problems(self) -> tuple[SpecProblem, ...]:
        return self._check.problems

    @property
    def error_summary(self) -> str:
        """One line about the problems ("" when valid)."""
        problems = self._check.problems
        if not problems:
            return "" if self._check.valid else "empty spec"
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        return f"{problems[0]}{more}"

    def current_spec(self) -> FeatureSpec | None:
        """Validate the text now and return the spec, or None while it is invalid."""
        return self.validate_now().spec

    @property
    def edited(self) -> bool:
        return self._check.spec is not None and self._check.spec != self._original

    def load_spec(self, spec: FeatureSpec | None) -> None:
        """Replace the text with ``spec`` (e.g. a newer spec artifact)."""
        self._original = spec
        self._area.load_text(dump_spec(spec, self.format) if spec else "")
        self.validate_now()

    def load_draft(self, text: str) -> None:
        """Start from an invalid attempt (the JSON object in it when there is one): there is
        no approved original, so a valid result counts as edited."""
        self._original = None
        start, end = text.find("{"), text.rfind("}")
        self._area.load_text(text[start:end + 1] if 0 <= start < end else text)
        self.validate_now()

    def validate_now(self) -> SpecCheck:
        """Validate immediately (skipping the debounce) and show the result."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._check = check_spec(self._area.text, self.format)
        self._notice = ""
        self._show_check()
        self.post_message(self.Validated(self, self._check.problems))
        return self._check

    def approve(self) -> bool:
        """Post :class:`Approved` if the spec is valid; otherwise ring the bell and say why."""
        check = self.validate_now()
        if self.read_only:
            self._refuse("read-only: this spec cannot be approved here")
            return False
        if check.spec is None:
            first = check.problems[0] if check.problems else None
            self._refuse(f"cannot approve: {len(check.problems)} problem(s), first at "
                         f"line {first.line + 1}" if first else "cannot approve: empty spec")
            return False
        self.post_message(self.Approved(self, check.spec, self.edited))
        return True

    # --------------------------------------------------------------- actions
    def action_approve(self) -> None:
        self.approve()

    def action_toggle_format(self) -> None:
        data = self._check.data
        if data is None:
            self._refuse("fix the syntax error before switching format")
            return
        self.format = "json" if self.format == "yaml" else "yaml"

    def watch_format(self, old: SpecFormat, new: SpecFormat) -> None:
        if old == new or self._check.data is None:
            return
        self._area.language = new
        self._area.load_text(dump_spec(self._check.data, new))
        self.validate_now()

    def watch_read_only(self, read_only: bool) -> None:
        self._area.read_only = read_only
        if self.is_mounted:
            self._show_check()

    def action_next_problem(self) -> None:
        lines = sorted({p.line for p in self.problems})
        if not lines:
            self.app.bell()
            return
        row = self._area.cursor_location[0]
        target = next((line for line in lines if line > row), lines[0])
        self._area.move_cursor((target, 0), center=True)
        self._area.focus()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self.validate_now)

    # --------------------------------------------------------------- helpers
    def _refuse(self, reason: str) -> None:
        self.app.bell()
        self._notice = reason
        self._show_check()

    def _show_check(self) -> None:
        check = self._check
        self._area.set_problems(check.problems)
        parts: list[tuple[str, str] | str] = [(self.format.upper(), "bold"), " · "]
        if check.valid:
            parts.append(("✓ valid", "$text-success"))
            if self.edited:
                parts.append((" · edited", "$text-warning"))
        else:
            count = len(check.problems)
            parts.append((f"✗ {count} problem{'s' if count != 1 else ''}", "$text-error"))
        if self.read_only:
            parts.append((" · read-only", "$text-muted"))
        if self._notice:
            parts.append((f" · {self._notice}", "$text-error bold"))
        self.query_one("#spec-status", Static).update(Content.assemble(*parts))
        problems = self.query_one("#spec-problems", Static)
        problems.set_class(check.valid, "-hidden")
        problems.update(Content("\n".join(str(p) for p in check.problems)))


if __name__ == "__main__":
    from textual.app import App

    from widgets.samples import SAMPLE_SPEC

    class _Demo(App[None]):
        def compose(self) -> ComposeResult:
            yield SpecEditor(SAMPLE_SPEC)

        def on_spec_editor_approved(self, message: SpecEditor.Approved) -> None:
            self.notify(f"approved (edited={message.edited})")

    _Demo().run()
