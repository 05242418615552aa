"""Repository tools confined to one worktree root: listing, searching, reading, and two
small edits (replace an exact text, create a new file).

The developer and tester agents reach the repository only through these methods; the engine
wraps them as function tools. Every path goes through :func:`agents.paths.confine` (its
rules are described there): a path that could leave the root, or reach ``.git``, is refused
with :class:`PathRefused` (after ``on_refusal`` has recorded it), never silently rewritten;
edits also refuse any symbolic link on the way. A path no file can have (a name too long) is
a plain error, not a refusal. An edit that cannot be made as asked raises
:class:`EditRefused`, whose message says what to do instead. Errors name the path relative to
the root, never the worktree's absolute path.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pygit2

from agents.diff import nearest_windows, numbered
from agents.paths import MAX_SYMLINKS, InvalidPath, PathRefused, clean_path, confine
from agents.repo_search import NOISE_DIRS, bound, is_binary, list_matching, search_files

__all__ = ["MAX_SYMLINKS", "NOISE_DIRS", "EditRefused", "InvalidPath", "PathRefused",
           "RepoTools", "bound", "clean_path", "confine"]

MAX_OPEN_FILE_BYTES = 5_000_000
_NUMBERED_RE = re.compile(r"^\s*\d+\t")
SHOWN_EDIT_LINES = 30
_OS_REASONS = {errno.ENOENT: "no such file or directory", errno.ENOTDIR: "no such file or "
               "directory (a part of the path is a file)", errno.ENAMETOOLONG: "invalid path "
               "(a name is too long)", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied", errno.ELOOP: "too many symbolic links",
               errno.EISDIR: "it is a directory"}


class EditRefused(ValueError):
    """An edit that cannot be made as asked; the message says what to do instead."""


def os_reason(exc: OSError) -> str:
    """A short reason for ``exc`` without the file name it carries (an absolute path)."""
    return _OS_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


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

    def _confine(self, tool: str, path: str) -> tuple[str, Path]:
        """The canonical relative form of ``path`` and its target inside the root."""
        try:
            return clean_path(path), confine(self.root, path)
        except InvalidPath:
            raise  # no file can have such a name: an error, not a policy matter
        except PathRefused as exc:
            if self.on_refusal is not None:
                self.on_refusal(tool, str(path)[:1000], str(exc))
            raise

    def _rel(self, p: Path) -> str:
        return p.relative_to(self.root).as_posix() or "."

    def list_files(self, path: str = ".", pattern: str = "*") -> str:
        """List files under `path` (relative to the repository root) whose name or relative
        path matches the glob `pattern` (for example "*.py" or "src/*.ts"). One path per line."""
        rel, start = self._confine("list_files", path)
        try:
            if not start.exists():
                return f"error: no such file or directory: {rel}"
            return list_matching(self.root, start, rel, pattern, self.max_output_chars)
        except OSError as exc:
            return f"error: cannot list {rel}: {os_reason(exc)}"

    def search_repository(
        self, query: str, path: str = ".", max_results: int = 50, regex: bool = False
    ) -> str:
        """Search text files under `path` for `query` (a plain substring, or a regular
        expression when `regex` is true). Results are `path:line: text`, at most `max_results`."""
        rel, start = self._confine("search_repository", path)
        try:
            if not start.exists():
                return f"error: no such file or directory: {rel}"
            return search_files(self.root, start, rel, query, max_results, bool(regex),
                                self.max_output_chars)
        except OSError as exc:
            return f"error: cannot search {rel}: {os_reason(exc)}"

    def open_file(self, path: str, start_line: int = 1, end_line: int | None = None) -> str:
        """Show lines `start_line`..`end_line` (1-based, inclusive; default to the end) of the
        file at `path`, relative to the repository root, each prefixed with its line number."""
        rel, target = self._confine("open_file", path)
        try:
            if target.is_dir():
                return f"error: {rel} is a directory; use list_files to see what it holds"
            if not target.is_file():
                return f"error: no such file: {rel}"
            if target.stat().st_size > MAX_OPEN_FILE_BYTES:
                return f"error: {rel} is larger than {MAX_OPEN_FILE_BYTES} bytes"
            # O_NOFOLLOW: the checked path must not be swapped for a link before it is read.
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                data = fh.read(MAX_OPEN_FILE_BYTES + 1)
        except OSError as exc:
            return f"error: cannot read {rel}: {os_reason(exc)}"
        if is_binary(data[:8192]):
            return f"error: {rel} is a binary file"
        return self._numbered(rel, data.decode("utf-8", "replace").splitlines(), start_line,
                              end_line)

    def _numbered(self, rel: str, lines: list[str], start_line: int, end_line: int | None) -> str:
        total = len(lines)
        first = max(1, start_line)
        last = total if end_line is None else min(end_line, total)
        if total == 0:
            return f"{rel}: empty file"
        if first > total or last < first:
            return f"error: {rel} has {total} lines; requested {start_line}-{end_line}"
        header = f"{rel} (lines {first}-{last} of {total})"
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
    def _writable(self, tool: str, path: str) -> tuple[str, Path]:
        """The confined target of an edit; no component may be a symbolic link, so the file
        changed is the one the path names (and the one ``git diff`` shows)."""
        rel, target = self._confine(tool, path)
        probe = self.root
        for part in [] if rel == "." else rel.split("/"):
            probe = probe / part
            if probe.is_symlink():
                message = f"edits may not go through a symbolic link: {rel!r}"
                if self.on_refusal is not None:
                    self.on_refusal(tool, str(path)[:1000], message)
                raise PathRefused(message)
        return rel, target

    def _ignored(self, rel: str, target: Path) -> bool:
        try:
            repo = pygit2.Repository(str(self.root))
            if target.exists():
                return bool(repo.status_file(rel) & pygit2.enums.FileStatus.IGNORED)
            return bool(repo.path_is_ignored(rel))
        except (pygit2.GitError, KeyError, ValueError):
            return False

    def replace_in_file(self, path: str, old: str, new: str) -> str:
        """Replace the one exact occurrence of `old` in the file at `path` with `new`."""
        rel, target = self._writable("replace_in_file", path)
        with _edit_errors(rel, "change"):
            return self._replace(rel, target, old, new)

    def _replace(self, rel: str, target: Path, old: str, new: str) -> str:
        if target.is_dir():
            raise EditRefused(f"{rel} is a directory")
        if not target.is_file():
            raise EditRefused(f"{rel} does not exist; use write_file to create a new file")
        if not old:
            raise EditRefused("old is empty: give the exact current text to replace")
        if old == new:
            raise EditRefused("old and new are the same: nothing would change")
        text = self._read_text(target, rel)
        if text.count("\r\n") * 2 > text.count("\n") and "\r" not in old:
            old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")  # keep CRLF files
        starts = _occurrences(text, old)
        if not starts:
            raise EditRefused(_not_found(rel, text, old))
        if len(starts) > 1:
            where = ", ".join(str(text.count("\n", 0, i) + 1) for i in starts[:20])
            raise EditRefused(
                f"old text occurs {len(starts)} times in {rel} (starting at lines {where}); "
                f"include more of the surrounding lines in old so that it matches exactly once")
        if self._ignored(rel, target):
            raise EditRefused(f"{rel} is ignored by git, so a change to it is not part of "
                              f"the patch")
        changed = text[:starts[0]] + new + text[starts[0] + len(old):]
        self._write(target, changed, create=False)
        first = text.count("\n", 0, starts[0])
        size = max(1, new.count("\n") + (0 if new.endswith("\n") else 1))
        lines = changed.split("\n")
        shown = numbered(lines, first, min(size, SHOWN_EDIT_LINES))
        more = "" if size <= SHOWN_EDIT_LINES else f"\n[{size - SHOWN_EDIT_LINES} more lines]"
        return (f"replaced 1 occurrence in {rel}; lines {first + 1}-{first + size} now read:\n"
                + "\n".join(shown) + more)

    def write_file(self, path: str, content: str) -> str:
        """Create the NEW file `path` holding `content` (missing directories are created)."""
        rel, target = self._writable("write_file", path)
        with _edit_errors(rel, "create"):
            return self._create(rel, target, content)

    def _create(self, rel: str, target: Path, content: str) -> str:
        if target.is_dir():
            raise EditRefused(f"{rel} is a directory")
        if os.path.lexists(target):
            raise EditRefused(f"{rel} already exists; write_file only creates new files: use "
                              f"replace_in_file to change it")
        if "\x00" in content or len(content) > MAX_OPEN_FILE_BYTES:
            raise EditRefused(f"content for {rel} is binary or larger than "
                              f"{MAX_OPEN_FILE_BYTES} bytes")
        if self._ignored(rel, target):
            raise EditRefused(f"{rel} is ignored by git, so a new file there is not part of "
                              f"the patch")
        if content and not content.endswith("\n"):
            content += "\n"  # a text file ends with a newline; models often leave it out
        parent = target.parent
        missing: list[Path] = []
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        if not parent.is_dir():
            raise EditRefused(f"cannot create {rel}: {self._rel(parent)} is a file")
        for directory in reversed(missing):
            directory.mkdir()
        self._write(target, content, create=True)
        return f"created {rel} ({content.count(chr(10))} lines)"

    def _read_text(self, target: Path, rel: str) -> str:
        try:
            if target.stat().st_size > MAX_OPEN_FILE_BYTES:
                raise EditRefused(f"{rel} is larger than {MAX_OPEN_FILE_BYTES} bytes")
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise EditRefused(f"cannot read {rel}: {os_reason(exc)}") from None
        if is_binary(data[:8192]):
            raise EditRefused(f"{rel} is a binary file")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise EditRefused(f"{rel} is not UTF-8 text; change it with propose_patch") from None

    def _write(self, target: Path, text: str, create: bool) -> None:
        flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
        flags |= (os.O_CREAT | os.O_EXCL) if create else os.O_TRUNC
        try:
            fd = os.open(target, flags, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8"))
        except OSError as exc:
            raise EditRefused(f"cannot write {self._rel(target)}: {os_reason(exc)}") from None


@contextmanager
def _edit_errors(rel: str, verb: str) -> Iterator[None]:
    """Any OS error of an edit as an :class:`EditRefused` naming the relative path."""
    try:
        yield
    except OSError as exc:
        raise EditRefused(f"cannot {verb} {rel}: {os_reason(exc)}") from None


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
