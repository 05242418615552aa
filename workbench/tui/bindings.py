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


PURPOSES = ("Decide", "Control the run", "Look at the work", "Step through a replay", "Runs",
            "On this screen", "Move around", "Everywhere")
"""Help's groups, in the order it shows them."""
_PURPOSE_BY_ID = {
    "run.approve": "Decide", "run.request_changes": "Decide", "run.reject": "Decide",
    "run.apply": "Decide", "spec.approve": "Decide", "diff.toggle_hunk": "Decide",
    "command.once": "Decide", "command.always": "Decide", "command.cancel": "Decide",
    "run.steer": "Control the run", "run.step_mode": "Control the run",
    "run.next_turn": "Control the run", "run.pause": "Control the run",
    "run.edit_spec": "Control the run", "replay.fork": "Control the run",
    "replay.resume": "Control the run", "runs.resume": "Control the run",
    "run.back": "Move around",
}
_PURPOSE_BY_PREFIX = {"replay": "Step through a replay", "runs": "Runs", "run": "Look at the work",
                      "diff": "Look at the work", "conversation": "Look at the work",
                      "tests": "Look at the work", "spec": "Look at the work"}
_DESCRIPTIONS = {
    "focus_next": "Next pane or field", "focus_previous": "Previous pane or field",
    "copy_text": "Copy the selected text", "command_palette": "Command palette",
    "quit": "Quit (asks first while a run works)",
}
"""Human descriptions for the bindings Textual itself provides."""


def purpose(binding_id: str, scope: Scope) -> str:
    """The help group of a binding: what a person uses it for."""
    known = _PURPOSE_BY_ID.get(binding_id)
    if known is not None:
        return known
    prefix = binding_id.partition(".")[0]
    if "." in binding_id and prefix in _PURPOSE_BY_PREFIX:
        return _PURPOSE_BY_PREFIX[prefix]
    if scope == "widget" or binding_id.startswith(("app.", "screen.")):
        return "Move around"  # a widget's own cursor and scroll keys
    return "Everywhere" if scope == "app" or "." not in binding_id else "On this screen"


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
    enabled: bool = True
    """False while the key does not apply (the footer shows it dimmed)."""

    @property
    def purpose(self) -> str:
        return purpose(self.id, self.scope)

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
                description=_DESCRIPTIONS.get(binding.action.rpartition(".")[2],
                                              binding.description),
                action=binding.action,
                scope=_scope(active.node, screen),
                show=binding.show,
                node=active.node,
                enabled=active.enabled,
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
                enabled=known.enabled or active.enabled,
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
