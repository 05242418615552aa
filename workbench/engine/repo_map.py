"""What a role sees of the repository besides its tools: a map of signatures for the files in
scope (classes and functions with line numbers, from the tree-sitter analysis), the list of
files, and the slices a reviewer needs around the changed hunks.

Paths named by the spec are model output: they are confined to the worktree like every tool
path, and a path that is refused is simply left out of the map.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agents.diff import DiffParseError, parse_unified_diff
from agents.repo_tools import NOISE_DIRS, PathRefused, confine
from analysis.definitions import parse_file
from analysis.languages import grammar_for_path

if TYPE_CHECKING:
    from tree_sitter import Node

    from analysis import FunctionChange

MAP_LIMIT = 3000
MAX_MAP_FILE_BYTES = 400_000
MAX_ENTRIES_PER_FILE = 40
MAX_DIR_FILES = 25
SMALL_FILE_CHARS = 1500
_CLASS_NODES = frozenset({
    "class_definition",  # Python
    "class_declaration", "struct_declaration", "interface_declaration",  # C#, TypeScript
    "record_declaration", "enum_declaration", "abstract_class_declaration",
})
_PREAMBLE = ("@", "[", "//", "#", "/*", "*")
_TOKEN_RE = re.compile(r"[^\s,;()`'\"]+")


@dataclass(frozen=True)
class _Entry:
    start: int
    end: int
    signature: str
    is_class: bool


def _head(text: str) -> str:
    """``text`` up to its body: the first ``{`` or ``=>`` outside brackets, or a final ``:``."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([<":
            depth += 1
        elif ch in ")]>" and not (ch == ">" and text[i - 1 : i] == "="):
            depth = max(0, depth - 1)
        elif depth == 0 and (ch == "{" or text.startswith("=>", i)):
            return text[:i].rstrip()
    return text.rstrip().removesuffix(":").rstrip()


def _signature(lines: list[str], start: int, end: int) -> tuple[int, str]:
    """The declaration line of a definition spanning ``start``..``end`` (1-based) and its
    text: decorators, attributes and comments skipped, a signature split over lines joined,
    the body left out."""
    i = start - 1
    while i < end - 1 and lines[i].strip().startswith(_PREAMBLE):
        i += 1
    first = i + 1
    parts = [lines[i].strip()]
    depth = parts[0].count("(") - parts[0].count(")")
    while depth > 0 and i + 1 < min(end, start + 8):
        i += 1
        parts.append(lines[i].strip())
        depth += parts[-1].count("(") - parts[-1].count(")")
    text = " ".join(parts).replace("( ", "(").replace(" )", ")").replace(",)", ")")
    text = re.sub(r":\s+#.*$", ":", text)  # a Python comment after the colon
    return first, _head(text)[:140]


def _class_nodes(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in _CLASS_NODES:
            yield node
        stack.extend(reversed(node.children))


def _entries(rel: str, data: bytes) -> list[_Entry] | None:
    parsed = parse_file(rel, data)
    if parsed is None:
        return None
    lines = parsed.source.decode("utf-8", "replace").splitlines() or [""]
    found: list[_Entry] = []
    for node in _class_nodes(parsed.tree.root_node):
        start, end = node.start_point[0] + 1, node.end_point[0] + 1
        line, text = _signature(lines, start, end)
        found.append(_Entry(line, end, text, True))
    for d in parsed.extraction().definitions:
        line, text = _signature(lines, d.start_line, d.end_line)
        found.append(_Entry(line, d.end_line, text, False))
    defs = [e for e in found if not e.is_class]
    # A function inside another function's body is a helper: noise in a map.
    kept = [e for e in found if e.is_class or not any(
        o is not e and o.start < e.start and e.end <= o.end for o in defs)]
    return sorted(kept, key=lambda e: (e.start, not e.is_class))


def file_map(rel: str, data: bytes) -> str:
    """One file's block: its path and line count, then one line per class or function,
    indented under the classes that hold it."""
    total = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    head = f"{rel} ({total} line{'' if total == 1 else 's'})"
    entries = _entries(rel, data) if len(data) <= MAX_MAP_FILE_BYTES else None
    if not entries:
        return head
    classes = [e for e in entries if e.is_class]
    rows = [head]
    for e in entries[:MAX_ENTRIES_PER_FILE]:
        depth = sum(1 for c in classes if c is not e and c.start <= e.start and e.end <= c.end)
        rows.append(f"{'  ' * (depth + 1)}{e.start}: {e.signature}")
    if len(entries) > MAX_ENTRIES_PER_FILE:
        rows.append(f"  [{len(entries) - MAX_ENTRIES_PER_FILE} more; open_file shows them]")
    return "\n".join(rows)


def repo_files(root: Path) -> list[str]:
    """Repository files (relative, sorted), leaving out .git and tool caches."""
    base = Path(os.path.realpath(root))
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in NOISE_DIRS)
        rel_dir = Path(dirpath).relative_to(base)
        out.extend((rel_dir / name).as_posix() for name in sorted(filenames)
                   if not (Path(dirpath) / name).is_symlink())
    return out


def file_list(root: Path, limit: int = 1500) -> str:
    """The repository's files, one per line, cut at ``limit`` characters."""
    files = repo_files(root)
    text, shown = "", 0
    for rel in files:
        if len(text) + len(rel) + 1 > limit:
            break
        text, shown = text + rel + "\n", shown + 1
    if shown < len(files):
        text += f"[{len(files) - shown} more files]\n"
    return text.rstrip("\n")


def _scope_paths(root: Path, names: Sequence[str]) -> list[str]:
    """Files the spec names (a file, or the analysed files of a folder), inside the root."""
    base = Path(os.path.realpath(root))
    found: list[str] = []
    for name in names:
        for token in _TOKEN_RE.findall(name):
            token = token.strip(".:")
            if "/" not in token and "." not in token:
                continue
            try:
                target = confine(base, token)
            except PathRefused:
                continue
            if target.is_file() and not target.is_symlink():
                found.append(target.relative_to(base).as_posix())
            elif target.is_dir():
                rel = target.relative_to(base).as_posix()
                inside = [f for f in repo_files(target) if grammar_for_path(f)]
                found.extend(f"{rel}/{f}" if rel != "." else f for f in inside[:MAX_DIR_FILES])
    return list(dict.fromkeys(found))


def repo_map(root: Path, scope: Sequence[str] = (), limit: int = MAP_LIMIT) -> str:
    """Signatures of the files ``scope`` names (spec components: paths or folders); when it
    names none that exist, of every analysed file. Cut at ``limit`` characters."""
    base = Path(os.path.realpath(root))
    every = repo_files(base)
    paths = _scope_paths(base, scope) or [f for f in every if grammar_for_path(f)]
    blocks: list[str] = []
    size = 0
    for n, rel in enumerate(paths):
        try:
            data = (base / rel).read_bytes()
        except OSError:
            continue
        block = file_map(rel, data)
        if size + len(block) > limit:
            blocks.append(f"[map cut: {len(paths) - n} more files in scope; open_file or "
                          "search_repository shows them]")
            break
        blocks.append(block)
        size += len(block) + 1
    others = len(every) - len(paths)
    if others > 0:
        blocks.append(f"[{others} other files in the repository; list_files shows them]")
    return "\n".join(blocks)


def changes_text(changes: Sequence[FunctionChange]) -> str:
    """One line per changed function, with where it now is (or was, when deleted)."""
    rows = []
    for c in changes:
        start, end = (c.new_start, c.new_end) if c.change != "deleted" else (c.old_start,
                                                                             c.old_end)
        where = f"{c.path}:{start}-{end}" if start else c.path
        rows.append(f"{c.change} {c.kind} {c.qualified_name} in {where}")
    return "\n".join(rows)


def _covered(diff: str) -> dict[str, set[int]]:
    """Per file, the new-side lines the diff's hunks show."""
    try:
        files = parse_unified_diff(diff)
    except DiffParseError:
        return {}
    return {f.new_path: {n for h in f.hunks for n in range(h.new_start, h.new_start + h.new_len)}
            for f in files if f.new_path}


def _numbered(lines: list[str], start: int, end: int) -> str:
    return "\n".join(f"{n}: {lines[n - 1]}" for n in range(start, min(end, len(lines)) + 1))


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted line numbers, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def review_context(
    root: Path, diff: str, changes: Sequence[FunctionChange], limit: int = 6000
) -> str:
    """What the hunks leave out, and nothing they show: the rest of each small changed file
    (so with the hunks the reviewer sees all of it), and the whole of each changed function
    of a larger file that the hunks show only in part."""
    base = Path(os.path.realpath(root))
    covered = _covered(diff)
    parts: list[str] = []
    texts: dict[str, list[str]] = {}

    def lines_of(rel: str) -> list[str]:
        if rel not in texts:
            try:
                texts[rel] = confine(base, rel).read_text("utf-8", "replace").splitlines()
            except (OSError, PathRefused):
                texts[rel] = []
        return texts[rel]

    small: set[str] = set()
    for rel, seen in covered.items():
        lines = lines_of(rel)
        if not lines or sum(len(line) + 1 for line in lines) > SMALL_FILE_CHARS:
            continue
        small.add(rel)
        rest = [n for n in range(1, len(lines) + 1) if n not in seen]
        for first, last in _runs(rest):
            parts.append(f"--- {rel}:{first}-{last} (not in the diff)\n"
                         + _numbered(lines, first, last))
    for c in changes:
        if c.change == "deleted" or c.path in small or not c.new_start or not c.new_end:
            continue
        if set(range(c.new_start, c.new_end + 1)) <= covered.get(c.path, set()):
            continue
        lines = lines_of(c.path)
        if lines:
            parts.append(f"--- {c.path}:{c.new_start}-{c.new_end} {c.qualified_name}\n"
                         + _numbered(lines, c.new_start, c.new_end))
    text = "\n".join(parts)
    return text if len(text) <= limit else text[:limit] + "\n[cut; open the file for more]"
