"""Small helpers for Line API widgets: turn Content and plain text into Strips."""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.style import Style


def parse_style(style: str | Style) -> Style:
    """Resolve a style string (theme variables included) through the running app."""
    return style if isinstance(style, Style) else Style.parse(style)


def content_strip(content: Content, base: Style) -> Strip:
    """One line of ``content`` drawn over ``base``."""
    segments = [Segment(text, style.rich_style)
                for text, style in content.render(base, end="", parse_style=parse_style)]
    return Strip(segments, content.cell_length)


def text_strip(text: str, style: Style) -> Strip:
    """Plain ``text`` in a single style."""
    return Strip([Segment(text, style.rich_style)])
