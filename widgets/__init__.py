"""Textual widgets of the run screen. They render agents' types and never import workbench/.

Each widget lives in its own module; the ones a screen composes are re-exported here, loaded
on first use (the run list imports the footer alone, and must not pay for the run screen).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from widgets.approval_bar import ApprovalBar
    from widgets.conversation import ConversationView
    from widgets.diff_view import DiffView
    from widgets.footer import KeyFooter
    from widgets.spec_editor import SpecEditor
    from widgets.status_bar import RunStatusBar
    from widgets.test_output import TestOutputView

_MODULES = {
    "ApprovalBar": "widgets.approval_bar",
    "ConversationView": "widgets.conversation",
    "DiffView": "widgets.diff_view",
    "KeyFooter": "widgets.footer",
    "RunStatusBar": "widgets.status_bar",
    "SpecEditor": "widgets.spec_editor",
    "TestOutputView": "widgets.test_output",
}

__all__ = [
    "ApprovalBar",
    "ConversationView",
    "DiffView",
    "KeyFooter",
    "RunStatusBar",
    "SpecEditor",
    "TestOutputView",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'widgets' has no attribute {name!r}")
    return getattr(import_module(module), name)
