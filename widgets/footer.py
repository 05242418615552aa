"""The footer every screen uses: Textual's, with the help key kept at its right end.

Keys are listed in binding order and a narrow terminal cuts the row at its right edge; the
help key (which lists every key of the screen, ctrl+p for the command palette among them)
is docked at the right instead of the palette key, so it is never the one cut.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTION = "help"


class KeyFooter(Footer):
    """A footer whose help key is always on screen."""

    DEFAULT_CSS = """
    KeyFooter FooterKey.-help-key { dock: right; border-left: vkey $foreground 20%; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, show_command_palette=False)

    def compose(self) -> ComposeResult:
        # lazily: Footer's compose yields grouped keys inside ``with KeyGroup()`` blocks
        help_key: FooterKey | None = None
        for widget in super().compose():
            if (isinstance(widget, FooterKey) and widget.action == HELP_ACTION
                    and help_key is None and not widget.has_class("-command-palette")):
                help_key = widget
                continue
            yield widget
        if help_key is not None:
            help_key.add_class("-help-key")
            yield help_key
