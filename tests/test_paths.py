"""A hostile path corpus against the read tools, the write tools and patch headers, and the
legitimate paths that must keep working."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest

from agents.patching import PatchRejected, UnsafePatch, apply_patch
from agents.paths import InvalidPath, clean_path
from agents.repo_tools import EditRefused, PathRefused, RepoTools, os_reason

SIG = pygit2.Signature("T", "t@example.com")

# (path, words the refusal must hold); every one is refused by every tool and in a patch.
HOSTILE: list[tuple[str, str]] = [
    # leaving the tree
    ("../x.py", "outside the repository"),
    ("../../etc/passwd", "outside the repository"),
    ("src/../../outside.py", "outside the repository"),
    ("a/b/../../../x", "outside the repository"),
    ("./../x", "outside the repository"),
    ("..\\outside.py", "outside the repository"),
    ("src\\..\\..\\outside.py", "outside the repository"),
    ("/etc/passwd", "absolute paths"),
    ("/tmp/planted.py", "absolute paths"),
    ("~/.ssh/id_rsa", "absolute paths"),
    ("~", "absolute paths"),
    ("//server/share/x", "network paths"),
    ("\\\\server\\share\\x", "network paths"),
    ("C:\\Windows\\win.ini", "drive"),
    ("c:x.py", "drive"),
    # NUL and control characters
    ("src/app.py\x00.txt", "NUL byte"),
    ("a\nb.py", "control character"),
    ("a\rb.py", "control character"),
    ("a\x1b[31m.py", "control character"),
    ("a\x7f.py", "control character"),
    ("a\u0085b.py", "control character"),
    ("a\u2028b.py", "line separator"),
    ("a\udc80.py", "surrogate"),
    ("\ue000.py", "private-use"),
    # .git in all its spellings
    (".git/config", "under .git"),
    (".git", "under .git"),
    (".GIT/config", "under .git"),
    (".Git/hooks/pre-commit", "under .git"),
    (".git./config", "under .git"),
    (".git /config", "under .git"),
    (".git.../hooks/x", "under .git"),
    (".git::$INDEX_ALLOCATION/config", "under .git"),
    ("GIT~1/config", "under .git"),
    ("git~2/hooks/x", "under .git"),
    ("src/../.git/config", "under .git"),
    ("sub/.git/config", "under .git"),
    (".\\.git\\config", "under .git"),
    # invisible format characters
    (".g\u200bit/hooks/pre-commit", "format character"),
    ("\u200b.git/config", "format character"),
    (".git\u200d/config", "format character"),
    (".git\ufeff/config", "format character"),
    (".git\u2060/hooks/post-checkout", "format character"),
    (".gi\u00adt/config", "format character"),
    (".git\U000e0041/config", "format character"),
    ("src/\u202eyp.exe", "format character"),
    # look-alikes of '.', '/' and '\'
    ("\u2024git/config", "look-alike"),
    ("\uff0egit/config", "look-alike"),
    ("\u2025/etc/passwd", "look-alike"),
    ("src\u2215..\u2215..\u2215etc", "look-alike"),
    ("src\uff0f..\uff0f..\uff0fetc", "look-alike"),
    ("src\u2044app.py", "look-alike"),
    ("src\uff3capp.py", "look-alike"),
    ("\u2216etc\u2216passwd", "look-alike"),
    ("src/app\u0338.py", "look-alike"),
    ("..\ufe52/x", "look-alike"),
    (".\uff47\uff49\uff54/config", "under .git"),
    ("\ufb01le.py", "compatibility characters"),
    # names no file can have
    ("a" * 256 + ".py", "invalid path"),
    ("\u00e9" * 128, "invalid path"),
    ("d/" * 2100 + "x", "invalid path"),
    # symbolic links (made by the fixture)
    ("out/secret.txt", "outside the repository"),
    ("hop", "outside the repository"),
    ("abs_link", "outside the repository"),
    ("gitlink/config", "into .git"),
    ("loop_a", "too many levels"),
    ("loop_a/x.py", "too many levels"),
]
LEGIT_READS = [("src/../README.md", "Total calculator"), ("src\\app.py", "print(total"),
               ("./src/./app.py", "print(total"), ("src//app.py", "print(total"),
               ("caf\u00e9.py", "CAFE = 1"), (".gitignore", "build/"),
               (".github/workflows/ci.yml", "on: push"), ("inner_link.py", "print(total"),
               ("\u65e5\u672c/\u30d5\u30a1\u30a4\u30eb.py", "NIHON = 1"),
               ("git~x.py", "TILDE = 1")]
LEGIT_WRITES = [("src/../top.py", "top.py"), ("pkg\\mod.py", "pkg/mod.py"),
                ("na\u00efve/\u00fc.py", "na\u00efve/\u00fc.py"), ("a b/-dash.py", "a b/-dash.py"),
                (".github/workflows/new.yml", ".github/workflows/new.yml"),
                ("emoji \U0001f389.py", "emoji \U0001f389.py"), ("src/.gitkeep", "src/.gitkeep")]


def _commit(repo: pygit2.Repository) -> None:
    repo.index.add_all()
    repo.index.write()
    repo.create_commit("HEAD", SIG, SIG, "initial", repo.index.write_tree(), [])


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    repo = pygit2.init_repository(str(root), initial_head="main")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print(total([1]))\n")
    (root / "README.md").write_text("Total calculator\n")
    (root / ".gitignore").write_text("build/\n")
    (root / "caf\u00e9.py").write_text("CAFE = 1\n")
    (root / "git~x.py").write_text("TILDE = 1\n")
    (root / "\u65e5\u672c").mkdir()
    (root / "\u65e5\u672c" / "\u30d5\u30a1\u30a4\u30eb.py").write_text("NIHON = 1\n")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    _commit(repo)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s3cret\n")
    (root / "out").symlink_to(outside)
    (root / "hop").symlink_to("src/../../outside/secret.txt")
    (root / "abs_link").symlink_to("/etc/passwd")
    (root / "gitlink").symlink_to(".git")
    (root / "loop_a").symlink_to("loop_b")
    (root / "loop_b").symlink_to("loop_a")
    (root / "inner_link.py").symlink_to("src/app.py")
    return root


def _tree_hash(*dirs: Path) -> str:
    """Every file and link under ``dirs`` (names and contents), to prove nothing was written."""
    digest = hashlib.sha256()
    for top in dirs:
        for dirpath, dirnames, filenames in sorted(os.walk(top)):
            dirnames.sort()
            for name in sorted(filenames + dirnames):
                p = Path(dirpath) / name
                digest.update(os.fsencode(p))
                if p.is_file() and not p.is_symlink():
                    digest.update(p.read_bytes())
    return digest.hexdigest()


def _refused(call: Callable[[], object], reason: str, root: Path) -> str:
    with pytest.raises(PathRefused) as info:
        call()
    message = str(info.value)
    assert reason in message
    assert "\n" not in message and str(root) not in message
    return message


@pytest.mark.parametrize(("path", "reason"), HOSTILE, ids=[repr(p)[:40] for p, _ in HOSTILE])
def test_hostile_paths_are_refused_by_every_tool_and_nothing_is_written(
    root: Path, tmp_path: Path, path: str, reason: str,
) -> None:
    before = _tree_hash(tmp_path)
    seen: list[tuple[str, str, str]] = []
    tools = RepoTools(root, on_refusal=lambda *call: seen.append(call))
    _refused(lambda: tools.open_file(path), reason, root)
    _refused(lambda: tools.list_files(path), reason, root)
    _refused(lambda: tools.search_repository("s3cret", path=path), reason, root)
    _refused(lambda: tools.write_file(path, "owned = 1\n"), reason, root)
    _refused(lambda: tools.replace_in_file(path, "s3cret", "owned"), reason, root)
    policy = reason != "invalid path"  # a name too long is an error, not a policy matter
    assert [c[0] for c in seen] == (["open_file", "list_files", "search_repository",
                                     "write_file", "replace_in_file"] if policy else [])
    if len(path.splitlines()) == 1 and "\x00" not in path:  # a header holds one line
        diff = f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1 @@\n+owned = 1\n"
        with pytest.raises(UnsafePatch if policy and "levels" not in reason else PatchRejected,
                           match="unsafe path|symbolic link"):
            apply_patch(root, diff)
    assert _tree_hash(tmp_path) == before


def test_the_corpus_is_large_and_every_refusal_names_the_character(root: Path) -> None:
    assert len(HOSTILE) >= 50
    message = _refused(lambda: clean_path(".g\u200bit/hooks/pre-commit"), "format", root)
    assert "U+200B ZERO WIDTH SPACE" in message and "\\u200b" in message  # shown escaped
    message = _refused(lambda: clean_path("src\u2215etc"), "look-alike", root)
    assert "U+2215 DIVISION SLASH" in message


@pytest.mark.parametrize(("path", "expected"), LEGIT_READS)
def test_legitimate_paths_can_be_read(root: Path, path: str, expected: str) -> None:
    out = RepoTools(root).open_file(path)
    assert expected in out and not out.startswith("error")


@pytest.mark.parametrize(("path", "created"), LEGIT_WRITES)
def test_legitimate_paths_can_be_written_and_are_named_canonically(
    root: Path, path: str, created: str,
) -> None:
    out = RepoTools(root).write_file(path, "X = 1\n")
    assert out == f"created {created} (1 lines)"
    assert (root / created).read_text() == "X = 1\n"


def test_patch_headers_are_rebuilt_from_the_canonical_paths(root: Path) -> None:
    diff = ("--- a/src/../README.md\n+++ b/src/../README.md\n@@ -1 +1 @@\n-Total calculator\n"
            "+Sum calculator\n--- /dev/null\n+++ b/pkg\\new.py\n@@ -0,0 +1 @@\n+NEW = 1\n")
    applied = apply_patch(root, diff)
    assert applied.files == ["README.md", "pkg/new.py"]
    assert "src/.." not in applied.diff_text and "a/README.md" in applied.diff_text
    assert (root / "README.md").read_text() == "Sum calculator\n"
    assert (root / "pkg" / "new.py").read_text() == "NEW = 1\n"
    same_file = ("diff --git a/src/../README.md b/README.md\n--- a/README.md\n"
                 "+++ b/./README.md\n@@ -1 +1 @@\n-Sum calculator\n+Total\n")
    assert apply_patch(root, same_file).files == ["README.md"]  # one file, three spellings


def test_os_errors_are_plain_and_never_show_the_worktree(root: Path) -> None:
    tools = RepoTools(root)
    assert tools.open_file("README.md/x.py") == "error: no such file: README.md/x.py"
    assert tools.list_files("README.md/x") == "error: no such file or directory: README.md/x"
    assert tools.search_repository("x", path="src/app.py/y").startswith(
        "error: no such file or directory: src/app.py/y")
    with pytest.raises(EditRefused, match=r"^cannot create README.md/x.py: README.md is a file$"):
        tools.write_file("README.md/x.py", "x = 1\n")
    with pytest.raises(InvalidPath) as info:
        tools.open_file("src/" + "n" * 300)
    assert str(info.value).startswith("invalid path: a name is 300 bytes long")
    os.mkfifo(root / "fifo")
    assert tools.open_file("fifo") == "error: no such file: fifo"
    denied = OSError(errno.EACCES, "Permission denied", str(root / "src"))
    assert os_reason(denied) == "permission denied"
    assert os_reason(OSError(errno.ENAMETOOLONG, "File name too long", str(root))) == (
        "invalid path (a name is too long)")


@pytest.mark.parametrize("pattern", ["../*", "/etc/*", "src/../../*", "a\u200b*", "*\x00",
                                     "x" * 400, "\uff0e\uff0e/*"])
def test_list_files_refuses_hostile_patterns_without_echoing_them(root: Path, pattern: str) -> None:
    out = RepoTools(root).list_files(".", pattern)
    assert out.startswith("error: pattern ")
    assert "\n" not in out and len(out) < 200


def test_list_files_accepts_windows_patterns_and_marks_unusable_names(root: Path) -> None:
    (root / "src" / "bad\u200bname.py").write_text("x = 1\n")
    tools = RepoTools(root)
    assert tools.list_files(".", "src\\*.py").splitlines() == [
        "src/app.py", "'src/bad\\u200bname.py' [name holds invisible, control or look-alike "
        "characters]"]
    assert tools.list_files("src\\..\\.github").splitlines() == [".github/workflows/ci.yml"]
