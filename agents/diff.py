"""Unified diff parsing into files and hunks, with stable hunk ids (``path#index``).

Used by patch checking, per-hunk accept/reject and the diff viewer alike, so a hunk id
means the same thing everywhere. Also the line matching that turns a model's imprecise edit
into a precise one or a precise error: the nearest lines of a file to a text, hunks placed
where their lines really are, and what stops a hunk from fitting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")
MAX_NEAREST_LINES = 50_000
MAX_ANCHORS = 6


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


def _looks_like_header_path(raw: str) -> bool:
    raw = raw.split("\t", 1)[0].strip()
    return raw == "/dev/null" or raw.startswith(("a/", "b/"))


def _starts_file(
    lines: list[str], i: int, hunk: Hunk | None, remaining_old: int, remaining_new: int
) -> bool:
    """Whether the ``---`` line at ``i`` begins a file header rather than a removed line.

    Hunk counts decide first; models miscount, so a ``---``/``+++`` pair that looks like
    file headers and is followed by a hunk also starts a file when it lies inside a hunk the
    counts say is still open, unless those two lines are exactly what the counts still expect.
    A ``---`` line without a ``+++`` line after it is a removed line, never a header.
    """
    if i + 1 >= len(lines) or not lines[i + 1].startswith("+++ "):
        if hunk is None:
            raise DiffParseError(f"line {i + 1}: '---' header without '+++'")
        return False
    if hunk is None or (remaining_old <= 0 and remaining_new <= 0):
        return True
    if remaining_old == 1 and remaining_new == 1:
        return False
    followed_by_hunk = i + 2 < len(lines) and lines[i + 2].startswith("@@")
    return followed_by_hunk and _looks_like_header_path(lines[i][4:]) and (
        _looks_like_header_path(lines[i + 1][4:]))


def _lines(text: str) -> list[str]:
    """Lines end at ``\n`` only (``\r\n`` too): ``str.splitlines`` would also split at form
    feeds, ``\x1c``-``\x1e``, ``\x85`` and U+2028/9, which may stand inside a path or a line
    of code."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def parse_unified_diff(text: str) -> list[FileDiff]:
    """Split ``text`` into files and hunks. Raises :class:`DiffParseError` on malformed input."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    hunk: Hunk | None = None
    remaining_old = remaining_new = 0
    lines = _lines(text)
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
        elif line.startswith("--- ") and _starts_file(lines, i, hunk, remaining_old,
                                                      remaining_new):
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
            if current is None:
                raise DiffParseError(
                    f"line {i + 1}: missing file headers (--- a/PATH / +++ b/PATH) before "
                    f"the first @@ hunk")
            if not m:
                raise DiffParseError(
                    f"line {i + 1}: malformed hunk header {line[:60]!r} (expected "
                    f"'@@ -START,COUNT +START,COUNT @@', with the line numbers)")
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


def _similar_lines(lines: Sequence[str], wanted: str, cutoff: float) -> list[int]:
    """Indexes of ``lines`` at least ``cutoff`` similar to ``wanted`` (stripped), cheap
    filters first as in difflib.get_close_matches."""
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    out: list[int] = []
    for j, line in enumerate(lines):
        matcher.set_seq1(line.strip())
        if (matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff
                and matcher.ratio() >= cutoff):
            out.append(j)
    return out


def nearest_windows(
    lines: Sequence[str], wanted: Sequence[str], count: int = 3, cutoff: float = 0.5
) -> list[tuple[int, float]]:
    """The ``count`` runs of ``len(wanted)`` lines of ``lines`` most like ``wanted``, as
    (0-based start, similarity 0..1), best first and not overlapping.

    Candidate starts come from lines that resemble one of the most distinctive wanted lines,
    so a large file costs a few passes over its lines, not one comparison per window.
    """
    size = max(1, len(wanted))
    if not lines or len(lines) > MAX_NEAREST_LINES:
        return []
    anchors = sorted(((len(w.strip()), i) for i, w in enumerate(wanted) if w.strip()),
                     reverse=True)[:MAX_ANCHORS]
    starts: set[int] = set()
    for _, i in anchors:
        for j in _similar_lines(lines, wanted[i].strip(), cutoff):
            starts.add(min(max(0, j - i), max(0, len(lines) - size)))
    target = "\n".join(w.strip() for w in wanted)
    scored: list[tuple[float, int]] = []
    for start in starts:
        window = "\n".join(line.strip() for line in lines[start:start + size])
        scored.append((SequenceMatcher(None, window, target, autojunk=False).ratio(), start))
    scored.sort(key=lambda item: (-item[0], item[1]))
    picked: list[tuple[int, float]] = []
    for score, start in scored:
        if len(picked) >= count:
            break
        if all(abs(start - other) >= size for other, _ in picked):
            picked.append((start, score))
    return picked


def numbered(lines: Sequence[str], start: int, size: int, width: int = 160) -> list[str]:
    """Lines ``start``..``start + size`` (0-based) as ``  NUMBER<tab>text``, long ones cut."""
    out = []
    for n in range(start, min(start + size, len(lines))):
        text = lines[n].rstrip("\r")
        text = text if len(text) <= width else text[:width] + " [cut]"
        out.append(f"{n + 1:>6}\t{text}")
    return out


def old_side(h: Hunk) -> list[str]:
    """The file lines a hunk expects to find: its context and removed lines."""
    return [line[1:] for line in h.lines if line[:1] in (" ", "-")]


def _matches_at(lines: Sequence[str], wanted: Sequence[str], start: int) -> bool:
    # Trailing whitespace is invisible in a model's copy of the file (and editors drop it).
    return start >= 0 and start + len(wanted) <= len(lines) and all(
        lines[start + i].rstrip() == w.rstrip() for i, w in enumerate(wanted))


def _place(lines: Sequence[str], wanted: Sequence[str], claimed: int, floor: int) -> int | None:
    """Where ``wanted`` occurs at or after ``floor``: the claimed start if it fits there, else
    the one occurrence nearest to it; None when there is none or two are equally near."""
    if claimed >= floor and _matches_at(lines, wanted, claimed):
        return claimed
    found = [s for s in range(floor, len(lines) - len(wanted) + 1)
             if _matches_at(lines, wanted, s)]
    if not found:
        return None
    found.sort(key=lambda s: abs(s - claimed))
    if len(found) > 1 and abs(found[0] - claimed) == abs(found[1] - claimed):
        return None
    return found[0]


def fit_hunks(f: FileDiff, lines: Sequence[str], crlf: bool = False) -> None:
    """Line hunks of ``f`` up with the file's current ``lines`` where that is unambiguous.

    Models get the ``@@`` line numbers and whitespace at line ends wrong; git refuses both.
    A hunk whose context and removed lines occur in the file (ignoring trailing whitespace)
    is moved to the nearest such place, takes the file's exact text for those lines (and its
    CRLF line ends for added lines when ``crlf``), and the new-side starts are recomputed.
    Hunks that cannot be placed are left as they are, so the apply fails and names them.
    """
    floor = offset = 0
    for h in f.hunks:
        wanted = old_side(h)
        if wanted:
            at = _place(lines, wanted, h.old_start - 1, floor)
            while at is None and len(h.lines) > 1 and h.lines[-1] == " ":
                h.lines.pop()  # a blank line after the diff read as context
                wanted = old_side(h)
                at = _place(lines, wanted, h.old_start - 1, floor)
            if at is not None:
                fixed = iter(lines[at:at + len(wanted)])
                h.lines = [ln[0] + next(fixed) if ln[:1] in (" ", "-")
                           else ln + "\r" if crlf and ln[:1] == "+" and not ln.endswith("\r")
                           else ln for ln in h.lines]
                h.old_start, floor = at + 1, at + len(wanted)
            recount(h)
            h.new_start = h.old_start + offset
        offset += h.added - h.removed


def recount(h: Hunk) -> None:
    """Set a hunk's lengths from its body, as ``git apply --recount`` does."""
    h.old_len = sum(1 for ln in h.lines if ln[:1] in (" ", "-"))
    h.new_len = sum(1 for ln in h.lines if ln[:1] in (" ", "+"))


def hunk_mismatch(h: Hunk, lines: Sequence[str], path: str) -> str:
    """Why ``h`` does not fit ``lines``: the first line that differs from the nearest match,
    and the nearest matching lines with their numbers."""
    old = [ln for ln in h.lines if ln[:1] in (" ", "-")]
    wanted = [ln[1:] for ln in old]
    if not wanted:
        return ""
    found = [s for s in range(len(lines) - len(wanted) + 1) if _matches_at(lines, wanted, s)]
    if len(found) > 1:
        where = ", ".join(str(s + 1) for s in found[:10])
        return (f"its lines occur {len(found)} times in {path} (at lines {where}); give the "
                f"right line numbers in the @@ header or more context lines")
    if found:
        return (f"its lines are at line {found[0] + 1} of {path}, where it overlaps "
                f"another hunk; merge the two hunks")
    windows = nearest_windows(lines, wanted, count=2)
    if not windows:
        return f"none of its context or removed lines is in {path}"
    start, detail = windows[0][0], ""
    for i, w in enumerate(wanted):
        actual = lines[start + i].rstrip("\r") if start + i < len(lines) else None
        if actual is None or actual.rstrip() != w.rstrip():
            shown = "past the end of the file" if actual is None else repr(actual[:120])
            detail = (f"the hunk line {old[i][:120]!r} does not match line {start + i + 1} "
                      f"of {path}, which is {shown}")
            break
    out = [f"{detail}; nearest matching lines in {path}:"]
    for n, (s, _) in enumerate(windows):
        out += ([] if n == 0 else ["   ..."]) + numbered(lines, s, min(len(wanted), 12))
    return "\n".join(out)
