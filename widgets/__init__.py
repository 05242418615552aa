"""Textual widgets of the run screen. They render agents' types and never import workbench/.

Each widget lives in its own module; the ones a screen composes are re-exported here.
"""

from widgets.approval_bar import ApprovalBar
from widgets.conversation import ConversationView
from widgets.diff_view import DiffView
from widgets.spec_editor import SpecEditor
from widgets.status_bar import RunStatusBar
from widgets.test_output import TestOutputView

__all__ = [
    "ApprovalBar",
    "ConversationView",
    "DiffView",
    "RunStatusBar",
    "SpecEditor",
    "TestOutputView",
]
