"""Workbench screens."""

from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.new_run import NewRunScreen, RunRequest
from workbench.tui.screens.runs import RunListScreen

__all__ = ["HelpScreen", "NewRunScreen", "RunListScreen", "RunRequest"]
