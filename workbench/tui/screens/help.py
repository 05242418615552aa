"""Help: every key binding of the screen underneath and of the app, from the live binding data."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from workbench.tui.bindings import PURPOSES, BindingInfo, collect_bindings


class HelpScreen(ModalScreen[None]):
    """A modal list of every key of the screen underneath, grouped by what it is for; keys
    that do not apply right now are marked so."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,f1,question_mark", "close", "Close help", id="help.close"),
    ]

    def __init__(self, entries: list[BindingInfo], screen_title: str = "") -> None:
        super().__init__()
        self.entries = entries
        self.screen_title = screen_title

    @classmethod
    def for_screen(cls, screen: Screen[object]) -> HelpScreen:
        """Help for ``screen`` (the one the user was looking at)."""
        return cls(collect_bindings(screen), screen.title or "")

    def compose(self) -> ComposeResult:
        heading = "Keys" + (f" — {self.screen_title}" if self.screen_title else "")
        with Vertical(id="help-panel"):
            yield Static(heading, id="help-title")
            yield DataTable(id="help-table", cursor_type="none", zebra_stripes=False)
            yield Static("esc close · ctrl+p all commands", id="help-hint", classes="muted")

    def on_mount(self) -> None:
        table: DataTable[Text | str] = self.query_one("#help-table", DataTable)
        table.add_column("Key", key="key")
        table.add_column("What it does", key="description")
        for title in PURPOSES:
            rows = [entry for entry in self.entries if entry.purpose == title]
            if not rows:
                continue
            table.add_row(Text(title, style="bold"), "", key=f"section:{title}")
            for entry in rows:
                table.add_row(
                    Text(entry.key_display, style="bold" if entry.enabled else "dim"),
                    entry.description if entry.enabled
                    else Text(f"{entry.description} (not now)", style="dim"),
                    key=f"{title}:{entry.id}",
                )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
