"""Turning a command as a model writes it into an argv list.

Models give a test command as one shell-like string (``"python -m pytest -q"``), as a list
holding that one string, or as a proper argv list. All three mean the same argv here; nothing
is ever run through a shell.
"""

from __future__ import annotations

import shlex


def _split_one(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError as exc:
        # shlex says "No closing quotation" / "No escaped character": name the command instead.
        reason = "an unclosed quote" if "quotation" in str(exc) else "a trailing backslash"
        raise ValueError(f"command has {reason}: {text[:120]!r}") from None


def split_command(command: str | list[str]) -> list[str]:
    """``command`` as argv: a string (or a one-element list of it) is split like a POSIX shell
    would split words, without any expansion. Raises ValueError with a one-line reason."""
    if isinstance(command, str):
        argv = _split_one(command)
    elif isinstance(command, list) and all(isinstance(a, str) for a in command):
        argv = list(command)
        # A program name never contains a space: "python -m pytest" as argv[0] is one
        # string the model forgot to split.
        if argv and any(ch.isspace() for ch in argv[0]):
            argv = _split_one(argv[0]) + argv[1:]
    else:
        raise ValueError("command must be a string or a list of strings")
    if not argv:
        raise ValueError("command is empty")
    return argv
