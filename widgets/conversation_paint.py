"""Drawing conversation items into Strips at a given width (used by ConversationView)."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from textual.content import Content
from textual.strip import Strip
from textual.style import Style

from agents.run_state import ConversationItem
from widgets.conversation_cards import message_card
from widgets.strips import content_strip, text_strip

LABEL_WIDTH = 13
MAX_DETAIL_LINES = 400
ROLES = ("requirements", "developer", "reviewer", "tester", "human", "system")
ONE_LINE_KINDS = frozenset({"tool_call", "tool_result", "artifact", "phase"})
"""Kinds drawn on one (truncated) line; the rest wrap."""
_ICONS = {"tool_call": "⚙", "tool_result": "↳", "steer": "➜", "approval": "◇", "error": "✗",
          "policy": "⊘", "artifact": "◆", "injection": "⚠"}


def _body(item: ConversationItem, expanded: bool) -> tuple[Content, str]:
    """The item's text and the name of the component style it is drawn in."""
    icon = _ICONS.get(item.kind, "")
    match item.kind:
        case "message":
            card = None if expanded else message_card(item.text)
            return card or Content(item.text), ""
        case "tool_call" | "tool_result":
            mark = ("▾ " if expanded else "▸ ") if item.details else "  "
            return Content(f"{mark}{icon} {item.text}"), "error" if item.is_error else "tool"
        case "phase":
            return Content(f"── {item.text} ──"), "phase"
        case "error" | "policy" | "injection":
            return Content(f"{icon} {item.text}"), "error"
        case "steer" | "approval":
            return Content(f"{icon} {item.text}"), item.kind
        case _:
            return Content(f"{icon} {item.text}"), "tool"


def has_details(item: ConversationItem) -> bool:
    """Whether Enter on ``item`` shows more: its details, or the raw reply behind a card."""
    return bool(item.details) or (item.kind == "message" and message_card(item.text) is not None)


class ItemPainter:
    """Paints items as: selection bar, role label column, then the (wrapped) text."""

    def __init__(self, style: Callable[[str], Style], base: Style, width: int) -> None:
        self.style = style
        """Component style by short name ("developer", "tool", "details", ...)."""
        self.base = base
        self.width = max(LABEL_WIDTH + 10, width)

    def _label(self, role: str, first: bool) -> Strip:
        known = role if role in ROLES else "system"
        text = role[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH) if first else " " * LABEL_WIDTH
        return text_strip(text, self.base + self.style(known))

    def height(self, item: ConversationItem, expanded: bool) -> int:
        """The number of lines ``item()`` draws, without drawing them."""
        height = 1
        if item.kind not in ONE_LINE_KINDS:
            body = _body(item, expanded)[0]
            text_width = self.width - LABEL_WIDTH - 1
            if "\n" in body.plain or cell_len(body.plain) > text_width:  # else: one line
                height = len(body.wrap(text_width)) or 1
        if expanded and item.details:
            height += len(self._detail_lines(item.details))
        return height

    def item(self, item: ConversationItem, expanded: bool, selected: bool) -> list[Strip]:
        base = self.base
        body, style_name = _body(item, expanded)
        body_style = base + self.style(style_name) if style_name else base
        text_width = self.width - LABEL_WIDTH - 1
        if item.kind in ONE_LINE_KINDS:
            lines = [body.truncate(text_width, ellipsis=True)]
        else:
            lines = body.wrap(text_width) or [Content("")]
        bar = text_strip("▌" if selected else " ", base + self.style("selected"))
        strips = [Strip.join([bar, self._label(item.role, n == 0),
                              content_strip(line, body_style)])
                  for n, line in enumerate(lines)]
        if expanded and item.details:
            strips += self._details(item.details, bar)
        return [s.crop_extend(0, self.width, base.rich_style) for s in strips]

    def _detail_lines(self, details: str) -> list[Content]:
        raw = details.splitlines() or [""]
        more = len(raw) - MAX_DETAIL_LINES
        lines: list[Content] = []
        for line in raw[:MAX_DETAIL_LINES]:
            lines += Content(line.expandtabs(4)).wrap(self.width - LABEL_WIDTH - 3) or [
                Content("")]
        if more > 0:
            lines.append(Content(f"… {more} more lines"))
        return lines

    def _details(self, details: str, bar: Strip) -> list[Strip]:
        style = self.base + self.style("details")
        pad = text_strip(" " * LABEL_WIDTH, self.base)
        return [Strip.join([bar, pad, text_strip("  ", style), content_strip(line, style)])
                .crop_extend(0, self.width, style.rich_style)
                for line in self._detail_lines(details)]

    def stream(self, role: str, text: str) -> list[Strip]:
        """A role's live streamed text, with a block cursor at its end."""
        style = self.base + self.style("streaming")
        lines = Content(text + "▍").wrap(self.width - LABEL_WIDTH - 1) or [Content("")]
        return [Strip.join([text_strip(" ", self.base), self._label(role, n == 0),
                            content_strip(line, style)])
                .crop_extend(0, self.width, self.base.rich_style)
                for n, line in enumerate(lines)]
