"""Every labelled case, in memory and through git, with the focused and the full pass."""

from __future__ import annotations

from pathlib import Path

import pygit2
import pytest

from analysis import changed_functions_between, changed_functions_for_diff
from analysis.changes import compare_versions
from analysis.definitions import parse_file
from tests.analysis.cases_csharp import CASES as CSHARP
from tests.analysis.cases_python import CASES as PYTHON
from tests.analysis.cases_typescript import CASES as TYPESCRIPT
from tests.analysis.cases_typescript import javascript_cases
from tests.analysis.corpus import Case, labels

ALL = [*PYTHON, *CSHARP, *TYPESCRIPT, *javascript_cases()]


def _by_path(case: Case) -> tuple[dict[str, str | None], dict[str, str | None]]:
    after_path = case.after_path or case.path
    return {case.path: case.before}, {after_path: case.after}


@pytest.mark.parametrize("case", ALL, ids=lambda c: f"{c.path.rsplit('.', 1)[-1]}-{c.id}")
def test_case_in_memory(case: Case) -> None:
    old, new = _by_path(case)
    renames = {case.path: case.after_path} if case.after_path else None
    found = changed_functions_for_diff(old, new, renames)
    assert labels(found) == set(case.expected)
    for change in found:
        assert change.parse_error == case.parse_error
        if change.qualified_name in case.kinds:
            assert change.kind == case.kinds[change.qualified_name]


@pytest.mark.parametrize("case", ALL, ids=lambda c: f"{c.path.rsplit('.', 1)[-1]}-{c.id}")
def test_focused_pass_matches_full_pass(case: Case) -> None:
    if case.before is None or case.after is None:
        return
    old = parse_file(case.path, case.before.encode())
    new = parse_file(case.path, case.after.encode())
    assert compare_versions(old, new, focused=True) == compare_versions(old, new, focused=False)


def _commit(repo: pygit2.Repository, message: str) -> str:
    repo.index.add_all()
    repo.index.write()
    tree = repo.index.write_tree()
    signature = pygit2.Signature("Test", "test@example.invalid")
    parents = [] if repo.head_is_unborn else [repo.head.target]
    return str(repo.create_commit("HEAD", signature, signature, message, tree, parents))


def test_all_cases_through_git(tmp_path: Path) -> None:
    """One commit holds every `before`, the next every `after`: each file gets its labels."""
    repo = pygit2.init_repository(str(tmp_path))
    expected: dict[str, set[str]] = {}
    for index, case in enumerate(ALL):
        folder = f"case{index:03d}"
        after_path = f"{folder}/{case.after_path or case.path}"
        if case.before is not None:
            target = tmp_path / folder / case.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(case.before.encode())
        expected[after_path if case.after is not None else f"{folder}/{case.path}"] = set(
            case.expected
        )
    base = _commit(repo, "before")
    for index, case in enumerate(ALL):
        folder = tmp_path / f"case{index:03d}"
        if case.before is not None:
            (folder / case.path).unlink()
        if case.after is not None:
            target = folder / (case.after_path or case.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(case.after.encode())
    head = _commit(repo, "after")
    found: dict[str, set[str]] = {path: set() for path in expected}
    for change in changed_functions_between(tmp_path, base, head):
        found.setdefault(change.path, set()).add(f"{change.change} {change.qualified_name}")
    assert found == expected


def test_in_memory_rename_keeps_the_old_path() -> None:
    old = {"a/util.py": "def f():\n    return 1\n\n\ndef g():\n    return 2\n"}
    new = {"b/util.py": "def f():\n    return 1\n\n\ndef g():\n    return 3\n"}
    [change] = changed_functions_for_diff(old, new, {"a/util.py": "b/util.py"})
    assert (change.path, change.old_path, change.qualified_name, change.change) == (
        "b/util.py",
        "a/util.py",
        "g",
        "modified",
    )
    assert labels(changed_functions_for_diff(old, new)) == {
        "deleted f",
        "deleted g",
        "added f",
        "added g",
    }
