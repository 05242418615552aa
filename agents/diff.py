"""Unified diff parsing into files and hunks, with stable hunk ids (``path#index``).

Used by patch checking, per-hunk accept/reject and the diff viewer alike, so a hunk id
means the same thing everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


@dataclass
class Hunk:
    path: str
    index: int
    header: str
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    lines: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.path}#{self.index}"

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.startswith("+"))

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.startswith("-"))


@dataclass
class FileDiff:
    old_path: str | None
    new_path: str | None
    header: list[str] = field(default_factory=list)
    hunks: list[Hunk] = field(default_factory=list)
    binary: bool = False

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def status(self) -> str:
        if self.old_path is None:
            return "added"
        if self.new_path is None:
            return "deleted"
        if self.old_path != self.new_path:
            return "renamed"
        return "modified"


class DiffParseError(ValueError):
    """The text is not a unified diff."""


def _strip_prefix(raw: str) -> str | None:
    raw = raw.split("\t", 1)[0].strip()
    if raw == "/dev/null":
        return None
    if raw.startswith(("a/", "b/")):
        return raw[2:]
    return raw


def parse_unified_diff(text: str) -> list[FileDiff]:
    """Split ``text`` into files and hunks. Raises :class:`DiffParseError` on malformed input."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    hunk: Hunk | None = None
    remaining_old = remaining_new = 0
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            current = FileDiff(old_path=None, new_path=None, header=[line])
            parts = line.split(" ")
            if len(parts) >= 4:
                current.old_path, current.new_path = (
                    _strip_prefix(parts[2]),
                    _strip_prefix(parts[3]),
                )
            files.append(current)
            hunk = None
        elif line.startswith("--- ") and (
            hunk is None or (remaining_old <= 0 and remaining_new <= 0)
        ):
            if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
                raise DiffParseError(f"line {i + 1}: '---' header without '+++'")
            if current is None or current.hunks:
                current = FileDiff(old_path=None, new_path=None)
                files.append(current)
            current.header += [line, lines[i + 1]]
            current.old_path = _strip_prefix(line[4:])
            current.new_path = _strip_prefix(lines[i + 1][4:])
            hunk = None
            i += 1
        elif line.startswith("@@"):
            m = _HUNK_RE.match(line)
            if not m or current is None:
                raise DiffParseError(f"line {i + 1}: malformed hunk header: {line[:60]}")
            old_len = int(m.group(2)) if m.group(2) is not None else 1
            new_len = int(m.group(4)) if m.group(4) is not None else 1
            hunk = Hunk(
                current.path,
                len(current.hunks),
                line,
                int(m.group(1)),
                old_len,
                int(m.group(3)),
                new_len,
            )
            current.hunks.append(hunk)
            remaining_old, remaining_new = old_len, new_len
        elif (
            hunk is not None
            and line[:1] in (" ", "+", "-", "\\")
            or (hunk is not None and line == "")
        ):
            assert hunk is not None
            if line == "":
                line = " "
            hunk.lines.append(line)
            if line.startswith(" "):
                remaining_old -= 1
                remaining_new -= 1
            elif line.startswith("-"):
                remaining_old -= 1
            elif line.startswith("+"):
                remaining_new -= 1
        elif current is not None:
            if line.startswith("Binary files") or line.startswith("GIT binary patch"):
                current.binary = True
            if line.startswith("new file mode"):
                current.old_path = None
            if line.startswith("deleted file mode"):
                current.new_path = None
            current.header.append(line)
        elif line.strip():
            raise DiffParseError(f"line {i + 1}: not part of a unified diff: {line[:60]}")
        i += 1
    if not files:
        raise DiffParseError("no file headers found: not a unified diff")
    for f in files:
        for h in f.hunks:
            h.path = f.path
    return files


def render_diff(files: list[FileDiff], exclude: set[str] | frozenset[str] = frozenset()) -> str:
    """Render ``files`` back to text, leaving out hunks whose id is in ``exclude``.

    New-side line numbers of later hunks are shifted so the result still applies.
    """
    out: list[str] = []
    for f in files:
        kept = [h for h in f.hunks if h.id not in exclude]
        if f.hunks and not kept:
            continue
        out.extend(f.header)
        shift = 0
        for h in f.hunks:
            if h.id in exclude:
                shift -= h.added - h.removed
                continue
            m = _HUNK_RE.match(h.header)
            tail = m.group(5) if m else ""
            out.append(f"@@ -{h.old_start},{h.old_len} +{h.new_start + shift},{h.new_len} @@{tail}")
            out.extend(h.lines)
    return "\n".join(out) + ("\n" if out else "")
