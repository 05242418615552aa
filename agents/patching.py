"""Checking and applying a unified diff inside a worktree.

Git's own apply (and so pygit2's) accepts a diff that creates a symlink to /etc/passwd and quietly
turns a ``+++ /tmp/x`` header into ``tmp/x``. So every header path is checked here first, and the
diff handed to git is rebuilt from the checked paths: what was checked is exactly what is applied.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pygit2

from agents.diff import (
    DiffParseError,
    FileDiff,
    Hunk,
    fit_hunks,
    hunk_mismatch,
    parse_unified_diff,
    recount,
    render_diff,
)
from agents.paths import PathRefused, clean_path, confine, shown

_MODE_RE = re.compile(r"^(new file mode|deleted file mode|old mode|new mode) (\d+)\s*$")
_INDEX_MODE_RE = re.compile(r"^index [0-9a-fA-F]+\.\.[0-9a-fA-F]+ (\d+)\s*$")
_PATH_LINE_RE = re.compile(r"^(rename from|rename to|copy from|copy to) (.+)$")
_KEPT_RE = re.compile(r"^(similarity index|dissimilarity index) ")
_ALLOWED_MODES = ("100644", "100755")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f",
            "r": "\r", "v": "\v"}


class PatchRejected(ValueError):
    """A patch that is unsafe, malformed or does not apply."""


class UnsafePatch(PatchRejected):
    """A patch refused by policy (a path that leaves the tree or reaches ``.git``, a symbolic
    link), as opposed to one that is malformed or does not apply; ``path`` is the path from
    the header (cut), or "" when the refusal is about a file mode."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path[:1000]


@dataclass
class AppliedPatch:
    files: list[str] = field(default_factory=list)
    hunks_applied: list[str] = field(default_factory=list)
    hunks_excluded: list[str] = field(default_factory=list)
    diff_text: str = ""


def _unquote(raw: str) -> str:
    """Undo git's C-style quoting of a path ("a/caf\\303\\251")."""
    if not (len(raw) >= 2 and raw.startswith('"') and raw.endswith('"')):
        return raw
    out = bytearray()
    body, i = raw[1:-1], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out += _ESCAPES.get(nxt, nxt).encode()
            i += 2
            continue
        out += ch.encode()
        i += 1
    return out.decode("utf-8", "replace")


def _strip(raw: str) -> str | None:
    raw = _unquote(raw.split("\t", 1)[0].strip())
    if raw == "/dev/null":
        return None
    return raw[2:] if raw.startswith(("a/", "b/")) else raw


def _git_line_paths(line: str) -> tuple[str | None, str | None] | None:
    """Both paths of a ``diff --git`` line, or None when spaces make it ambiguous."""
    rest = line[len("diff --git "):].strip()
    if rest.startswith('"'):
        end = re.match(r'"(?:[^"\\]|\\.)*"', rest)
        if end:
            first, second = end.group(0), rest[end.end():].strip()
            return _strip(first), _strip(second)
    if rest.endswith('"'):
        start = rest.rfind(' "')
        if start > 0:
            return _strip(rest[:start]), _strip(rest[start + 1:])
    tokens = rest.split(" ")
    if len(tokens) == 2:
        return _strip(tokens[0]), _strip(tokens[1])
    splits = [(rest[:i], rest[i + 1:]) for i, c in enumerate(rest) if c == " "]
    same = [(a, b) for a, b in splits
            if a.startswith("a/") and b.startswith("b/") and a[2:] == b[2:]]
    if len(same) == 1:
        return _strip(same[0][0]), _strip(same[0][1])
    return None


def _quote(path: str) -> str:
    if any(c in path for c in '"\t\n') or any(ord(c) < 32 for c in path):
        return '"' + path.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'
    return path


def _clean(path: str, label: str) -> str:
    """The canonical form of a header path (see :mod:`agents.paths`), so a path checked is
    the path git is given, and two spellings of one file agree."""
    try:
        clean = clean_path(path)
    except PathRefused as exc:
        raise UnsafePatch(f"unsafe path in patch for {label}: {exc}", path) from None
    if clean == ".":
        raise UnsafePatch(f"patch for {label} names the repository root, not a file", path)
    return clean


def _check_path(root: Path, path: str, file_label: str) -> None:
    try:
        confine(root, path)
    except PathRefused as exc:
        raise UnsafePatch(f"unsafe path in patch for {file_label}: {exc}", path) from None
    probe = Path(root)
    for part in path.split("/"):
        probe = probe / part
        if probe.is_symlink():
            raise UnsafePatch(f"patch for {file_label} goes through a symbolic link: "
                              f"{shown(path)}", path)


def _canonical_header(root: Path, f: FileDiff) -> list[str]:
    """Check every path and mode in ``f``'s header; return a header git reads the same way."""
    label = (f.path if f.path.isprintable() and len(f.path) <= 120 else shown(f.path, 60)
             ) if f.path else "?"
    olds: set[str] = set()
    news: set[str] = set()
    old_null = new_null = False
    kept: list[str] = []
    for line in f.header:
        if line.startswith("diff --git "):
            pair = _git_line_paths(line)
            if pair is None and not any(h.startswith(("--- ", "rename ")) for h in f.header):
                raise PatchRejected(f"cannot read the file names in: {line[:100]}")
            if pair is not None:
                olds.update(_clean(p, label) for p in pair[:1] if p is not None)
                news.update(_clean(p, label) for p in pair[1:] if p is not None)
        elif line.startswith("--- "):
            p = _strip(line[4:])
            old_null = old_null or p is None
            if p is not None:
                olds.add(_clean(p, label))
        elif line.startswith("+++ "):
            p = _strip(line[4:])
            new_null = new_null or p is None
            if p is not None:
                news.add(_clean(p, label))
        elif m := _PATH_LINE_RE.match(line):
            named = _clean(_unquote(m.group(2).strip()), label)
            (olds if m.group(1).endswith("from") else news).add(named)
            kept.append(line)
        elif (m := _MODE_RE.match(line)) or (m := _INDEX_MODE_RE.match(line)):
            mode = m.group(m.lastindex or 1)
            if mode == "120000":
                raise UnsafePatch(f"patch may not create or change a symbolic link: {label}")
            if mode not in _ALLOWED_MODES:
                raise PatchRejected(f"unsupported file mode {mode} for {label}")
            if line.startswith("new file mode"):
                old_null = True
            elif line.startswith("deleted file mode"):
                new_null = True
            if not line.startswith("index "):
                kept.append(line)
        elif _KEPT_RE.match(line):
            kept.append(line)
    if len(olds) > 1 or len(news) > 1:
        raise PatchRejected(f"inconsistent file names in the headers for {label}: "
                            f"{sorted(olds | news)}")
    old = None if old_null else next(iter(olds), None)
    new = None if new_null else next(iter(news), None)
    if old is None and new is None:
        raise PatchRejected(f"patch names no file for {label}")
    for p in {p for p in (old, new) if p is not None}:
        _check_path(root, p, label)
    if old is None and not any(k.startswith("new file mode") for k in kept):
        kept.insert(0, "new file mode 100644")
    if new is None and not any(k.startswith("deleted file mode") for k in kept):
        kept.insert(0, "deleted file mode 100644")
    a, b = old or str(new), new or str(old)
    header = [f"diff --git {_quote('a/' + a)} {_quote('b/' + b)}", *kept]
    if f.hunks:
        header.append("--- /dev/null" if old is None else f"--- {_quote('a/' + old)}")
        header.append("+++ /dev/null" if new is None else f"+++ {_quote('b/' + new)}")
    f.old_path, f.new_path = old, new
    return header


def check_patch(root: Path, diff_text: str) -> list[FileDiff]:
    """Parse ``diff_text`` and check it is safe to apply inside ``root``.

    Returns the files with their headers rebuilt in canonical git form from the checked paths.
    Raises :class:`PatchRejected` with a one-line reason otherwise.
    """
    if not isinstance(diff_text, str) or not diff_text.strip():
        raise PatchRejected("empty patch")
    if "\x00" in diff_text:
        raise PatchRejected("patch contains a NUL byte")
    try:
        files = parse_unified_diff(diff_text)
    except DiffParseError as exc:
        raise PatchRejected(f"malformed diff: {exc}") from None
    seen: set[str] = set()
    for f in files:
        if f.binary:
            raise PatchRejected(f"binary patches are not allowed: {f.path}")
        f.header = _canonical_header(root, f)
        if f.path in seen:
            raise PatchRejected(f"patch changes {f.path} twice; merge its hunks into one file diff")
        seen.add(f.path)
        for h in f.hunks:
            h.path = f.path
    return files


def _recount(h: Hunk) -> None:
    """Fix hunk lengths the way ``git apply --recount`` does; models often miscount."""
    claimed = (h.old_len, h.new_len)
    recount(h)
    # A blank line after the last hunk is parsed as empty context; drop it when it is surplus.
    while (h.old_len > claimed[0] or h.new_len > claimed[1]) and h.lines and h.lines[-1] == " ":
        h.lines.pop()
        recount(h)


def _file_lines(root: Path, path: str) -> tuple[list[str], bool] | None:
    """The lines of a (checked) file without their ``\\n`` and whether it uses CRLF, or None
    when it cannot be read as UTF-8 text."""
    try:
        fd = os.open(root / path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            text = fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    crlf = sum(1 for ln in lines if ln.endswith("\r")) * 2 > len(lines)
    return lines, crlf


def _fit(root: Path, files: list[FileDiff]) -> None:
    for f in files:
        read = _file_lines(root, f.old_path) if f.old_path is not None and f.hunks else None
        if read is not None:
            fit_hunks(f, *read)


def _first_failure(
    root: Path, repo: pygit2.Repository, files: list[FileDiff],
    exclude: set[str] | frozenset[str],
) -> str:
    """Name the file (and hunk) that stops the patch from applying."""
    loc = pygit2.enums.ApplyLocation.WORKDIR
    for f in files:
        try:
            text = render_diff([f], exclude=exclude)
            repo.applies(pygit2.Diff.parse_diff(text), loc, raise_error=True)
        except (pygit2.GitError, OSError, ValueError) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            for h in [h for h in f.hunks if h.id not in exclude]:
                alone = render_diff([f], exclude={x.id for x in f.hunks if x is not h})
                try:
                    ok = repo.applies(pygit2.Diff.parse_diff(alone), loc)
                except (pygit2.GitError, OSError, ValueError):
                    ok = False
                if not ok:
                    read = _file_lines(root, f.old_path) if f.old_path is not None else None
                    why = hunk_mismatch(h, read[0], f.old_path or f.path) if read else ""
                    return (f"{f.path}: hunk {h.id} ({h.header}) does not match the current "
                            f"file content" + (f": {why}" if why else ""))
            return f"{f.path}: {detail}"
    return "git could not apply the patch"


def _try_apply(repo: pygit2.Repository, text: str) -> bool:
    loc = pygit2.enums.ApplyLocation.WORKDIR
    try:
        diff = pygit2.Diff.parse_diff(text)
        if not repo.applies(diff, loc):
            return False
        repo.apply(diff, loc)
    except (pygit2.GitError, OSError, ValueError):
        return False
    return True


def _without_trailing_blank_context(
    files: list[FileDiff], exclude: set[str] | frozenset[str]
) -> str | None:
    """The diff with blank context lines dropped from hunk ends, or None if there are none.

    Editors and models strip the single space git writes for an empty context line, so a
    blank line after the diff reads as context; trailing context only anchors a hunk, so
    dropping it never changes what the hunk does.
    """
    changed = False
    for f in files:
        for h in f.hunks:
            while len(h.lines) > 1 and h.lines[-1] == " ":
                h.lines.pop()
                changed = True
            _recount(h)
    return render_diff(files, exclude=exclude) if changed else None


def _check_targets(root: Path, files: list[FileDiff]) -> None:
    for f in files:
        if f.old_path is None and f.new_path is not None and (root / f.new_path).exists():
            raise PatchRejected(f"patch does not apply: {f.new_path} already exists")
        if f.old_path is not None and not (root / f.old_path).is_file():
            raise PatchRejected(f"patch does not apply: {f.old_path} does not exist")
        if f.status == "renamed" and f.new_path and (root / f.new_path).exists():
            raise PatchRejected(f"patch does not apply: {f.new_path} already exists")


def apply_patch(
    root: Path, diff_text: str, exclude_hunks: set[str] | frozenset[str] = frozenset()
) -> AppliedPatch:
    """Check ``diff_text``, drop the hunks in ``exclude_hunks`` and apply the rest to the
    working directory of the git worktree at ``root`` (its index is left alone)."""
    root = Path(os.path.realpath(root))
    files = check_patch(root, diff_text)
    all_ids = [h.id for f in files for h in f.hunks]
    unknown = sorted(set(exclude_hunks) - set(all_ids))
    if unknown:
        raise PatchRejected(f"unknown hunk id: {unknown[0]}")
    for f in files:
        for h in f.hunks:
            _recount(h)
    effective = [f for f in files if not f.hunks or any(h.id not in exclude_hunks for h in f.hunks)]
    _check_targets(root, effective)
    _fit(root, effective)
    result = AppliedPatch(
        files=[f.path for f in effective],
        hunks_applied=[i for i in all_ids if i not in exclude_hunks],
        hunks_excluded=[i for i in all_ids if i in exclude_hunks],
        diff_text=render_diff(effective, exclude=exclude_hunks),
    )
    if not effective:
        return result
    try:
        repo = pygit2.Repository(str(root))
    except pygit2.GitError:
        raise PatchRejected(f"not a git worktree: {root}") from None
    if repo.workdir is None or Path(os.path.realpath(repo.workdir)) != root:
        raise PatchRejected(f"not the top of a git worktree: {root}")
    if _try_apply(repo, result.diff_text):
        return result
    detail = _first_failure(root, repo, effective, exclude_hunks)
    retry = _without_trailing_blank_context(effective, exclude_hunks)
    if retry is not None and _try_apply(repo, retry):
        result.diff_text = retry
        return result
    raise PatchRejected(f"patch does not apply: {detail}")
