"""The live agent conversation: messages, tool calls, steering, approvals, streamed text.

A Line API widget: items are wrapped once per width and drawn only when on screen, so long
runs replay instantly and streamed chunks cost a list append (the tail is redrawn at most
``STREAM_FPS`` times a second). When a whole conversation is loaded, only the items at its end
are wrapped at once; the others get an estimated height that is replaced by the measured one
before they are first drawn.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.timer import Timer

from agents.run_state import ConversationItem, RunState
from widgets.conversation_paint import (
    LABEL_WIDTH,
    ONE_LINE_KINDS,
    ROLES,
    ItemPainter,
    has_details,
)

STREAM_FPS = 20
_KEEP_WIDTHS = 3
"""Widths whose item heights stay cached."""
_EXACT_SCREENS = 2
"""Screens of lines at the end of a loaded conversation that are measured at once."""


def _estimated_height(text: str, width: int) -> int:
    """Roughly the lines ``text`` wraps to at ``width`` cells (no word breaks considered)."""
    width = max(1, width)
    return sum(len(line) // width + 1 for line in text.split("\n"))


class ConversationView(ScrollView, can_focus=True):
    """Every conversation item of a run, with expandable tool calls and live streamed text."""

    DEFAULT_CSS = """
    ConversationView { background: $surface; }
    ConversationView > .conversation--requirements { color: $text-secondary; text-style: bold; }
    ConversationView > .conversation--developer { color: $text-primary; text-style: bold; }
    ConversationView > .conversation--reviewer { color: $text-warning; text-style: bold; }
    ConversationView > .conversation--tester { color: $text-success; text-style: bold; }
    ConversationView > .conversation--human { color: $text-accent; text-style: bold; }
    ConversationView > .conversation--system { color: $text-muted; text-style: bold; }
    ConversationView > .conversation--tool { color: $text-muted; }
    ConversationView > .conversation--error { color: $text-error; }
    ConversationView > .conversation--steer { color: $text-accent; }
    ConversationView > .conversation--approval { color: $text-warning; }
    ConversationView > .conversation--phase { color: $text-muted; }
    ConversationView > .conversation--details { background: $boost; color: $text-muted; }
    ConversationView > .conversation--streaming { color: $text-muted; text-style: italic; }
    ConversationView > .conversation--selected { color: $accent; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *(f"conversation--{role}" for role in ROLES),
        "conversation--tool", "conversation--error", "conversation--steer",
        "conversation--approval", "conversation--phase", "conversation--details",
        "conversation--streaming", "conversation--selected",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "select(-1)", "Previous item", show=False, id="conversation.up"),
        Binding("down", "select(1)", "Next item", show=False, id="conversation.down"),
        Binding("enter", "toggle_details", "Details", id="conversation.toggle_details"),
        Binding("home", "select_edge(0)", "First item", show=False, id="conversation.first"),
        Binding("end", "select_edge(1)", "Latest", show=False, id="conversation.last"),
    ]

    selected: reactive[int | None] = reactive(None, repaint=False)
    """Index of the selected item (its details toggle with Enter), or None."""

    class ItemSelected(Message):
        """The user selected an item (e.g. to jump a replay to its event)."""

        def __init__(self, item: ConversationItem, index: int) -> None:
            super().__init__()
            self.item = item
            self.index = index

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._items: list[ConversationItem] = []
        self._expanded: set[int] = set()
        self._heights: list[int] = []
        self._starts: list[int] = [0]
        self._estimated: set[int] = set()
        """Items whose height is an estimate: measured before they are drawn."""
        self._streams: dict[str, list[str]] = {}
        self._tail: list[Strip] = []
        self._stream_dirty = False
        self._stream_timer: Timer | None = None
        self._width = 0
        self._generation = 0
        self._cache: LRUCache[tuple[int, int, bool, bool, int], list[Strip]] = LRUCache(256)
        self._styles: dict[str, Style] = {}
        self._follow = True
        self._heights_cache: dict[tuple[int, str, str, str, bool], int] = {}
        self._heights_by_width: dict[int, dict[tuple[int, str, str, str, bool], int]] = {}
        """Item heights at the last few widths (a scrollbar coming and going changes it)."""

    # ------------------------------------------------------------------- API
    @property
    def items(self) -> list[ConversationItem]:
        return self._items

    def load(self, view: RunState) -> None:
        """Show the whole conversation of ``view`` (e.g. after a replay jump)."""
        self._items = list(view.items)
        self._expanded = {i for i in self._expanded if i < len(self._items)}
        if self.selected is not None and self.selected >= len(self._items):
            self.selected = None
        self._streams = {role: list(parts) for role, parts in view.streaming.items() if parts}
        self._relayout(follow=True)

    def add_item(self, item: ConversationItem) -> None:
        """Append one item (live); a message finalises its role's streamed text."""
        at_end = self._at_end()
        if item.kind == "message" and self._streams.pop(item.role, None) is not None:
            self._render_tail()
        self._items.append(item)
        height = self._measure(len(self._items) - 1)
        self._heights.append(height)
        self._starts.append(self._starts[-1] + height)
        self._update_size(at_end)

    def append_chunk(self, role: str, text: str) -> None:
        """Append streamed text for ``role``; redrawn in batches, never per chunk."""
        self._streams.setdefault(role, []).append(text)
        self._stream_dirty = True
        if self._stream_timer is None and self.is_attached:
            self._stream_timer = self.set_interval(1 / STREAM_FPS, self._flush_stream)

    def is_expanded(self, index: int) -> bool:
        return index in self._expanded

    def toggle_details(self, index: int) -> bool:
        """Expand or collapse item ``index``; False if it has nothing to show."""
        if not 0 <= index < len(self._items) or not has_details(self._items[index]):
            return False
        self._expanded ^= {index}
        self._estimated.discard(index)
        self._heights[index] = self._measure(index)
        self._starts[index + 1:] = list(accumulate(self._heights[index:],
                                                   initial=self._starts[index]))[1:]
        self._update_size(False)
        if index in self._expanded:
            self._scroll_to_item(index)  # the details just opened are what the user wants
        return True

    # --------------------------------------------------------------- actions
    def action_select(self, delta: int) -> None:
        if not self._items:
            return
        current = self.selected
        if current is None:
            target = len(self._items) - 1 if delta < 0 else 0
            target = self._first_visible() if delta > 0 else target
        else:
            target = max(0, min(len(self._items) - 1, current + delta))
        self._select(target)

    def action_select_edge(self, end: int) -> None:
        if self._items:
            self._select(len(self._items) - 1 if end else 0)
        if end:
            self.scroll_end(animate=False)

    def action_toggle_details(self) -> None:
        if self.selected is None or not self.toggle_details(self.selected):
            self.app.bell()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self._index_at(self.scroll_offset.y + offset.y)
        if index is not None:
            self._select(index)
            self.toggle_details(index)

    def _select(self, index: int) -> None:
        if self._measure_estimated([index]):
            self._update_size(False)
        self.selected = index
        self._scroll_to_item(index)
        self.post_message(self.ItemSelected(self._items[index], index))

    def _scroll_to_item(self, index: int) -> None:
        """Bring item ``index`` into view: all of it, or its top when it is taller."""
        top = self._starts[index]
        bottom = top + self._heights[index]
        height = self.scrollable_content_region.height
        if top < self.scroll_offset.y:
            target = top
        elif height and bottom > self.scroll_offset.y + height:
            target = min(top, bottom - height)
        else:
            return
        self._follow = target >= self.max_scroll_y
        self.scroll_to(y=target, animate=False, immediate=True)

    def watch_selected(self, old: int | None, new: int | None) -> None:
        self.refresh()

    # ---------------------------------------------------------------- layout
    def _at_end(self) -> bool:
        """Follow the tail: true unless the user scrolled away from the end."""
        return self._follow

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._follow = round(new) >= self.max_scroll_y

    def _first_visible(self) -> int:
        return self._index_at(self.scroll_offset.y) or 0

    def _index_at(self, line: int) -> int | None:
        if not self._items or line >= self._starts[-1]:
            return None
        return bisect_right(self._starts, line) - 1

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._width:
            self._relayout(follow=self._at_end())

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """The scrollbar came or went without a resize: lay out again at the new width."""
        if self.is_mounted and self._width and self.scrollable_content_region.width != self._width:
            self._relayout(follow=self._at_end())

    def _layout_width(self) -> int:
        """The width to lay items out at, counting a vertical scrollbar the items will need.

        Every item takes at least one line, so more items than visible lines means a scrollbar:
        measuring at the narrower width at once saves measuring every item twice.
        """
        region = self.scrollable_content_region
        if (not self.show_vertical_scrollbar and self.styles.overflow_y == "auto"
                and len(self._items) > region.height > 0):
            return max(0, region.width - self.styles.scrollbar_size_vertical)
        return region.width

    def notify_style_update(self) -> None:
        self._styles.clear()
        self._generation += 1
        super().notify_style_update()

    def _relayout(self, follow: bool) -> None:
        width = self._layout_width()
        if width != self._width or not self._heights_by_width:
            self._heights_cache = self._heights_by_width.pop(width, {})
            self._heights_by_width[width] = self._heights_cache
            for old in list(self._heights_by_width)[:-_KEEP_WIDTHS]:
                del self._heights_by_width[old]
        self._width = width
        self._generation += 1
        painter = self._painter()
        if follow:
            self._heights = self._estimate_heights(painter)
        else:
            self._estimated = set()
            self._heights = [self._measure(i, painter) for i in range(len(self._items))]
        self._starts = list(accumulate(self._heights, initial=0))
        if self._estimated:
            self._measure_tail(painter)
        self._render_tail()
        self._update_size(follow)

    def _estimate_heights(self, painter: ItemPainter) -> list[int]:
        """Item heights: known ones from the cache, the rest estimated (see ``_estimated``)."""
        heights: list[int] = []
        estimated: set[int] = set()
        cache = self._heights_cache
        expanded = self._expanded
        text_width = painter.width - LABEL_WIDTH - 1
        for index, item in enumerate(self._items):
            if index in expanded:
                heights.append(self._measure(index, painter))
            elif item.kind in ONE_LINE_KINDS:
                heights.append(1)
            else:
                height = cache.get((item.seq, item.kind, item.role, item.text, False))
                if height is None:
                    height = _estimated_height(item.text, text_width)
                    estimated.add(index)
                heights.append(height)
        self._estimated = estimated
        return heights

    def _measure_tail(self, painter: ItemPainter) -> None:
        """Measure the items at the end: the screens a conversation opens at."""
        wanted = max(1, self.scrollable_content_region.height) * _EXACT_SCREENS
        covered = 0
        tail: list[int] = []
        for index in range(len(self._items) - 1, -1, -1):
            if covered >= wanted:
                break
            if index in self._estimated:
                tail.append(index)
                covered += self._measure(index, painter)
            else:
                covered += self._heights[index]
        self._measure_estimated(tail, painter)

    def _measure_estimated(self, indexes: list[int], painter: ItemPainter | None = None) -> bool:
        """Replace the estimated heights of ``indexes`` by measured ones; True if any changed."""
        todo = [index for index in indexes if index in self._estimated]
        if not todo:
            return False
        painter = painter or self._painter()
        changed = min(todo)
        for index in todo:
            self._estimated.discard(index)
            self._heights[index] = self._measure(index, painter)
        self._starts[changed + 1:] = list(accumulate(self._heights[changed:],
                                                     initial=self._starts[changed]))[1:]
        return True

    def _measure_visible(self) -> bool:
        """Measure every estimated item in the viewport (and those measuring pulls in)."""
        changed = False
        top = self.scroll_offset.y
        bottom = top + self.size.height
        while self._estimated:
            first = self._index_at(top)
            if first is None:
                break
            last = min(len(self._items), bisect_right(self._starts, bottom))
            if not self._measure_estimated(list(range(first, last))):
                break
            changed = True
        return changed

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._estimated and self._measure_visible():
            self.virtual_size = Size(self._width, self._starts[-1] + len(self._tail))
            self._styles_cache.clear()
        return super().render_lines(crop)

    def _update_size(self, follow: bool) -> None:
        self.virtual_size = Size(self._width, self._starts[-1] + len(self._tail))
        if follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def _flush_stream(self) -> None:
        if not self._stream_dirty:
            if self._stream_timer is not None and not self._streams:
                self._stream_timer.stop()
                self._stream_timer = None
            return
        self._stream_dirty = False
        at_end = self._at_end()
        self._render_tail()
        self._update_size(at_end)

    # ------------------------------------------------------------- rendering
    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_visual_style(f"conversation--{name}")
        return style

    def _measure(self, index: int, painter: ItemPainter | None = None) -> int:
        """Lines item ``index`` takes at the current width (cached across replay jumps)."""
        item = self._items[index]
        expanded = index in self._expanded
        if item.kind in ONE_LINE_KINDS and not expanded:
            return 1
        key = (item.seq, item.kind, item.role, item.text, expanded)
        height = self._heights_cache.get(key)
        if height is None:
            painter = painter or self._painter()
            height = self._heights_cache[key] = painter.height(item, expanded)
        return height

    def _item_strips(self, index: int) -> list[Strip]:
        selected = index == self.selected
        expanded = index in self._expanded
        key = (index, self._width, expanded, selected, self._generation)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        strips = self._painter().item(self._items[index], expanded, selected)
        self._cache[key] = strips
        return strips

    def _painter(self) -> ItemPainter:
        return ItemPainter(self._style, self.visual_style, self._width)

    def _render_tail(self) -> None:
        """Draw the live streamed text of every role that is mid-turn."""
        painter = self._painter()
        self._tail = [strip for role, parts in self._streams.items()
                      for strip in painter.stream(role, "".join(parts))]

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        blank = Strip.blank(width, self.visual_style.rich_style)
        total = self._starts[-1]
        if line >= total:
            tail_index = line - total
            return self._tail[tail_index] if tail_index < len(self._tail) else blank
        index = bisect_right(self._starts, line) - 1
        strips = self._item_strips(index)
        offset = line - self._starts[index]
        return strips[offset] if offset < len(strips) else blank


if __name__ == "__main__":
    from textual.app import App, ComposeResult

    from widgets.samples import sample_events

    class _Demo(App[None]):
        def compose(self) -> ComposeResult:
            yield ConversationView()

        def on_mount(self) -> None:
            view = self.query_one(ConversationView)
            view.load(RunState.from_events(sample_events()))
            view.focus()

    _Demo().run()
