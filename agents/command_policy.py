"""Which commands the sandbox may start: a reading of each argv, not a prefix match.

A command is an argv list, never shell text. ``check_command`` refuses, in this order:

1. anything that is not a non-empty list of strings, or too long;
2. control, invisible (Unicode format, e.g. zero-width) or private-use characters anywhere;
3. an element that is shell syntax (``";"``, ``"&&"``, ``"|"``, ``">"``, ``"2>&1"``) or holds a
   substitution (``$(``, backticks, ``${``): the model expected a shell, which is never used;
4. a program given by path (``./pytest``, ``.venv/bin/pytest``), an environment assignment
   before it (``FOO=1 pytest``), a look-alike name (Cyrillic letters, fullwidth forms);
5. wrappers that run another program (``env``, ``timeout``, ``sudo``, ``xargs``, shells, ...);
6. programs off the list, and per program the options that execute code, install packages,
   delete directories or leave the worktree, plus any argument naming a path outside it.

Allowed programs: ``pytest``, ``ruff``, ``mypy`` (also as ``python -m X`` / ``python3 -m X``),
``node --test``, ``npm test``, ``npx vitest``/``npx jest``, ``dotnet build``/``dotnet test``.
The repo's extra commands (``extra_allowed``) are exact argv prefixes; what follows them passes
the checks of steps 1-3 and the path check, not the per-program rules.

Decisions: absolute paths are refused even when they point into the worktree (the policy does
not know where it is; write paths relative); ``ruff format`` and ``ruff check --fix`` may
rewrite files, as they stay inside the tree; ``pytest -p no:NAME`` is allowed, any other ``-p``
is not; ``pytest --pyargs`` is refused (it imports from outside the tree); ``npm`` runs only
``npm test`` / ``npm run test``, arguments only after ``--``; a lone operator element is refused
even when it came from a quoted ``';'``, while ``$NAME`` in an argv element is literal data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from agents.command_args import outside_reason, show
from agents.command_rules import dotnet_rule, mypy_rule, pytest_rule, ruff_rule
from agents.command_rules_js import node_rule, npm_rule, npx_rule
from agents.commands import argv_syntax

MAX_ARGS = 256
MAX_ARG_CHARS = 4096
MAX_TOTAL_CHARS = 32768

_SHELLS = ("sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "csh", "tcsh", "busybox",
           "pwsh", "powershell", "cmd")
_WRAPPERS = frozenset({
    "env", "timeout", "sudo", "doas", "su", "nohup", "exec", "xargs", "nice", "ionice", "time",
    "command", "builtin", "eval", "source", ".", "setsid", "stdbuf", "chroot", "unshare",
    "nsenter", "strace", "ltrace", "gdb", "watch", "flock", "chrt", "taskset", "script",
    "firejail", "bwrap", "docker", "podman", "uv", "uvx", "poetry", "pipx", "pipenv", "pdm",
    "hatch", "tox", "nox", "conda", "npm-run", "yarn", "pnpm", "bunx", "bun", "deno", "find",
    "parallel", "runuser", "systemd-run", "valgrind",
})
_PY_MODULES = frozenset({"pytest", "ruff", "mypy"})
_ENV_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=.*", re.DOTALL)
_BAD_CATEGORIES = {"Cc": "a control character", "Cf": "an invisible format character",
                   "Cs": "a lone surrogate", "Co": "a private-use character"}

_RULES: dict[str, Callable[[list[str]], str | None]] = {
    "pytest": pytest_rule, "ruff": ruff_rule, "mypy": mypy_rule,
    "node": node_rule, "npm": npm_rule, "npx": npx_rule,
}


def _characters(arg: str, lenient: bool = False) -> str | None:
    for ch in arg:
        if lenient and ch in "\n\t":
            continue
        category = unicodedata.category(ch)
        if category in _BAD_CATEGORIES:
            return f"an argument contains {_BAD_CATEGORIES[category]} (U+{ord(ch):04X})"
    return None


def _name(word: str, what: str) -> str | None:
    """A reason when a program, module or sub-command name is not plain ASCII: look-alike
    letters (Cyrillic 'р' for 'p') and fullwidth forms would pass a visual check."""
    if word.isascii():
        return None
    if unicodedata.normalize("NFKC", word) != word:
        return f"{what} {show(word, 40)} uses look-alike (compatibility) characters"
    return f"{what} {show(word, 40)} has non-ASCII characters (look-alike letters?)"


def _basic(argv: object, lenient: bool = False) -> str | None:
    """``lenient``: the command starts with a configured extra prefix, whose arguments may
    span lines (they are data for that program; no shell ever sees them)."""
    if isinstance(argv, (str, bytes)) or not isinstance(argv, Sequence):
        return "a command must be a list of arguments, not shell text"
    if not argv:
        return "the command is empty"
    if not all(isinstance(a, str) for a in argv):
        return "every argument must be a string"
    if len(argv) > MAX_ARGS or any(len(a) > MAX_ARG_CHARS for a in argv) or sum(
            len(a) for a in argv) > MAX_TOTAL_CHARS:
        return "the command is too long"
    for arg in argv:
        if (why := _characters(arg, lenient)) is not None or (
                why := argv_syntax(arg)) is not None:
            return why
    return None


def _program(program: str) -> str | None:
    if not program:
        return "the program name is empty"
    if _ENV_ASSIGNMENT.fullmatch(program):
        return (f"environment assignment {show(program.partition('=')[0] + '=...', 40)} before "
                "the program is not allowed: commands get a fixed environment")
    if "/" in program or "\\" in program:
        return f"run programs by name, not by path: {show(program, 60)}"
    if (why := _name(program, "program")) is not None:
        return why
    if program in _SHELLS:
        return f"{program} is not allowed: commands run without a shell"
    if program in _WRAPPERS:
        return f"wrapper {program!r} is not allowed: run the program itself"
    return None


def _python(args: list[str]) -> tuple[str, list[str]] | str:
    """``python -m pytest ARGS`` as ("pytest", ARGS), or a reason."""
    if not args:
        return "python without -m pytest, ruff or mypy starts an interpreter"
    if args[0] == "-c":
        return "python -c is not allowed: it runs code given on the command line"
    if args[0] != "-m":
        if args[0].startswith("-m"):
            return "write the module apart: python -m pytest"
        if args[0].startswith("-"):
            return f"python option {show(args[0], 20)} is not allowed: use python -m pytest"
        return "python runs a script: only python -m pytest, ruff or mypy is allowed"
    if len(args) < 2:
        return "python -m needs a module: pytest, ruff or mypy"
    module = args[1]
    if (why := _name(module, "module")) is not None:
        return why
    if module not in _PY_MODULES:
        return f"python -m {show(module, 40)} is not allowed (only pytest, ruff, mypy)"
    return module, args[2:]


def _builtin(argv: list[str]) -> str | None:
    program, args = argv[0], argv[1:]
    if program in ("python", "python3"):
        found = _python(args)
        if isinstance(found, str):
            return found
        program, args = found
    if program == "dotnet":
        sub = args[0] if args else ""
        if sub not in ("build", "test"):
            return (f"dotnet {show(sub, 30) if sub else 'without a sub-command'} is not "
                    "allowed (only dotnet build, dotnet test)")
        return dotnet_rule(sub, args[1:])
    rule = _RULES.get(program)
    if rule is None:
        return f"program {show(program, 40)} is not allowed"
    if program in ("ruff", "npm", "npx") and args and (why := _name(args[0], "sub-command")):
        return why
    return rule(args)


def _extra(argv: list[str], extra_allowed: Sequence[Sequence[str]]) -> bool | str:
    """True (or a path reason) when ``argv`` starts with a configured extra command."""
    for prefix in extra_allowed:
        words = list(prefix) if not isinstance(prefix, str) else []
        if words and all(isinstance(w, str) for w in words) and argv[:len(words)] == words:
            for arg in argv[len(words):]:
                if (why := outside_reason(arg)) is not None:
                    return why
            return True
    return False


def check_command(argv: Sequence[str], extra_allowed: Sequence[Sequence[str]] = ()) -> str | None:
    """None when ``argv`` may run; otherwise a one-line reason that shows at most a short,
    escaped piece of the command. Never raises."""
    try:
        lenient = isinstance(argv, list) and _extra(
            [a for a in argv if isinstance(a, str)], extra_allowed) is not False
        if (why := _basic(argv, lenient)) is not None:
            return why
        words = list(argv)
        if (why := _program(words[0])) is not None and why.startswith(("environment", "run pr")):
            return why  # a configured prefix never lifts these
        verdict = why or _builtin(words)
        if verdict is None:
            return None
        extra = _extra(words, extra_allowed)
        if extra is True:
            return None
        return extra or verdict
    except Exception:  # a rule's bug must refuse the command, never end the step
        return "the command could not be checked"
