"""Turning a command as a model writes it into an argv list.

Models give a test command as one shell-like string (``"python -m pytest -q"``), as a list
holding that one string, or as a proper argv list. All three mean the same argv here; nothing
is ever run through a shell, so shell syntax in a command is refused with a reason instead of
silently becoming literal arguments (``pytest; rm -rf x`` would otherwise start pytest with
the arguments ``;``, ``rm``, ``-rf``).

Words are split by the standard library's ``shlex`` (POSIX rules, no comments). Finding the
shell syntax needs to know what was quoted, which ``shlex`` does not report, so a small scanner
walks the text once with the same POSIX quoting rules first. (``bashlex`` would parse it too,
but it is GPL-licensed and this project is MIT.)
"""

from __future__ import annotations

import re
import shlex

_WHY = "commands run without a shell"

# What an argv element that is wholly shell syntax means: the model expected a shell.
_OPERATORS = frozenset({
    ";", ";;", "&", "&&", "|", "||", "|&", "!", "(", ")", "{", "}",
    "<", ">", ">>", "<<", "<<<", "<>", ">|", ">&", "<&", "&>", "&>>",
})
_REDIRECT_START = re.compile(r"\d*(?:[<>]|&>)")


def _operator(text: str, i: int) -> str | None:
    """The shell construct an unquoted character at ``text[i]`` starts, if any."""
    ch, nxt = text[i], text[i + 1: i + 2]
    if ch == ";":
        return "shell chaining ';'"
    if ch == "&":
        return "shell chaining '&&'" if nxt == "&" else "background job '&'"
    if ch == "|":
        return "shell chaining '||'" if nxt == "|" else "pipe '|'"
    if ch in "<>":
        return f"redirection '{ch}{nxt}'" if nxt == ch else f"redirection '{ch}'"
    if ch in "()":
        return f"subshell '{ch}'"
    if ch in "{}":
        return f"brace group or expansion '{ch}'"
    if ch == "\n":
        return "a newline (a command separator)"
    return _expansion(text, i)


def _expansion(text: str, i: int) -> str | None:
    ch, nxt = text[i], text[i + 1: i + 2]
    if ch == "`":
        return "command substitution '`'"
    if ch == "$":
        if nxt == "(":
            return "command substitution '$('"
        if nxt == "{":
            return "variable expansion '${'"
        return "variable expansion '$'"
    return None


def shell_syntax(text: str) -> str | None:
    """A one-line reason when ``text`` holds shell syntax outside single quotes (or an
    expansion inside double quotes), or a quote that never closes; None when it is plain
    words. Backslash escapes and quotes follow POSIX, as ``shlex`` splits them."""
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote == "'":
            if ch == "'":
                quote = ""
        elif ch == "\\":
            if i + 1 >= len(text):
                return "a trailing backslash escapes nothing"
            i += 1  # the next character is literal (inside double quotes, too, for $ ` " \)
        elif quote == '"':
            if ch == '"':
                quote = ""
            elif (found := _expansion(text, i)) is not None:
                return (f"{found} inside double quotes is not allowed: {_WHY} "
                        "(single quotes keep text literal)")
        elif ch in "'\"":
            quote = ch
        elif (found := _operator(text, i)) is not None:
            return f"{found} is not allowed: {_WHY}"
        i += 1
    return "the command has an unclosed quote" if quote else None


def argv_syntax(arg: str) -> str | None:
    """A reason when one argv element is shell syntax: an operator or redirection on its own
    (``";"``, ``"&&"``, ``"2>&1"``, ``">out.txt"``) or a substitution (``$(``, backticks,
    ``${``). Such an element would reach the program as a literal argument, which is never
    what was meant, and programs that hand arguments to a shell (npm scripts) would run it.
    A plain ``$NAME`` or ``;`` inside other text is data and passes."""
    if arg in _OPERATORS:
        return f"shell operator {arg!r} as an argument is not allowed: {_WHY}"
    if _REDIRECT_START.match(arg):
        return f"redirection {arg[:20]!r} is not allowed: {_WHY}"
    for marker, name in (("$(", "command substitution '$('"), ("`", "command substitution '`'"),
                         ("${", "variable expansion '${'")):
        if marker in arg:
            return f"{name} in an argument is not allowed: {_WHY}"
    return None


def _split_one(text: str) -> list[str]:
    problem = shell_syntax(text)
    if problem is not None:
        raise ValueError(problem)
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:  # the scanner already refuses every case shlex rejects
        raise ValueError("the command cannot be split into words") from None


def split_command(command: str | list[str]) -> list[str]:
    """``command`` as argv: a string (or a list whose first element holds the program and its
    first words) is split like a POSIX shell would split words, without any expansion; shell
    syntax is refused. Raises ValueError with a one-line reason that does not echo the
    command."""
    if isinstance(command, str):
        argv = _split_one(command)
    elif isinstance(command, list) and all(isinstance(a, str) for a in command):
        argv = list(command)
        # A program name never contains a space: "python -m pytest" as argv[0] is one
        # string the model forgot to split.
        if argv and any(ch.isspace() for ch in argv[0]):
            argv = _split_one(argv[0]) + argv[1:]
        for arg in argv:
            problem = argv_syntax(arg)
            if problem is not None:
                raise ValueError(problem)
    else:
        raise ValueError("command must be a string or a list of strings")
    if not argv:
        raise ValueError("command is empty")
    return argv
