"""Changes between revisions of a real repository, and `workbench changes` on top of it."""

from __future__ import annotations

import json
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner

from analysis import AnalysisError, analyse_revisions, changed_functions_between
from workbench.cli_changes import changes


def _commit(repo: pygit2.Repository, message: str) -> str:
    repo.index.add_all()
    repo.index.write()
    tree = repo.index.write_tree()
    signature = pygit2.Signature("Test", "test@example.invalid")
    parents = [] if repo.head_is_unborn else [repo.head.target]
    return str(repo.create_commit("HEAD", signature, signature, message, tree, parents))


def _write(root: Path, path: str, data: str | bytes) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        target.write_text(data)
    else:
        target.write_bytes(data)


@pytest.fixture()
def repo(tmp_path: Path) -> tuple[Path, str, str]:
    """Two commits touching Python, C#, TypeScript, a rename, a deletion and odd files."""
    git = pygit2.init_repository(str(tmp_path))
    _write(tmp_path, "app/core.py", "def keep():\n    return 1\n\n\ndef edit():\n    return 1\n")
    _write(tmp_path, "app/Shop.cs", "class Shop\n{\n    void Buy() { }\n}\n")
    _write(tmp_path, "web/old.ts", "export function moved() {\n  return 1;\n}\n" * 1)
    _write(tmp_path, "web/gone.js", "function gone() {}\n")
    _write(tmp_path, "docs/readme.md", "# readme\n")
    _write(tmp_path, "app/blob.py", b"\x00\x01binary")
    base = _commit(git, "base")
    _write(tmp_path, "app/core.py", "def keep():\n    return 1\n\n\ndef edit():\n    return 2\n")
    _write(tmp_path, "app/Shop.cs", "class Shop\n{\n    void Buy() { }\n    void Sell() { }\n}\n")
    (tmp_path / "web/old.ts").rename(tmp_path / "web/new.ts")
    (tmp_path / "web/gone.js").unlink()
    _write(tmp_path, "docs/readme.md", "# readme, edited\n")
    _write(tmp_path, "app/blob.py", b"\x00\x02binary")
    _write(tmp_path, "app/broken.py", "def fine():\n    pass\n\ndef broken(:\n    pass\n")
    head = _commit(git, "head")
    return tmp_path, base, head


def test_changes_between_commits(repo: tuple[Path, str, str]) -> None:
    root, base, head = repo
    found = {
        (c.path, c.change, c.qualified_name) for c in changed_functions_between(root, base, head)
    }
    assert found == {
        ("app/core.py", "modified", "edit"),
        ("app/Shop.cs", "added", "Shop.Sell"),
        ("web/gone.js", "deleted", "gone"),
        ("app/broken.py", "added", "fine"),
        ("app/broken.py", "added", "broken"),
    }


def test_parse_errors_are_flagged_and_noted(repo: tuple[Path, str, str]) -> None:
    root, base, head = repo
    report = analyse_revisions(root, base, head)
    broken = [c for c in report.changes if c.path == "app/broken.py"]
    assert broken and all(c.parse_error for c in broken)
    assert [n.path for n in report.notes] == ["app/broken.py"]
    assert not any(c.parse_error for c in report.changes if c.path != "app/broken.py")


def test_line_ranges_and_rename(tmp_path: Path) -> None:
    git = pygit2.init_repository(str(tmp_path))
    body = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(20))
    _write(tmp_path, "a.py", body)
    base = _commit(git, "base")
    (tmp_path / "a.py").unlink()
    _write(tmp_path, "b.py", "import os\n\n\n" + body.replace("return 7", "return 70"))
    head = _commit(git, "head")
    [change] = changed_functions_between(tmp_path, base, head)
    assert (change.path, change.old_path, change.qualified_name) == ("b.py", "a.py", "f7")
    assert (change.old_start, change.old_end, change.new_start, change.new_end) == (29, 30, 32, 33)


def test_worktree_against_head_includes_untracked_files(tmp_path: Path) -> None:
    git = pygit2.init_repository(str(tmp_path))
    _write(tmp_path, "m.py", "def a():\n    return 1\n")
    _commit(git, "base")
    _write(tmp_path, "m.py", "def a():\n    return 2\n")
    _write(tmp_path, "pkg/new.py", "def b():\n    pass\n")
    found = {
        (c.path, c.change, c.qualified_name)
        for c in changed_functions_between(tmp_path, "HEAD", worktree=True)
    }
    assert found == {("m.py", "modified", "a"), ("pkg/new.py", "added", "b")}
    assert changed_functions_between(tmp_path, "HEAD", "HEAD") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-rev"], "unknown revision: 'no-such-rev'"),
        (["--head", "HEAD", "--worktree"], "either --head or --worktree"),
    ],
)
def test_bad_input_gives_one_line(
    repo: tuple[Path, str, str], args: list[str], message: str
) -> None:
    root, _, _ = repo
    result = CliRunner().invoke(changes, ["--repo", str(root), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_empty_repository_and_non_commit_revisions(tmp_path: Path) -> None:
    git = pygit2.init_repository(str(tmp_path))
    result = CliRunner().invoke(changes, ["--repo", str(tmp_path)])
    assert result.exit_code == 1
    assert "no commits yet" in result.output
    _write(tmp_path, "a.py", "def f():\n    pass\n")
    _commit(git, "one")
    result = CliRunner().invoke(changes, ["--repo", str(tmp_path), "--base", "HEAD:a.py"])
    assert result.output.strip() == "Error: not a commit or tree: 'HEAD:a.py'"


def test_outside_a_repository(tmp_path: Path) -> None:
    result = CliRunner().invoke(changes, ["--repo", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: not inside a git repository: {tmp_path}"
    with pytest.raises(AnalysisError, match="not a directory"):
        analyse_revisions(tmp_path / "missing")


def test_json_output(repo: tuple[Path, str, str]) -> None:
    root, base, head = repo
    result = CliRunner().invoke(
        changes, ["--repo", str(root), "--base", base, "--head", head, "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    edit = next(r for r in rows if r["qualified_name"] == "edit")
    assert edit == {
        "path": "app/core.py",
        "language": "python",
        "kind": "function",
        "qualified_name": "edit",
        "change": "modified",
        "old_start": 5,
        "old_end": 6,
        "new_start": 5,
        "new_end": 6,
        "old_path": None,
        "parse_error": False,
    }
    gone = next(r for r in rows if r["qualified_name"] == "gone")
    assert (gone["change"], gone["new_start"], gone["old_start"]) == ("deleted", None, 1)
    assert "parse errors" in result.stderr


def test_table_output(repo: tuple[Path, str, str]) -> None:
    root, base, head = repo
    result = CliRunner().invoke(changes, ["--repo", str(root), "--base", base, "--head", head])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["CHANGE", "KIND", "LANGUAGE", "NAME", "LOCATION"]
    assert any(line.split()[:4] == ["added", "method", "csharp", "Shop.Sell"] for line in lines)
    assert any("web/gone.js (was 1-1)" in line for line in lines)
    assert lines[-1].startswith("5 changed functions in 4 files")


def test_worktree_is_the_default_head(tmp_path: Path) -> None:
    git = pygit2.init_repository(str(tmp_path))
    _write(tmp_path, "m.ts", "export const a = () => 1;\n")
    _commit(git, "base")
    assert CliRunner().invoke(changes, ["--repo", str(tmp_path)]).stdout.strip() == (
        "No changed functions."
    )
    _write(tmp_path, "m.ts", "export const a = () => 2;\n")
    result = CliRunner().invoke(changes, ["--repo", str(tmp_path), "--json"])
    assert [(r["change"], r["qualified_name"]) for r in json.loads(result.stdout)] == [
        ("modified", "a")
    ]
