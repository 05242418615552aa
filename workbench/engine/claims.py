"""Checking what a tester's plan claims against the worktree: every test it says it added
must be there, or the plan goes back to the tester."""

from __future__ import annotations

import re
from pathlib import Path

from agents.contracts import TestPlan
from agents.repo_tools import PathRefused, confine

_MAX_SCAN_BYTES = 2_000_000


def _defines(text: str, name: str) -> bool:
    """``name`` defined (def, class, a named it/test/describe block) or called in ``text``."""
    n = re.escape(name)
    return re.search(rf"\b(?:def|class|it|test|describe)\s*\(?\s*['\"]?{n}\b|\b{n}\s*\(",
                     text) is not None


def _read(root: Path, rel: str) -> str | None:
    try:
        path = confine(root, rel)
    except PathRefused:
        return None
    if not path.is_file():
        return None
    return path.read_bytes()[:_MAX_SCAN_BYTES].decode("utf-8", "replace")


def _test_texts(root: Path) -> list[str]:
    """The text of every test file of the worktree (read once per plan)."""
    found = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts
             and re.search(r"(^test_.*\.py|_test\.py|\.(spec|test)\.[jt]sx?|Tests?\.cs)$",
                           p.name)]
    return [p.read_bytes()[:_MAX_SCAN_BYTES].decode("utf-8", "replace") for p in found[:2000]]


def missing_tests(root: Path, plan: TestPlan) -> list[str]:
    """One line per claimed new test that the worktree does not hold."""
    problems: list[str] = []
    texts: list[str] | None = None
    for claim in plan.new_tests:
        head, sep, tail = claim.partition("::")
        name = re.sub(r"\[.*\]$", "", tail.split("::")[-1]).strip() if sep else ""
        if sep or head.endswith((".py", ".ts", ".js", ".cs", ".tsx")):
            text = _read(root, head.strip())
            if text is None:
                problems.append(f"new_tests: {claim!r}: the file {head.strip()!r} is not in the "
                                "worktree; write the test first, or leave it out of new_tests")
            elif name and not _defines(text, name):
                problems.append(f"new_tests: {claim!r}: {head.strip()} has no test {name!r}")
            continue
        if texts is None:
            texts = _test_texts(root)
        name = claim.strip()
        if not any(_defines(text, name) for text in texts):
            problems.append(f"new_tests: {claim!r} is not defined in any test file of the "
                            "worktree; write it first, or leave it out of new_tests")
    return problems
