"""The spec text: a TextArea that tints lines with problems and prints the message beside them."""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.geometry import Offset
from textual.strip import Strip
from textual.widgets import TextArea

from widgets.spec_check import SpecProblem

# Textual's bundled JSON query minus its ``#set! conceal ""`` directives: with tree-sitter 0.26
# freeing a query that holds them crashes the interpreter.
JSON_HIGHLIGHTS = """
[(true) (false)] @boolean
(null) @json.null
(number) @number
(pair key: (string) @json.label)
(pair value: (string) @string)
(array (string) @string)
(ERROR) @json.error
["," ":"] @punctuation.delimiter
["[" "]" "{" "}"] @punctuation.bracket
(escape_sequence) @string.escape
"""


class SpecTextArea(TextArea):
    """A TextArea that tints lines with problems and prints the message after their text."""

    DEFAULT_CSS = """
    SpecTextArea { height: 1fr; border: none; padding: 0; &:focus { border: none; } }
    SpecTextArea > .spec-text-area--error-line { background: $error 20%; }
    SpecTextArea > .spec-text-area--error-message { color: $text-error; text-style: italic; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "spec-text-area--error-line", "spec-text-area--error-message"}

    def __init__(self, text: str = "", *, language: str, read_only: bool = False,
                 id: str | None = None) -> None:
        super().__init__(text, soft_wrap=True, show_line_numbers=True, tab_behavior="indent",
                         read_only=read_only, id=id)
        self.update_highlight_query("json", JSON_HIGHLIGHTS)
        self.language = language
        self.problems: dict[int, str] = {}

    def set_problems(self, problems: tuple[SpecProblem, ...]) -> None:
        by_line: dict[int, str] = {}
        for problem in problems:
            by_line.setdefault(problem.line, problem.message)
        if by_line != self.problems:
            self.problems = by_line
            self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not self.problems:
            return strip
        scroll_x, scroll_y = self.scroll_offset
        if scroll_y + y >= self.wrapped_document.height:
            return strip
        row, _ = self.wrapped_document.offset_to_location(Offset(0, scroll_y + y))
        if row not in self.problems:
            return strip
        tint = self.get_visual_style("spec-text-area--error-line").rich_style
        bg = RichStyle(bgcolor=tint.bgcolor)
        strip = Strip(list(Segment.apply_style(strip, post_style=bg)), strip.cell_length)
        end = self.gutter_width + len(self.document.get_line(row).expandtabs(4)) - scroll_x + 2
        width = strip.cell_length
        if 0 <= end < width - 4:
            note = self.get_visual_style("spec-text-area--error-message").rich_style
            message = Strip([Segment(f"◀ {self.problems[row]}", note + bg)])
            strip = Strip.join([strip.crop(0, end), message]).crop_extend(0, width, bg)
        return strip
