"""Reading a program's arguments the way its own option parser would, so a rule sees the
option a value belongs to, and the checks that apply to every argument (paths that leave the
worktree, URLs that fetch code).

Only what the rules need is modelled: short options that take a value (``-k EXPR``, also
``-kEXPR`` and inside a cluster, ``-qk EXPR``), long options that take the next argument, and
``--name=value``. Values of pattern options (``pytest -k``) are expressions, not paths, and skip
the path check; every other value and every positional argument is checked.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

# A rule for one option's value: a reason to refuse, or None.
ValueRule = Callable[[str], "str | None"]

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|(?:data|file|javascript):", re.IGNORECASE)
_DRIVE = re.compile(r"[A-Za-z]:(?:/|$)")
_PIECES = re.compile(r"[=:,;]")


def show(text: str, limit: int = 60) -> str:
    """``text`` safe to put in a one-line reason: escaped (newlines, look-alike and invisible
    characters become visible escapes) and cut to ``limit`` characters."""
    cut = text[:limit]
    return ascii(cut) + ("..." if len(text) > limit else "")


def _piece_escapes(piece: str) -> bool:
    path = piece.strip().strip("'\"[]() ").replace("\\", "/")
    if not path:
        return False
    if path.startswith(("/", "~")) or _DRIVE.match(path):
        return True
    return posixpath.normpath(path).split("/")[0] == ".."


def _in_git(piece: str) -> bool:
    # ".git", ".GIT", ".git." and "git~1" all name the repository's own data on some system.
    parts = piece.strip().strip("'\"").replace("\\", "/").split("/")
    return any(p.rstrip(". ").casefold() in (".git", "git~1") for p in parts)


def outside_reason(value: str) -> str | None:
    """A reason when ``value`` (a positional argument or an option's value) names a place
    outside the worktree: an absolute, home (``~``) or drive path, ``..`` that climbs above the
    tree (``tests/../src`` stays inside and is fine), or a URL. Values are also read in their
    NFKC form (a fullwidth solidus is a slash to some tools) and split at ``= : , ;`` so
    ``cache_dir=/tmp`` and ``html:/tmp/cov`` are seen. ``.git`` in any case or spelling is
    refused too: a report written there would replace a worktree's ``.git`` link."""
    for form in dict.fromkeys((value, unicodedata.normalize("NFKC", value))):
        if _URL.match(form.strip().strip("'\"")):
            return f"a URL as an argument is not allowed: {show(value)}"
        pieces = (form, *_PIECES.split(form))
        if any(_piece_escapes(p) for p in pieces):
            return f"argument refers to a path outside the worktree: {show(value)}"
        if any(_in_git(p) for p in pieces):
            return f"argument refers to the repository's .git: {show(value)}"
    return None


@dataclass(frozen=True)
class Spec:
    """How one program reads its arguments, and what it must not be given."""

    short_values: str = ""  # short options that take a value, e.g. "kmp" for -k -m -p
    long_values: frozenset[str] = frozenset()  # long options whose value may be the next arg
    patterns: frozenset[str] = frozenset()  # options whose value is an expression, not a path
    blocked: Mapping[str, str] = field(default_factory=dict)  # option -> why it is refused
    rules: Mapping[str, ValueRule] = field(default_factory=dict)  # option -> value rule
    abbreviations: bool = False  # argparse-style: a unique prefix of a long option works
    from_file: bool = False  # "@file" reads more arguments from a file


@dataclass(frozen=True)
class Item:
    option: str | None  # "-k", "--rootdir"; None for a positional argument
    value: str | None  # the option's value or the positional text


def parse(args: list[str], spec: Spec) -> Iterator[Item]:
    """The options and positional arguments in ``args``, as the program would read them."""
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            yield from (Item(None, rest) for rest in args[i:])
            return
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if not eq and name in spec.long_values and i < len(args):
                value, eq = args[i], "="
                i += 1
            yield Item(name, value if eq else None)
        elif arg.startswith("-") and len(arg) > 1 and not _is_number(arg):
            for j, letter in enumerate(arg[1:], start=2):
                if not letter.isalnum():  # "-x/etc": the tail is a value to some parsers
                    yield Item(arg[:2], arg[j - 1:])
                    break
                if letter in spec.short_values:
                    value = arg[j:]
                    if not value and i < len(args):
                        value = args[i]
                        i += 1
                    yield Item("-" + letter, value)
                    break
                yield Item("-" + letter, None)
        else:
            yield Item(None, arg)


def _is_number(arg: str) -> bool:
    return bool(re.fullmatch(r"-\d+(\.\d+)?", arg))


def _blocked(name: str, spec: Spec) -> str | None:
    if name in spec.blocked:
        return spec.blocked[name]
    if spec.abbreviations and name.startswith("--") and len(name) > 3:
        # argparse takes "--install-typ" for "--install-types" when no real option matches.
        for full, why in spec.blocked.items():
            if full.startswith(name):
                return f"abbreviates {full}, which {why}"
    return None


def check_args(program: str, args: list[str], spec: Spec) -> str | None:
    """None when ``args`` pass ``spec`` and the path checks; otherwise a one-line reason."""
    if spec.from_file:
        listed = next((a for a in args if a.startswith("@")), None)
        if listed is not None:
            return f"{program} reads more arguments from {show(listed, 40)}: not allowed"
    for item in parse(args, spec):
        if item.option is not None:
            why = _blocked(item.option, spec)
            if why is not None:
                return f"{program} {item.option[:40]}: {why}"
            rule = spec.rules.get(item.option)
            if rule is not None and (why := rule(item.value or "")) is not None:
                return f"{program} {item.option}: {why}"
            if item.option in spec.patterns:
                continue
        if item.value is not None and (why := outside_reason(item.value)) is not None:
            return why
    return None
