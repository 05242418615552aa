"""Test focus: the tests that exercise changed functions, so the tester runs those first.

A test is in focus when its body mentions a changed name (the function's own name or its
class). Results are runner ids: pytest node ids, TS/JS test files, C# ``Class.Method``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from analysis.definitions import extract_definitions
from analysis.languages import language_for_path
from analysis.model import FunctionChange

SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", "bin", "obj",
                       "dist", "build", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
MAX_FILE_BYTES = 1_000_000
_TS_TEST = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$")
_CS_TEST_ATTR = re.compile(r"\[(Fact|Theory|Test|TestCase|TestMethod)\b")


def is_test_file(rel: str, text: str | None = None) -> bool:
    name = rel.rsplit("/", 1)[-1]
    if name.endswith(".py"):
        return name.startswith("test_") or name.endswith("_test.py")
    if re.search(r"\.[cm]?[jt]sx?$", name):
        return bool(_TS_TEST.search(name)) or "/__tests__/" in f"/{rel}"
    if name.endswith(".cs"):
        return name.endswith("Tests.cs") or name.endswith("Test.cs") or (
            text is not None and bool(_CS_TEST_ATTR.search(text)))
    return False


def _walk(root: Path) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            full = Path(dirpath) / name
            yield full.relative_to(root).as_posix()


def changed_names(changes: Iterable[FunctionChange]) -> set[str]:
    """Identifiers a test would use to call the changed code."""
    names: set[str] = set()
    for change in changes:
        if change.change == "deleted":
            continue
        parts = [p for p in change.qualified_name.split(".") if p and p not in ("get", "set")]
        if parts:
            names.add(parts[-1].lstrip("#"))
        if len(parts) > 1 and change.kind in ("method", "constructor", "accessor"):
            names.add(parts[-2])
    return {n for n in names if n.isidentifier() and n not in ("constructor", "default")}


def focus_tests(repo: Path | str, changes: Iterable[FunctionChange], limit: int = 50) -> list[str]:
    """Test ids that mention a changed name, most mentions first; files when the runner
    selects by file (TS/JS)."""
    root = Path(repo)
    names = changed_names(changes)
    if not names:
        return []
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names))) + r")\b")
    scored: list[tuple[int, str]] = []
    for rel in _walk(root):
        if language_for_path(rel) is None:
            continue
        path = root / rel
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        text = data.decode("utf-8", errors="replace")
        if not is_test_file(rel, text) or not pattern.search(text):
            continue
        scored.extend(_tests_in_file(rel, data, text, pattern))
    scored.sort(key=lambda item: (-item[0], item[1]))
    seen: list[str] = []
    for _score, test_id in scored:
        if test_id not in seen:
            seen.append(test_id)
    return seen[:limit]


def _tests_in_file(rel: str, data: bytes, text: str,
                   pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    language = language_for_path(rel)
    if language in ("typescript", "javascript"):
        return [(len(pattern.findall(text)), rel)]
    extraction = extract_definitions(rel, data)
    if extraction is None:
        return []
    lines = text.splitlines()
    found: list[tuple[int, str]] = []
    for definition in extraction.definitions:
        leaf = definition.qualified_name.rsplit(".", 1)[-1]
        body = "\n".join(lines[definition.start_line - 1: definition.end_line])
        hits = len(pattern.findall(body))
        if not hits:
            continue
        if language == "python" and leaf.startswith("test"):
            found.append((hits, f"{rel}::{definition.qualified_name.replace('.', '::')}"))
        elif language == "csharp" and _CS_TEST_ATTR.search(_preceding(lines, definition.start_line)
                                                            + body):
            found.append((hits, definition.qualified_name))
    return found


def _preceding(lines: list[str], start_line: int) -> str:
    return "\n".join(lines[max(0, start_line - 4): start_line - 1])
