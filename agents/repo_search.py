"""Listing and searching the files under a (confined) directory, with bounded output and time.

Regular expressions run on the ``regex`` module, whose matching takes a timeout: a
catastrophic pattern such as ``(a+)+$`` stops after a fraction of a second with a plain
"too slow" message instead of hanging the turn. Counted repeats are capped before compiling
(``(?:a{1000}){1000}`` takes seconds to compile, and compiling takes no timeout). Messages
quote a query or glob only as a short ``repr``'d excerpt.
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import regex

from agents.paths import char_problem, is_git_dir_name, shown

# Directories that are never useful to an agent and can hold hundreds of thousands of files.
NOISE_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache",
     ".ruff_cache", ".tox", ".nox"}
)
MAX_SCANNED_FILES = 20_000
MAX_SEARCH_FILE_BYTES = 1_000_000
MAX_QUERY_CHARS = 1000
MAX_GLOB_CHARS = 300
SEARCH_TIME_LIMIT_S = 2.0
"""Wall time for one search, reading files included."""
LINE_TIME_LIMIT_S = 0.5
"""Matching time for one line: more than this is a pattern that backtracks without end."""
MAX_REPEAT = 1000
MAX_REPEAT_PRODUCT = 100_000
_REPEAT_RE = re.compile(r"(?<!\\)\{\s*(\d+)\s*(?:,\s*(\d*)\s*)?\}")


def bound(text: str, limit: int, hint: str = "") -> str:
    """Cut ``text`` to ``limit`` characters with an explicit truncation marker."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    cut = cut if cut > limit // 2 else limit
    more = len(text) - cut
    return text[:cut] + f"\n[truncated {more} more characters{'; ' + hint if hint else ''}]"


def is_binary(head: bytes) -> bool:
    return b"\x00" in head


def display(rel: str) -> str:
    """``rel`` as shown in a listing: a name no tool would accept is shown escaped and marked,
    so an invisible or control character cannot pass for another name or break the lines."""
    if any(char_problem(c) for c in rel):
        return f"{rel!r} [name holds invisible, control or look-alike characters]"
    return rel


def walk_files(start: Path) -> Iterator[Path]:
    """Regular files under ``start``, sorted, skipping noise dirs, ``.git`` and linked dirs."""
    if start.is_file():
        yield start
        return
    for dirpath, dirnames, filenames in os.walk(start):
        dirnames[:] = sorted(d for d in dirnames if d not in NOISE_DIRS and not is_git_dir_name(d))
        for name in sorted(filenames):
            if not is_git_dir_name(name):
                yield Path(dirpath) / name


def _glob_problem(pattern: object) -> str | None:
    if not isinstance(pattern, str):
        return f"pattern must be a string, not {type(pattern).__name__}"
    if len(pattern) > MAX_GLOB_CHARS:
        return f"pattern is {len(pattern)} characters long (the limit is {MAX_GLOB_CHARS})"
    bad = next((c for c in pattern if c == "\x00" or char_problem(c)), None)
    if bad is not None:
        return f"pattern contains U+{ord(bad):04X} ({char_problem(bad) or 'a NUL byte'})"
    text = pattern.replace("\\", "/")
    if text.startswith("/") or ".." in text.split("/"):
        return ("pattern is matched against names and paths under the listed directory; it may "
                "not be absolute or hold '..' (pass the directory as path instead)")
    return None


def list_matching(root: Path, start: Path, where: str, pattern: str, limit: int) -> str:
    """Files under ``start`` whose name or root-relative path matches the glob ``pattern``."""
    problem = _glob_problem(pattern)
    if problem is not None:
        return f"error: {problem}"
    glob = pattern.replace("\\", "/")
    lines: list[str] = []
    for scanned, f in enumerate(walk_files(start)):
        if scanned >= MAX_SCANNED_FILES:
            lines.append(f"[stopped after {MAX_SCANNED_FILES} files; narrow the path]")
            break
        rel = f.relative_to(root).as_posix()
        if fnmatch.fnmatch(f.name, glob) or fnmatch.fnmatch(rel, glob):
            lines.append(display(rel))
    if not lines:
        return f"no files match {shown(pattern, 60)} under {where}"
    return bound("\n".join(lines), limit, "narrow the path or pattern")


def _compile(query: str) -> regex.Pattern[str] | str:
    """The compiled pattern, or an error message."""
    product = 1
    for m in _REPEAT_RE.finditer(query):
        count = max(int(m.group(1)), int(m.group(2) or 0))
        product *= max(count, 1)
        if count > MAX_REPEAT or product > MAX_REPEAT_PRODUCT:
            return (f"error: the regular expression repeats too many times (at most {MAX_REPEAT} "
                    f"per repeat, {MAX_REPEAT_PRODUCT} in all); simplify it")
    try:
        return regex.compile(query)
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        return f"error: invalid regular expression: {str(exc).splitlines()[0][:120]}"


def _lines(path: Path) -> list[str] | None:
    """The text lines of ``path``, or None for a link, a large, binary or unreadable file."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        if path.stat().st_size > MAX_SEARCH_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if is_binary(data[:8192]):
        return None
    return data.decode("utf-8", "replace").splitlines()


def search_files(
    root: Path, start: Path, where: str, query: str, max_results: int, as_regex: bool,
    limit: int,
) -> str:
    """``path:line: text`` for each line under ``start`` that holds ``query``."""
    if not isinstance(query, str) or not query:
        return "error: empty query"
    if len(query) > MAX_QUERY_CHARS:
        return f"error: the query is {len(query)} characters long (the limit is {MAX_QUERY_CHARS})"
    pattern = _compile(query) if as_regex else None
    if isinstance(pattern, str):
        return pattern
    max_results = max(1, min(int(max_results), 500))
    deadline = time.monotonic() + SEARCH_TIME_LIMIT_S
    hits: list[str] = []
    stopped = ""
    for scanned, f in enumerate(walk_files(start)):
        if scanned >= MAX_SCANNED_FILES:
            stopped = f"[stopped after {MAX_SCANNED_FILES} files; narrow the path]"
            break
        lines = _lines(f)
        if lines is None:
            continue
        rel = display(f.relative_to(root).as_posix())
        for n, line in enumerate(lines, 1):
            left = deadline - time.monotonic()
            try:
                found = left > 0 and (query in line if pattern is None else bool(
                    pattern.search(line, timeout=min(left, LINE_TIME_LIMIT_S))))
            except TimeoutError:
                if left > LINE_TIME_LIMIT_S:  # this line alone: the pattern backtracks
                    return (f"error: the regular expression {shown(query, 40)} is too slow (over "
                            f"{LINE_TIME_LIMIT_S} s on one line of {rel}); simplify it, e.g. "
                            f"avoid nested repeats such as (a+)+")
                found, left = False, 0
            if left <= 0:
                stopped = (f"[stopped after {SEARCH_TIME_LIMIT_S:g} s of searching; narrow the "
                           f"path{' or simplify the pattern' if as_regex else ''}]")
                break
            if found:
                if len(hits) >= max_results:
                    stopped = (f"[truncated: more than {max_results} matches; narrow the query "
                               f"or path]")
                    break
                hits.append(f"{rel}:{n}: {line.strip()[:200]}")
        if stopped:
            break
    if not hits and not stopped:
        return f"no matches for {shown(query, 40)} under {where}"
    if stopped:
        hits.append(stopped)
    return bound("\n".join(hits), limit, "narrow the query or path")
