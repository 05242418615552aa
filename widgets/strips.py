"""Small helpers for Line API widgets: turn Content and plain text into Strips."""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.content import Content
from textual.strip import Strip
from textual.style import Style


def parse_style(style: str | Style) -> Style:
    """Resolve a style string (theme variables included) through the running app."""
    return style if isinstance(style, Style) else Style.parse(style)


def content_segments(content: Content, base: Style) -> list[Segment]:
    """The segments of one line of ``content`` drawn over ``base``."""
    return [Segment(text, style.rich_style)
            for text, style in content.render(base, end="", parse_style=parse_style)]


def content_strip(content: Content, base: Style) -> Strip:
    """One line of ``content`` drawn over ``base``."""
    return Strip(split_indents(content_segments(content, base)), content.cell_length)


def split_indents(segments: Iterable[Segment]) -> list[Segment]:
    """``segments`` with the leading spaces of each one split off into a segment of their own.

    A terminal draws both forms the same. An SVG screenshot draws each segment as a ``<text>``
    element placed at its first cell, and SVG rasterisers such as librsvg drop the leading
    (no-break) spaces of an element: `` [`` after ``=`` came out as ``=[ ``. A segment of
    spaces alone becomes no element at all, and the text after it starts at its own cell.
    """
    out: list[Segment] = []
    for segment in segments:
        text = segment.text
        if text[:1] == " " and not segment.control:
            body = text.lstrip(" ")
            if body:
                cut = len(text) - len(body)
                out.append(Segment(text[:cut], segment.style))
                out.append(Segment(body, segment.style))
                continue
        out.append(segment)
    return out


def fit(segments: list[Segment], start: int, length: int, pad: RichStyle) -> list[Segment]:
    """Cut ``length`` cells from ``segments`` starting at cell ``start``, padding with ``pad``."""
    if start == 0:
        return Segment.adjust_line_length(segments, length, pad)
    return list(Strip(segments).crop_extend(start, start + length, pad))


def text_strip(text: str, style: Style) -> Strip:
    """Plain ``text`` in a single style."""
    return Strip([Segment(text, style.rich_style)])
