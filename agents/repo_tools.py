"""Repository tools confined to one worktree root: listing, searching, reading, and two
small edits (replace an exact text, create a new file).

The developer and tester agents reach the repository only through these methods; the engine
wraps them as function tools. A path that could leave the root, or reach ``.git``, is refused
with :class:`PathRefused` (after ``on_refusal`` has recorded it), never silently rewritten;
edits also refuse any symbolic link on the way. An edit that cannot be made as asked raises
:class:`EditRefused`, whose message says what to do instead.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pygit2

from agents.diff import nearest_windows, numbered

MAX_SYMLINKS = 40
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
# Directories that are never useful to an agent and can hold hundreds of thousands of files.
NOISE_DIRS = frozenset(
    {".git", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache",
     ".ruff_cache", ".tox", ".nox"}
)
MAX_SCANNED_FILES = 20_000
MAX_SEARCH_FILE_BYTES = 1_000_000
MAX_OPEN_FILE_BYTES = 5_000_000
_NUMBERED_RE = re.compile(r"^\s*\d+\t")
SHOWN_EDIT_LINES = 30


class PathRefused(ValueError):
    """A path given to a repo tool or a patch header that is not allowed."""


class EditRefused(ValueError):
    """An edit that cannot be made as asked; the message says what to do instead."""


def _is_git_dir_name(name: str) -> bool:
    # Case-insensitive file systems and Windows' trailing dot/space stripping make these `.git` too.
    return name.rstrip(". ").lower() in (".git", "git~1")


def _split_relative(rel: str) -> list[str]:
    """Check the text of ``rel`` and return its components (no '.', no empties)."""
    if not isinstance(rel, str):
        raise PathRefused(f"path must be a string, not {type(rel).__name__}")
    shown = rel[:120].replace("\x00", "\\0")
    if "\x00" in rel:
        raise PathRefused(f"path contains a NUL byte: {shown!r}")
    if rel.startswith(("\\\\", "//")) or _DRIVE_RE.match(rel):
        raise PathRefused(f"drive and network paths are not allowed: {shown!r}")
    if "\\" in rel:
        raise PathRefused(f"backslashes are not allowed in paths (use '/'): {shown!r}")
    if rel.startswith("/") or rel == "~" or rel.startswith("~/"):
        raise PathRefused(f"absolute paths are not allowed, use a path relative to the "
                          f"repository root: {shown!r}")
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PathRefused(f"'..' is not allowed in paths: {shown!r}")
    if any(_is_git_dir_name(p) for p in parts):
        raise PathRefused(f"paths under .git are not allowed: {shown!r}")
    return parts


def confine(root: Path, rel: str) -> Path:
    """Resolve ``rel`` inside ``root`` or raise :class:`PathRefused`.

    Symlinks are followed one component at a time, with a hop limit, so loops and links that
    point outside the root (or into ``.git``) are refused instead of crashing or escaping.
    Components that do not exist yet (a file a patch will create) are accepted as they are.
    """
    parts = _split_relative(rel)
    base = Path(os.path.realpath(root))
    current = base
    pending = list(parts)
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            current = current.parent
            continue
        candidate = current / part
        try:
            is_link = candidate.is_symlink()
        except OSError:  # e.g. name too long: treat as a plain, missing component
            is_link = False
        if not is_link:
            current = candidate
            continue
        hops += 1
        if hops > MAX_SYMLINKS:
            raise PathRefused(f"too many levels of symbolic links: {rel!r}")
        try:
            target = os.readlink(candidate)
        except OSError as exc:
            raise PathRefused(f"cannot read symbolic link {part!r}: {exc.strerror}") from None
        if target.startswith("/"):
            current = Path("/")
        pending = [p for p in target.split("/") if p] + pending
    if current != base and not current.is_relative_to(base):
        raise PathRefused(f"path leads outside the repository (through a symbolic link): {rel!r}")
    if any(_is_git_dir_name(p) for p in current.relative_to(base).parts):
        raise PathRefused(f"path leads into .git (through a symbolic link): {rel!r}")
    return current


def bound(text: str, limit: int, hint: str = "") -> str:
    """Cut ``text`` to ``limit`` characters with an explicit truncation marker."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    cut = cut if cut > limit // 2 else limit
    more = len(text) - cut
    return text[:cut] + f"\n[truncated {more} more characters{'; ' + hint if hint else ''}]"


def _is_binary(head: bytes) -> bool:
    return b"\x00" in head


class RepoTools:
    """Listing, searching and reading files under one root, with bounded output."""

    def __init__(
        self,
        root: Path,
        max_output_chars: int = 12000,
        on_refusal: Callable[[str, str, str], None] | None = None,
    ) -> None:
        self.root = Path(os.path.realpath(root))
        self.max_output_chars = max_output_chars
        self.on_refusal = on_refusal

    def _confine(self, tool: str, path: str) -> Path:
        try:
            return confine(self.root, path)
        except PathRefused as exc:
            if self.on_refusal is not None:
                self.on_refusal(tool, str(path), str(exc))
            raise

    def _rel(self, p: Path) -> str:
        return p.relative_to(self.root).as_posix() or "."

    def _walk(self, start: Path) -> Iterator[Path]:
        """Regular files under ``start``, sorted, skipping noise dirs and linked dirs."""
        if start.is_file():
            yield start
            return
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = sorted(d for d in dirnames if d not in NOISE_DIRS)
            for name in sorted(filenames):
                if not _is_git_dir_name(name):
                    yield Path(dirpath) / name

    def list_files(self, path: str = ".", pattern: str = "*") -> str:
        """List files under `path` (relative to the repository root) whose name or relative
        path matches the glob `pattern` (for example "*.py" or "src/*.ts"). One path per line."""
        start = self._confine("list_files", path)
        if not start.exists():
            return f"error: no such file or directory: {path}"
        lines: list[str] = []
        for scanned, f in enumerate(self._walk(start)):
            if scanned >= MAX_SCANNED_FILES:
                lines.append(f"[stopped after {MAX_SCANNED_FILES} files; narrow the path]")
                break
            rel = self._rel(f)
            if fnmatch.fnmatch(f.name, pattern) or fnmatch.fnmatch(rel, pattern):
                lines.append(rel)
        if not lines:
            return f"no files match {pattern!r} under {path}"
        return bound("\n".join(lines), self.max_output_chars, "narrow the path or pattern")

    def search_repository(
        self, query: str, path: str = ".", max_results: int = 50, regex: bool = False
    ) -> str:
        """Search text files under `path` for `query` (a plain substring, or a Python regular
        expression when `regex` is true). Results are `path:line: text`, at most `max_results`."""
        start = self._confine("search_repository", path)
        if not query:
            return "error: empty query"
        if not start.exists():
            return f"error: no such file or directory: {path}"
        try:
            pattern = re.compile(query if regex else re.escape(query))
        except re.error as exc:
            return f"error: invalid regular expression: {exc}"
        max_results = max(1, min(max_results, 500))
        hits: list[str] = []
        more = stopped = False
        for scanned, f in enumerate(self._walk(start)):
            if more:
                break
            if scanned >= MAX_SCANNED_FILES:
                stopped = True
                break
            if f.is_symlink() or not f.is_file():
                continue
            try:
                if f.stat().st_size > MAX_SEARCH_FILE_BYTES:
                    continue
                data = f.read_bytes()
            except OSError:
                continue
            if _is_binary(data[:8192]):
                continue
            rel = self._rel(f)
            for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
                if pattern.search(line):
                    if len(hits) >= max_results:
                        more = True
                        break
                    hits.append(f"{rel}:{n}: {line.strip()[:200]}")
        if not hits and not stopped:
            return f"no matches for {query!r} under {path}"
        if more:
            hits.append(f"[truncated: more than {max_results} matches; narrow the query or path]")
        if stopped:
            hits.append(f"[stopped after {MAX_SCANNED_FILES} files; narrow the path]")
        return bound("\n".join(hits), self.max_output_chars, "narrow the query or path")

    def open_file(self, path: str, start_line: int = 1, end_line: int | None = None) -> str:
        """Show lines `start_line`..`end_line` (1-based, inclusive; default to the end) of the
        file at `path`, relative to the repository root, each prefixed with its line number."""
        target = self._confine("open_file", path)
        if target.is_dir():
            return f"error: {path} is a directory; use list_files to see what it holds"
        if not target.is_file():
            return f"error: no such file: {path}"
        try:
            if target.stat().st_size > MAX_OPEN_FILE_BYTES:
                return f"error: {path} is larger than {MAX_OPEN_FILE_BYTES} bytes"
            # O_NOFOLLOW: the checked path must not be swapped for a link before it is read.
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            return f"error: cannot read {path}: {exc.strerror or exc}"
        if _is_binary(data[:8192]):
            return f"error: {path} is a binary file"
        lines = data.decode("utf-8", "replace").splitlines()
        total = len(lines)
        first = max(1, start_line)
        last = total if end_line is None else min(end_line, total)
        if total == 0:
            return f"{path}: empty file"
        if first > total or last < first:
            return f"error: {path} has {total} lines; requested {start_line}-{end_line}"
        header = f"{path} (lines {first}-{last} of {total})"
        out = [header]
        size = len(header)
        for n in range(first, last + 1):
            row = f"{n:>6}\t{lines[n - 1]}"
            if len(row) > self.max_output_chars // 2:
                row = row[: self.max_output_chars // 2] + " [line truncated]"
            if size + len(row) + 1 > self.max_output_chars:
                out.append(f"[truncated: lines {n}-{last} not shown; call open_file with "
                           f"start_line={n} to continue]")
                break
            out.append(row)
            size += len(row) + 1
        return "\n".join(out)

    # edits ----------------------------------------------------------------------------------
    def _writable(self, tool: str, path: str) -> Path:
        """The confined target of an edit; no component may be a symbolic link, so the file
        changed is the one the path names (and the one ``git diff`` shows)."""
        target = self._confine(tool, path)
        probe = self.root
        for part in [p for p in path.split("/") if p not in ("", ".")]:
            probe = probe / part
            if probe.is_symlink():
                message = f"edits may not go through a symbolic link: {path!r}"
                if self.on_refusal is not None:
                    self.on_refusal(tool, path, message)
                raise PathRefused(message)
        return target

    def _ignored(self, target: Path) -> bool:
        try:
            repo = pygit2.Repository(str(self.root))
            rel = self._rel(target)
            if target.exists():
                return bool(repo.status_file(rel) & pygit2.enums.FileStatus.IGNORED)
            return bool(repo.path_is_ignored(rel))
        except (pygit2.GitError, KeyError, ValueError):
            return False

    def replace_in_file(self, path: str, old: str, new: str) -> str:
        """Replace the one exact occurrence of `old` in the file at `path` with `new`."""
        target = self._writable("replace_in_file", path)
        if target.is_dir():
            raise EditRefused(f"{path} is a directory")
        if not target.is_file():
            raise EditRefused(f"{path} does not exist; use write_file to create a new file")
        if not old:
            raise EditRefused("old is empty: give the exact current text to replace")
        if old == new:
            raise EditRefused("old and new are the same: nothing would change")
        text = self._read_text(target, path)
        if text.count("\r\n") * 2 > text.count("\n") and "\r" not in old:
            old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")  # keep CRLF files
        starts = _occurrences(text, old)
        if not starts:
            raise EditRefused(_not_found(path, text, old))
        if len(starts) > 1:
            where = ", ".join(str(text.count("\n", 0, i) + 1) for i in starts[:20])
            raise EditRefused(
                f"old text occurs {len(starts)} times in {path} (starting at lines {where}); "
                f"include more of the surrounding lines in old so that it matches exactly once")
        if self._ignored(target):
            raise EditRefused(f"{path} is ignored by git, so a change to it is not part of "
                              f"the patch")
        changed = text[:starts[0]] + new + text[starts[0] + len(old):]
        self._write(target, changed, create=False)
        first = text.count("\n", 0, starts[0])
        size = max(1, new.count("\n") + (0 if new.endswith("\n") else 1))
        lines = changed.split("\n")
        shown = numbered(lines, first, min(size, SHOWN_EDIT_LINES))
        more = "" if size <= SHOWN_EDIT_LINES else f"\n[{size - SHOWN_EDIT_LINES} more lines]"
        return (f"replaced 1 occurrence in {path}; lines {first + 1}-{first + size} now read:\n"
                + "\n".join(shown) + more)

    def write_file(self, path: str, content: str) -> str:
        """Create the NEW file `path` holding `content` (missing directories are created)."""
        target = self._writable("write_file", path)
        if target.is_dir():
            raise EditRefused(f"{path} is a directory")
        if os.path.lexists(target):
            raise EditRefused(f"{path} already exists; write_file only creates new files: use "
                              f"replace_in_file to change it")
        if "\x00" in content or len(content) > MAX_OPEN_FILE_BYTES:
            raise EditRefused(f"content for {path} is binary or larger than "
                              f"{MAX_OPEN_FILE_BYTES} bytes")
        if self._ignored(target):
            raise EditRefused(f"{path} is ignored by git, so a new file there is not part of "
                              f"the patch")
        if content and not content.endswith("\n"):
            content += "\n"  # a text file ends with a newline; models often leave it out
        parent = target.parent
        missing: list[Path] = []
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        if not parent.is_dir():
            raise EditRefused(f"cannot create {path}: {self._rel(parent)} is a file")
        for directory in reversed(missing):
            directory.mkdir()
        self._write(target, content, create=True)
        return f"created {path} ({content.count(chr(10))} lines)"

    def _read_text(self, target: Path, path: str) -> str:
        try:
            if target.stat().st_size > MAX_OPEN_FILE_BYTES:
                raise EditRefused(f"{path} is larger than {MAX_OPEN_FILE_BYTES} bytes")
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise EditRefused(f"cannot read {path}: {exc.strerror or exc}") from None
        if _is_binary(data[:8192]):
            raise EditRefused(f"{path} is a binary file")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise EditRefused(f"{path} is not UTF-8 text; change it with propose_patch") from None

    def _write(self, target: Path, text: str, create: bool) -> None:
        flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
        flags |= (os.O_CREAT | os.O_EXCL) if create else os.O_TRUNC
        try:
            fd = os.open(target, flags, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8"))
        except OSError as exc:
            raise EditRefused(f"cannot write {self._rel(target)}: {exc.strerror or exc}") from None


def _occurrences(text: str, old: str) -> list[int]:
    found, at = [], text.find(old)
    while at != -1:
        found.append(at)
        at = text.find(old, at + 1)
    return found


def _not_found(path: str, text: str, old: str) -> str:
    """The no-match error: what was probably wrong, and the closest lines of the file."""
    wanted = old.strip("\r\n").replace("\r", "").split("\n")
    lines = text.replace("\r", "").split("\n")
    head = f"old text not found in {path}"
    if all(_NUMBERED_RE.match(w) for w in wanted if w.strip()):
        head += " (old holds the line numbers open_file shows; leave them out)"
    windows = nearest_windows(lines, wanted, count=3)
    if not windows:
        return head + "; no similar lines either: open the file to see its current text"
    best = windows[0][0]
    if [w.strip() for w in wanted] == [ln.strip() for ln in lines[best:best + len(wanted)]]:
        head += f" (lines {best + 1}-{best + len(wanted)} differ only in whitespace)"
    out = [head + ". Closest matches (copy the text exactly, without the line numbers):"]
    for start, score in windows:
        size = min(len(wanted), 12)
        out.append(f"lines {start + 1}-{start + size} ({round(score * 100)}% similar):")
        out += numbered(lines, start, size)
    return "\n".join(out)
