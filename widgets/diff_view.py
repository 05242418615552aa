"""The patch viewer: unified or side-by-side diff, hunk navigation, per-hunk accept/reject,
and (at wide sizes) the changed files with their changed functions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Self

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from widgets.diff_lines import DiffLines
from widgets.diff_rows import DiffModel, build_model

WIDE = 110
"""Width (cells) from which the file list is shown beside the diff."""
_CHANGE_SIGNS = {"added": ("+", "$text-success"), "deleted": ("-", "$text-error"),
                 "removed": ("-", "$text-error"), "modified": ("~", "$text-warning")}


class DiffView(Vertical, can_focus=False):
    """A diff with per-hunk accept/reject. Hunk ids are ``path#index`` (see agents.diff)."""

    DEFAULT_CSS = """
    DiffView { height: 1fr; }
    DiffView > #diff-summary { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    DiffView > #diff-body { height: 1fr; }
    DiffView #diff-files { display: none; width: 36; height: 1fr;
                           border-right: vkey $border-blurred; }
    DiffView.-wide #diff-files { display: block; }
    DiffView #diff-files:focus-within { border-right: vkey $border; }
    DiffView DiffLines { width: 1fr; height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "hunk(1)", "Next hunk", id="diff.next_hunk"),
        Binding("p", "hunk(-1)", "Prev hunk", id="diff.prev_hunk"),
        Binding("right_square_bracket", "file(1)", "Next file", show=False,
                key_display="]", id="diff.next_file"),
        Binding("left_square_bracket", "file(-1)", "Prev file", show=False,
                key_display="[", id="diff.prev_file"),
        Binding("space", "toggle_hunk", "Accept/reject hunk", key_display="space",
                id="diff.toggle_hunk"),
        Binding("s", "toggle_split", "Split/unified", id="diff.toggle_split"),
    ]

    split: reactive[bool] = reactive(False)
    """Side-by-side layout instead of unified."""
    read_only: reactive[bool] = reactive(False)
    """Refuse accept/reject (replay of a finished run)."""

    class HunkToggled(Message):
        """A hunk was accepted (``accepted``) or rejected by the user."""

        def __init__(self, diff_view: DiffView, hunk_id: str, accepted: bool) -> None:
            super().__init__()
            self.diff_view = diff_view
            self.hunk_id = hunk_id
            self.accepted = accepted

        @property
        def control(self) -> DiffView:
            return self.diff_view

    def __init__(self, diff_text: str = "", *, read_only: bool = False, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = diff_text
        self._functions: dict[str, list[tuple[str, str]]] = {}
        self.model = DiffModel()
        self._ready = False
        self.set_reactive(DiffView.read_only, read_only)

    def compose(self) -> ComposeResult:
        yield Static(id="diff-summary")
        with Horizontal(id="diff-body"):
            yield OptionList(id="diff-files", compact=True)
            yield DiffLines(id="diff-lines")

    def on_mount(self) -> None:
        self._ready = True
        self.load_diff(self._text)
        self.lines.split = self.split

    @property
    def lines(self) -> DiffLines:
        return self.query_one(DiffLines)

    def focus(self, scroll_visible: bool = True) -> Self:
        """Focus the diff body (the view itself only arranges its parts)."""
        if self._ready:
            self.lines.focus(scroll_visible)
        return self

    # ------------------------------------------------------------------- API
    def load_diff(self, text: str) -> None:
        """Show ``text`` (a unified diff); every hunk starts accepted."""
        self._text = text
        self.model = build_model(text)
        if not self._ready:
            return
        lines = self.lines
        lines.rejected.clear()
        lines.set_model(self.model)
        self._refresh_files()
        self._refresh_summary()

    def set_changed_functions(self, mapping: dict[str, list[tuple[str, str]]]) -> None:
        """Changed functions per path: ``{path: [(qualified_name, change), ...]}``."""
        self._functions = dict(mapping)
        if self._ready:
            self._refresh_files()

    @property
    def rejected_hunks(self) -> frozenset[str]:
        """Ids of the hunks the user rejected."""
        return frozenset(self.lines.rejected) if self._ready else frozenset()

    def set_rejected_hunks(self, hunk_ids: Iterable[str]) -> None:
        """Restore a rejection set (e.g. from a recorded approval); posts nothing."""
        known = set(self.model.hunk_ids)
        self.lines.rejected.clear()
        self.lines.rejected.update(h for h in hunk_ids if h in known)
        self.lines.invalidate()
        self._refresh_summary()

    # --------------------------------------------------------------- actions
    def action_hunk(self, direction: int) -> None:
        if not self.lines.jump("hunk", direction):
            self.app.bell()

    def action_file(self, direction: int) -> None:
        if not self.lines.jump("file", direction):
            self.app.bell()

    def action_toggle_split(self) -> None:
        self.split = not self.split

    def watch_split(self, split: bool) -> None:
        if self._ready:
            self.lines.split = split
            self._refresh_summary()

    def action_toggle_hunk(self) -> None:
        """Accept/reject the hunk under the cursor (on a file header: the whole file)."""
        lines = self.lines
        row = lines.row_at(lines.cursor)
        if self.read_only or row is None:
            self.app.bell()
            return
        if row.kind == "file":
            ids = [h.id for h in self.model.files[row.file_index].hunks]
            reject = not set(ids) <= lines.rejected
        elif row.hunk_id is not None:
            ids = [row.hunk_id]
            reject = row.hunk_id not in lines.rejected
        else:
            self.app.bell()
            return
        for hunk_id in ids:
            if (hunk_id in lines.rejected) != reject:
                if reject:
                    lines.rejected.add(hunk_id)
                else:
                    lines.rejected.discard(hunk_id)
                self.post_message(self.HunkToggled(self, hunk_id, accepted=not reject))
        lines.invalidate()
        self._refresh_summary()

    # --------------------------------------------------------------- helpers
    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")

    def _refresh_summary(self) -> None:
        model = self.model
        summary = self.query_one("#diff-summary", Static)
        if model.error:
            summary.update(Content.styled(f"Not a diff: {model.error}", "$text-error"))
            return
        if not model.files:
            summary.update("No changes")
            return
        added = sum(h.added for f in model.files for h in f.hunks)
        removed = sum(h.removed for f in model.files for h in f.hunks)
        rejected = len(self.lines.rejected)
        parts = [
            (f"{len(model.files)} file(s) · {len(model.hunk_ids)} hunk(s) · ", ""),
            (f"+{added}", "$text-success"), (" ", ""), (f"-{removed}", "$text-error"),
            (f" · {rejected} rejected" if rejected else "", "$text-error"),
            (" · side by side" if self.split else " · unified", ""),
        ]
        summary.update(Content.assemble(*parts))

    def _refresh_files(self) -> None:
        options: list[Option] = []
        for fi, f in enumerate(self.model.files):
            added = sum(h.added for h in f.hunks)
            removed = sum(h.removed for h in f.hunks)
            options.append(Option(Content.assemble(
                (f.path, "bold"), " ", (f"+{added}", "$text-success"), " ",
                (f"-{removed}", "$text-error")), id=f"f:{fi}"))
            for k, (name, change) in enumerate(self._functions.get(f.path, [])):
                sign, style = _CHANGE_SIGNS.get(change, ("~", "$text-warning"))
                options.append(Option(Content.assemble(
                    "  ", (sign, style), " ", (name, "$text-primary")), id=f"fn:{fi}:{k}"))
        self.query_one("#diff-files", OptionList).set_options(options)

    @on(OptionList.OptionSelected, "#diff-files")
    def _jump_to_file(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        parts = (event.option_id or "").split(":")
        fi = int(parts[1])
        lines = self.lines
        target = self.model.starts("file", False)[fi]
        if parts[0] == "fn":
            path = self.model.files[fi].path
            name = self._functions[path][int(parts[2])][0].rsplit(".", 1)[-1]
            target = self._find_in_file(fi, name, target)
        if self.split:
            target = self.model.unified_to_split[target]
        lines.move_cursor(target, top=True)
        lines.focus()

    def _find_in_file(self, file_index: int, name: str, default: int) -> int:
        for row in self.model.rows[default:]:
            if row.file_index != file_index:
                break
            if row.kind in ("add", "remove", "context") and name in row.text:
                return row.pos
        return default


if __name__ == "__main__":
    from textual.app import App

    from widgets.samples import SAMPLE_DIFF, SAMPLE_FUNCTIONS

    class _Demo(App[None]):
        def compose(self) -> ComposeResult:
            view = DiffView(SAMPLE_DIFF)
            view.set_changed_functions(SAMPLE_FUNCTIONS)
            yield view

    _Demo().run()
