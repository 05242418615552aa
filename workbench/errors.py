"""Exceptions that mean "the user asked for something wrong": one line, no traceback."""

from __future__ import annotations

from workbench.engine.runner import EngineError
from workbench.gitops import GitError
from workbench.models import ModelSpecError, ScriptError
from workbench.store import StoreError, UnknownRunError

USER_ERRORS: tuple[type[BaseException], ...] = (
    EngineError,
    GitError,
    ModelSpecError,
    ScriptError,
    UnknownRunError,
    StoreError,
)
