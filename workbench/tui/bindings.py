"""One description of the key bindings in force, shared by the help screen and command palette.

Both read Textual's own binding data for a screen (its focused widget, the screen, the app),
so what the footer shows, what help lists and what the palette runs cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen

Scope = Literal["widget", "screen", "app"]

# Actions the command palette leaves out: Textual already offers them, or they make no sense
# as a command (moving focus while the palette itself has focus).
PALETTE_SKIP_ACTIONS = frozenset(
    {"quit", "help_quit", "command_palette", "focus_next", "focus_previous", "copy_text"}
)


@dataclass(frozen=True)
class BindingInfo:
    """A binding as a person sees it: keys, what it does, and its stable id."""

    id: str
    keys: tuple[str, ...]
    description: str
    action: str
    scope: Scope
    show: bool
    node: DOMNode

    @property
    def key_display(self) -> str:
        return ", ".join(self.keys)

    @property
    def action_name(self) -> str:
        """The action without a namespace prefix (``app.new_run`` -> ``new_run``)."""
        return self.action.rpartition(".")[2]


def _scope(node: DOMNode, screen: Screen[object]) -> Scope:
    if isinstance(node, App):
        return "app"
    return "screen" if node is screen else "widget"


def collect_bindings(screen: Screen[object]) -> list[BindingInfo]:
    """Bindings active on ``screen``, one entry per description, innermost first.

    Keys bound to the same description (``n`` on a screen and ``ctrl+n`` on the app, or
    ``f1,question_mark``) are merged into one entry. System bindings and bindings without a
    description are left out, as are actions whose ``check_action`` hides them.
    """
    app = screen.app
    merged: dict[str, BindingInfo] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system or not binding.description:
            continue
        display = app.get_key_display(binding)
        known = merged.get(binding.description)
        if known is None:
            merged[binding.description] = BindingInfo(
                id=binding.id or binding.action,
                keys=(display,),
                description=binding.description,
                action=binding.action,
                scope=_scope(active.node, screen),
                show=binding.show,
                node=active.node,
            )
        elif display not in known.keys:
            merged[binding.description] = BindingInfo(
                id=known.id,
                keys=(*known.keys, display),
                description=known.description,
                action=known.action,
                scope=known.scope,
                show=known.show or binding.show,
                node=known.node,
            )
    return list(merged.values())


def palette_bindings(screen: Screen[object]) -> list[BindingInfo]:
    """The bindings worth offering as commands: screen and app ones, and widget ones that the
    footer shows."""
    return [
        info
        for info in collect_bindings(screen)
        if info.action_name not in PALETTE_SKIP_ACTIONS
        and (info.scope != "widget" or info.show)
    ]
