"""Confining a path given by a model (to a repo tool or in a patch header) to one worktree.

A path is checked as text first, then resolved on disk:

- Every character is checked before anything is looked up. Invisible format characters
  (zero-width, bidi controls, tags: Unicode category Cf), control characters, unassigned and
  private-use code points, and look-alikes of ``.``, ``/`` and ``\\`` (U+2024, U+FF0E, U+2215,
  U+FF0F, ...) are refused with the character named, never silently dropped: a name that
  shows as ``.git`` must not be a different name, nor reach ``.git``.
- A name whose NFKC form differs from its NFC form (fullwidth letters, ligatures,
  superscripts) is refused too, so what is checked is what the file system sees; NFC and NFD
  spellings of the same accented name (``café.py``) are both fine.
- ``\\`` is a separator, as on Windows, so ``src\\app.py`` is ``src/app.py``; a file whose
  name holds a backslash cannot be named.
- ``..`` is resolved on the text (as ``os.path.normpath`` does); a path that stays inside the
  tree is fine (``src/../README.md``), one that climbs above the root at any point is not.
- ``.git`` in any case, with trailing dots or spaces, an NTFS stream suffix (``.git::$DATA``)
  or as an 8.3 short name (``GIT~1``) is refused for reads and writes alike.
- Over-long names and paths are refused as invalid before the OS is asked (so no ``OSError``
  carries the absolute worktree path back).

Then symbolic links are followed one component at a time with a hop limit; a link that
leads outside the root or into ``.git`` is refused.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from pathlib import Path

MAX_SYMLINKS = 40
NAME_MAX = 255
"""Bytes per path component (ext4, APFS, NTFS all stop near here)."""
PATH_MAX = 4096
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_SHORT_GIT_RE = re.compile(r"^git~\d+$")
# Punctuation, symbols and marks named like a dot, a slash or a backslash; plus the
# diagonals that draw as one. NFKC catches the rest (U+2026 is "...").
_LOOKALIKE_NAME_RE = re.compile(r"\b(?:SOLIDUS|SLASH|FULL STOP|DOT LEADER)\b")
_LOOKALIKES = frozenset("\u2216\u2571\u2572\u27cb\u27cd")
_CATEGORY_PROBLEMS = {
    "Cf": "an invisible format character",
    "Cc": "a control character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Cs": "an unpaired surrogate",
    "Co": "a private-use character",
    "Cn": "an unassigned character",
}


class PathRefused(ValueError):
    """A path given to a repo tool or a patch header that is not allowed."""


class InvalidPath(PathRefused):
    """A path no file can have (a name too long): an error, not a policy matter."""


def shown(text: str, limit: int = 80) -> str:
    """A cut, ``repr``'d excerpt of ``text`` for a message (invisible characters escaped)."""
    cut = text[:limit]
    return repr(cut) + (f" (+{len(text) - limit} more characters)" if len(text) > limit else "")


@functools.lru_cache(maxsize=8192)
def char_problem(ch: str) -> str | None:
    """Why ``ch`` may not appear in a path (None when it may)."""
    if " " <= ch <= "~":
        return None
    category = unicodedata.category(ch)
    if category in _CATEGORY_PROBLEMS:
        return _CATEGORY_PROBLEMS[category]
    name = unicodedata.name(ch, "")
    folded = unicodedata.normalize("NFKC", ch)
    if (ch in _LOOKALIKES or (category[0] in "PSM" and _LOOKALIKE_NAME_RE.search(name))
            or (folded != ch and any(c in "./\\" for c in folded))):
        return "a look-alike of '.', '/' or '\\'"
    return None


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}"


def is_git_dir_name(name: str) -> bool:
    """``name`` is ``.git`` to some file system: any case, trailing dots or spaces (Windows
    strips them), an NTFS stream suffix, the 8.3 short name, or a compatibility spelling."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    folded = folded.split(":", 1)[0].rstrip(". ")
    return folded == ".git" or _SHORT_GIT_RE.match(folded) is not None


def _check_characters(rel: str) -> None:
    for at, ch in enumerate(rel):
        problem = char_problem(ch)
        if problem is not None:
            raise PathRefused(f"path contains {problem} ({_describe(ch)}) at position {at}: "
                              f"{shown(rel)}; use the plain name")


def _check_part(part: str, rel: str) -> None:
    if is_git_dir_name(part):
        raise PathRefused(f"paths under .git are not allowed: {shown(rel)}")
    nfc, nfkc = unicodedata.normalize("NFC", part), unicodedata.normalize("NFKC", part)
    if nfc != nfkc:
        raise PathRefused(f"name {shown(part)} holds compatibility characters (fullwidth, "
                          f"ligature or superscript forms) that read as {nfkc!r}; use the "
                          f"plain name")
    size = len(part.encode("utf-8"))
    if size > NAME_MAX:
        raise InvalidPath(f"invalid path: a name is {size} bytes long (the limit is {NAME_MAX}):"
                          f" {shown(part, 40)}")


def clean_path(rel: str) -> str:
    """The canonical form of ``rel`` relative to the root ('/'-separated, ``..`` resolved,
    "." for the root itself), or :class:`PathRefused` saying what is wrong with it."""
    if not isinstance(rel, str):
        raise PathRefused(f"path must be a string, not {type(rel).__name__}")
    if len(rel) > PATH_MAX:
        raise InvalidPath(f"invalid path: {len(rel)} characters long (the limit is {PATH_MAX})")
    if "\x00" in rel:
        raise PathRefused(f"path contains a NUL byte: {shown(rel)}")
    _check_characters(rel)
    text = rel.replace("\\", "/")
    if text.startswith("//") or _DRIVE_RE.match(text):
        raise PathRefused(f"drive and network paths are not allowed: {shown(rel)}")
    if text.startswith("/") or text == "~" or text.startswith("~/"):
        raise PathRefused(f"absolute paths are not allowed, use a path relative to the "
                          f"repository root: {shown(rel)}")
    parts: list[str] = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathRefused(f"path leads outside the repository: {shown(rel)}")
            parts.pop()
            continue
        _check_part(part, rel)
        parts.append(part)
    return "/".join(parts) or "."


def confine(root: Path, rel: str) -> Path:
    """Resolve ``rel`` inside ``root`` or raise :class:`PathRefused`.

    Symlinks are followed one component at a time, with a hop limit, so loops and links that
    point outside the root (or into ``.git``) are refused instead of crashing or escaping.
    Components that do not exist yet (a file a patch will create) are accepted as they are.
    """
    clean = clean_path(rel)
    base = Path(os.path.realpath(root))
    current = base
    pending = [] if clean == "." else clean.split("/")
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
        except OSError:  # not a directory on the way, no permission: a missing component
            is_link = False
        if not is_link:
            current = candidate
            continue
        hops += 1
        if hops > MAX_SYMLINKS:
            raise PathRefused(f"too many levels of symbolic links: {shown(rel)}")
        try:
            target = os.readlink(candidate)
        except OSError as exc:
            raise PathRefused(f"cannot read symbolic link {shown(part)}: {exc.strerror}") from None
        if target.startswith("/"):
            current = Path("/")
        pending = [p for p in target.split("/") if p] + pending
    if current != base and not current.is_relative_to(base):
        raise PathRefused(f"path leads outside the repository (through a symbolic link): "
                          f"{shown(rel)}")
    if any(is_git_dir_name(p) for p in current.relative_to(base).parts):
        raise PathRefused(f"path leads into .git (through a symbolic link): {shown(rel)}")
    if len(os.fsencode(current)) > PATH_MAX:
        raise InvalidPath(f"invalid path: too long: {shown(clean)}")
    return current
