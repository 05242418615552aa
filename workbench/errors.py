"""Exceptions that mean "the user asked for something wrong": one line, no traceback; and
the one line itself, safe to print (secrets masked, no terminal control characters)."""

from __future__ import annotations

import click

from agents.redact import safe_text
from workbench.engine.errors import EngineError
from workbench.gitops import GitError
from workbench.models.errors import ModelSpecError, ScriptError
from workbench.store import StoreError, UnknownRunError

USER_ERRORS: tuple[type[BaseException], ...] = (
    EngineError,
    GitError,
    ModelSpecError,
    ScriptError,
    UnknownRunError,
    StoreError,
)

TASK_AS_OPTION = ("unknown option (not repeated here: it may be the task); write a task "
                  'after "--" (workbench run -- "TASK") or in a file (--task-file PATH)')


def one_line(text: str) -> str:
    """The first line of ``text``, masked and printable."""
    lines = safe_text(text).splitlines()
    return lines[0] if lines else ""


def user_message(exc: BaseException) -> str:
    return one_line(str(exc)) or type(exc).__name__


def usage_message(exc: click.ClickException) -> str:
    """A usage error as one line. For ``run`` a bad option may be the task itself, which
    may hold a secret: its text is never echoed."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command.name if ctx is not None and ctx.command is not None else ""
    if command == "run" and isinstance(exc, click.NoSuchOption | click.BadOptionUsage):
        return TASK_AS_OPTION
    return one_line(exc.format_message())
