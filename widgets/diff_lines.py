"""The scrolling body of the diff viewer: renders only the rows on screen (Line API)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import chain
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.timer import Timer

from widgets.diff_highlight import DiffHighlighter, warm_up
from widgets.diff_rows import CODE_KINDS, DiffModel, DiffRow, SplitRow
from widgets.strips import content_segments, fit, split_indents

_SIGNS = {"add": "+", "remove": "-", "context": " "}
_REJECTED = RichStyle(dim=True, strike=True)


class DiffLines(ScrollView, can_focus=True):
    """Diff rows with a line cursor, in unified or side-by-side layout."""

    DEFAULT_CSS = """
    DiffLines { background: $surface; }
    DiffLines > .diff-lines--file { background: $panel; color: $text; text-style: bold; }
    DiffLines > .diff-lines--hunk { background: $boost; color: $text-accent; }
    DiffLines > .diff-lines--added { background: $success 12%; }
    DiffLines > .diff-lines--removed { background: $error 12%; }
    DiffLines > .diff-lines--context { }
    DiffLines > .diff-lines--gutter { color: $text-muted; }
    DiffLines > .diff-lines--cursor { background: $accent 40%; color: $text; }
    DiffLines > .diff-lines--rejected { color: $text-error; text-style: bold; }
    DiffLines > .diff-lines--accepted { color: $text-success; }
    DiffLines > .diff-lines--note { color: $text-muted; text-style: italic; }
    DiffLines > .diff-lines--sign-add { color: $text-success; text-style: bold; }
    DiffLines > .diff-lines--sign-remove { color: $text-error; text-style: bold; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff-lines--file", "diff-lines--hunk", "diff-lines--added", "diff-lines--removed",
        "diff-lines--context", "diff-lines--gutter", "diff-lines--cursor",
        "diff-lines--rejected", "diff-lines--accepted", "diff-lines--note",
        "diff-lines--sign-add", "diff-lines--sign-remove",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Line up", show=False, id="diff.cursor_up"),
        Binding("down", "cursor(1)", "Line down", show=False, id="diff.cursor_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="diff.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="diff.page_down"),
        Binding("home", "first", "First line", show=False, id="diff.first"),
        Binding("end", "last", "Last line", show=False, id="diff.last"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)
    """Index of the cursor row in the current layout."""
    split: reactive[bool] = reactive(False)
    """Side-by-side layout (old on the left, new on the right) instead of unified."""

    class CursorMoved(Message):
        """The cursor moved to another row."""

        def __init__(self, row: int, hunk_id: str | None) -> None:
            super().__init__()
            self.row = row
            self.hunk_id = hunk_id

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model = DiffModel()
        self.highlighter = DiffHighlighter(self.model)
        self.rejected: set[str] = set()
        self._num_width = 4
        self._generation = 0
        self._line_cache: LRUCache[tuple[int, int, int, bool, int], Strip] = LRUCache(512)
        self._styles: dict[str, Style] = {}
        self._prefetch_timer: Timer | None = None

    def invalidate(self) -> None:
        """Forget rendered lines (after a change to the model, layout or rejected hunks)."""
        self._generation += 1
        self.refresh()

    def notify_style_update(self) -> None:
        self._styles.clear()
        self._generation += 1
        super().notify_style_update()

    # ------------------------------------------------------------------ data
    def set_model(self, model: DiffModel) -> None:
        self.model = model
        self.highlighter = DiffHighlighter(model)
        numbers = [r.old_no or 0 for r in model.rows[-200:]] + [r.new_no or 0
                                                                 for r in model.rows[-200:]]
        self._num_width = max(4, len(str(max(max(numbers, default=0), 1))))
        self._update_virtual_size()
        self.scroll_to(0, 0, animate=False)
        self.cursor = 0
        self.invalidate()
        self._schedule_prefetch()

    @property
    def row_count(self) -> int:
        return len(self.model.split if self.split else self.model.rows)

    def row_at(self, index: int) -> DiffRow | None:
        if not 0 <= index < self.row_count:
            return None
        return self.model.split[index].any if self.split else self.model.rows[index]

    @property
    def hunk_id(self) -> str | None:
        """The hunk under the cursor, if any."""
        row = self.row_at(self.cursor)
        return row.hunk_id if row else None

    # ---------------------------------------------------------------- cursor
    def move_cursor(self, row: int, *, top: bool = False) -> None:
        row = max(0, min(row, self.row_count - 1))
        self.cursor = row
        height = self.scrollable_content_region.height or self.size.height
        y = self.scroll_offset.y
        if top or row < y:
            self.scroll_to(y=row, animate=False)
        elif height and row >= y + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self.post_message(self.CursorMoved(new, self.hunk_id))

    def watch_split(self, old: bool, new: bool) -> None:
        if old == new or not self.is_mounted:
            return
        model = self.model
        if new:
            target = model.unified_to_split[self.cursor] if model.rows else 0
        else:
            target = model.split[self.cursor].unified if model.split else 0
        self._update_virtual_size()
        self.move_cursor(target)
        self.invalidate()

    def jump(self, kind: str, direction: int) -> bool:
        """Move to the next (1) or previous (-1) ``kind`` header; False at the end."""
        starts = self.model.starts(kind, self.split)
        if direction > 0:
            i = bisect_right(starts, self.cursor)
            if i >= len(starts):
                return False
        else:
            i = bisect_left(starts, self.cursor) - 1
            if i < 0:
                return False
        target = starts[i]
        prev = self.row_at(target - 1)
        self.cursor = target
        top = target - 1 if prev is not None and prev.kind == "file" else target
        self.scroll_to(y=top, animate=False)
        return True

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.move_cursor(self.cursor + direction * height)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.row_count - 1)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.move_cursor(self.scroll_offset.y + offset.y)

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()

    # -------------------------------------------------------------- geometry
    @property
    def _gutter_width(self) -> int:
        return 1 + (self._num_width + 1) * (1 if self.split else 2)

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        code = self.model.max_code_width + 1
        if self.split:
            half = max(1, (width - 1) // 2 - self._gutter_width - 1)
            virtual_width = width + max(0, code - half)
        else:
            virtual_width = self._gutter_width + 1 + code
        self.virtual_size = Size(virtual_width, self.row_count)

    # ------------------------------------------------------------- rendering
    def _vs(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_visual_style(f"diff-lines--{name}")
        return style

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._schedule_prefetch()

    def _schedule_prefetch(self) -> None:
        if self._prefetch_timer is None and self.is_mounted:
            self._prefetch_timer = self.set_timer(0.05, self._prefetch_step)

    def _prefetch_step(self) -> None:
        """Highlight one block near the viewport while idle, so scrolling finds it ready."""
        self._prefetch_timer = None
        if warm_up(set(self.model.languages)):
            self._prefetch_timer = self.set_timer(0.01, self._prefetch_step)
            return
        y, height = self.scroll_offset.y, max(1, self.size.height)
        for index in chain(range(y, y + 3 * height), range(max(0, y - height), y)):
            if index >= self.row_count:
                continue
            unified = self.model.split[index].unified if self.split else index
            if self.highlighter.prefetch(unified):
                self._prefetch_timer = self.set_timer(0.01, self._prefetch_step)
                return

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        key = (index, self.scroll_offset.x, width, index == self.cursor, self._generation)
        cached = self._line_cache.get(key)
        if cached is not None:
            return cached
        base = self.visual_style
        if index >= self.row_count:
            return Strip.blank(width, base.rich_style)
        if self.split:
            item = self.model.split[index]
            if item.full is not None:
                segments = self._full_row(item.full, index, width)
            else:
                segments = self._split_row(item, index, width)
        else:
            row = self.model.rows[index]
            if row.kind in CODE_KINDS:
                segments = self._unified_row(row, index, width)
            else:
                segments = self._full_row(row, index, width)
        strip = Strip(split_indents(fit(segments, 0, width, base.rich_style)), width)
        self._line_cache[key] = strip
        return strip

    def _rs(self, name: str) -> RichStyle:
        return self._vs(name).rich_style

    def _marker(self, index: int) -> Segment:
        if index == self.cursor:
            return Segment("▌", self._rs("cursor"))
        return Segment(" ", self._rs("gutter"))

    def _full_row(self, row: DiffRow, index: int, width: int) -> list[Segment]:
        kind = {"file": "file", "hunk": "hunk"}.get(row.kind, "note")
        style = self._vs(kind)
        label: Segment | None = None
        if row.kind == "hunk" and row.hunk_id is not None:
            if row.hunk_id in self.rejected:
                label = Segment(" ✗ rejected ", (style + self._vs("rejected")).rich_style)
            else:
                label = Segment(" ✓ accepted ", (style + self._vs("accepted")).rich_style)
        elif row.kind == "file":
            ids = {h.id for h in self.model.files[row.file_index].hunks}
            if ids & self.rejected:
                n = len(ids & self.rejected)
                label = Segment(f" ✗ {n}/{len(ids)} rejected ",
                                (style + self._vs("rejected")).rich_style)
        body_width = max(0, width - 1 - (label.cell_length if label else 0))
        body = fit([Segment(" " + row.text, style.rich_style)], 0, body_width, style.rich_style)
        return [self._marker(index), *body, *([label] if label else [])]

    def _code(self, row: DiffRow, width: int, style: Style) -> list[Segment]:
        """Sign and code of a row, ``width`` cells, cropped at the horizontal scroll."""
        sign_style = self._vs(f"sign-{row.kind}") if row.kind != "context" else style
        code = content_segments(self.highlighter.content(row.pos), style)
        code = fit(code, self.scroll_offset.x, max(0, width - 2), style.rich_style)
        if row.hunk_id in self.rejected:
            code = list(Segment.apply_style(code, _REJECTED))
        return [Segment(_SIGNS[row.kind] + " ", (style + sign_style).rich_style), *code]

    def _row_style(self, row: DiffRow) -> Style:
        return self._vs({"add": "added", "remove": "removed"}.get(row.kind, "context"))

    def _unified_row(self, row: DiffRow, index: int, width: int) -> list[Segment]:
        n = self._num_width
        gutter = self._rs("cursor" if index == self.cursor else "gutter")
        numbers = f"{row.old_no or '':>{n}} {row.new_no or '':>{n}} "
        code = self._code(row, width - self._gutter_width, self._row_style(row))
        return [self._marker(index), Segment(numbers, gutter), *code]

    def _split_row(self, item: SplitRow, index: int, width: int) -> list[Segment]:
        n = self._num_width
        half = (width - 2) // 2
        gutter = self._rs("cursor" if index == self.cursor else "gutter")
        base = self.visual_style.rich_style
        segments: list[Segment] = [self._marker(index)]
        for side, row in (("old", item.left), ("new", item.right)):
            side_width = half if side == "old" else width - 2 - half
            if row is None:
                segments.append(Segment(" " * side_width, base))
            else:
                number = row.old_no if side == "old" else row.new_no
                code = self._code(row, side_width - n - 1, self._row_style(row))
                segments += fit([Segment(f"{number or '':>{n}} ", gutter), *code], 0,
                                side_width, base)
            if side == "old":
                segments.append(Segment("│", self._rs("gutter")))
        return segments
