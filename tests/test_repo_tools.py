import time
from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest

from agents import repo_search
from agents.repo_tools import EditRefused, PathRefused, RepoTools, confine


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    (root / "src" / "pkg" / "core.py").write_text("def total(xs):\n    return sum(xs)\n")
    (root / "src" / "app.py").write_text("from pkg.core import total\nprint(total([1, 2]))\n")
    (root / "README.md").write_text("Total calculator\n")
    (root / "logo.png").write_bytes(b"\x89PNG\x00\x00total")
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "node_modules" / "dep" / "index.js").write_text("total\n")
    return root


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, tool: str, path: str, message: str) -> None:
        self.calls.append((tool, path, message))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../../etc/passwd", "leads outside the repository"),
        ("src/../../outside", "leads outside the repository"),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("src/app.py\x00.txt", "NUL byte"),
        (".git/config", "under .git"),
        ("src/.Git/HEAD", "under .git"),
        ("C:\\Windows\\win.ini", "drive and network paths"),
        ("\\\\server\\share\\x", "drive and network paths"),
        ("//server/share/x", "drive and network paths"),
    ],
)
def test_open_file_refuses_unsafe_paths(root: Path, path: str, reason: str) -> None:
    seen = Recorder()
    tools = RepoTools(root, on_refusal=seen)
    with pytest.raises(PathRefused, match=reason) as info:
        tools.open_file(path)
    assert "\n" not in str(info.value)
    assert seen.calls == [("open_file", path, str(info.value))]


def test_symlinks_that_escape_loop_or_reach_git_are_refused(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret\n")
    (root / "out").symlink_to(secret)
    (root / "outdir").symlink_to(tmp_path)
    (root / "hop").symlink_to("src/../../secret.txt")
    (root / "loop_a").symlink_to("loop_b")
    (root / "loop_b").symlink_to("loop_a")
    (root / "gitlink").symlink_to(".git")
    seen = Recorder()
    tools = RepoTools(root, on_refusal=seen)
    for path, reason in [
        ("out", "outside the repository"),
        ("outdir/secret.txt", "outside the repository"),
        ("hop", "outside the repository"),
        ("loop_a", "too many levels of symbolic links"),
        ("loop_a/x", "too many levels of symbolic links"),
        ("gitlink/config", "into .git"),
    ]:
        with pytest.raises(PathRefused, match=reason):
            tools.open_file(path)
    assert [c[1] for c in seen.calls] == ["out", "outdir/secret.txt", "hop", "loop_a",
                                         "loop_a/x", "gitlink/config"]
    with pytest.raises(PathRefused):
        tools.list_files("outdir")
    with pytest.raises(PathRefused):
        tools.search_repository("s3cret", path="outdir")


def test_links_that_stay_inside_are_followed(root: Path) -> None:
    (root / "core_link.py").symlink_to("src/pkg/core.py")
    assert confine(root, "core_link.py") == (root / "src/pkg/core.py").resolve()
    assert "return sum(xs)" in RepoTools(root).open_file("core_link.py")
    assert confine(root, "new_dir/new_file.py") == root.resolve() / "new_dir/new_file.py"


def test_open_file_numbers_lines_and_slices(root: Path) -> None:
    tools = RepoTools(root)
    out = tools.open_file("src/app.py", start_line=2)
    assert out.splitlines() == ["src/app.py (lines 2-2 of 2)", "     2\tprint(total([1, 2]))"]
    assert tools.open_file("nope.py") == "error: no such file: nope.py"
    assert tools.open_file("src").startswith("error: src is a directory")
    assert tools.open_file("logo.png") == "error: logo.png is a binary file"
    assert "has 2 lines" in tools.open_file("src/app.py", start_line=9)


def test_outputs_are_bounded_with_a_marker(root: Path) -> None:
    (root / "big.py").write_text("".join(f"value_{i} = {i}  # total\n" for i in range(5000)))
    tools = RepoTools(root, max_output_chars=2000)
    opened = tools.open_file("big.py")
    assert len(opened) <= 2200
    assert opened.splitlines()[-1].startswith("[truncated: lines ")
    assert "start_line=" in opened.splitlines()[-1]
    found = tools.search_repository("total", max_results=500)
    assert len(found) <= 2200 and "[truncated" in found
    for i in range(300):
        (root / "src" / f"mod_{i:03}.py").write_text("x = 1\n")
    listed = tools.list_files()
    assert len(listed) <= 2200 and "[truncated" in listed.splitlines()[-1]


def test_list_files_skips_git_and_noise(root: Path) -> None:
    tools = RepoTools(root)
    assert tools.list_files().splitlines() == [
        "README.md", "logo.png", "src/app.py", "src/pkg/core.py"]
    assert tools.list_files("src", "*.py").splitlines() == ["src/app.py", "src/pkg/core.py"]
    assert tools.list_files(".", "*.rs") == "no files match '*.rs' under ."


def test_search_substring_and_regex(root: Path) -> None:
    tools = RepoTools(root)
    assert tools.search_repository("total([").splitlines() == [
        "src/app.py:2: print(total([1, 2]))"]
    assert tools.search_repository(r"def \w+\(", regex=True).splitlines() == [
        "src/pkg/core.py:1: def total(xs):"]
    # Binary files, .git and node_modules are not searched.
    hits = tools.search_repository("total")
    assert "logo.png" not in hits and "node_modules" not in hits and ".git" not in hits
    limited = tools.search_repository("total", max_results=1).splitlines()
    assert len(limited) == 2 and limited[1].startswith("[truncated: more than 1 matches")
    assert tools.search_repository("(", regex=True).startswith("error: invalid regular expression")
    assert tools.search_repository("zzz") == "no matches for 'zzz' under ."


# edits ------------------------------------------------------------------------------------
CODE = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(1, 8))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one committed file and an ignored build directory."""
    root = tmp_path / "edit"
    git = pygit2.init_repository(str(root), initial_head="main")
    (root / "calc.py").write_text(CODE)
    (root / ".gitignore").write_text("build/\n")
    git.index.add_all()
    git.index.write()
    sig = pygit2.Signature("T", "t@example.com")
    git.create_commit("HEAD", sig, sig, "initial", git.index.write_tree(), [])
    return root


def _status(root: Path) -> dict[str, int]:
    return pygit2.Repository(str(root)).status()


def test_replace_in_file_changes_the_one_exact_match_and_shows_it(repo: Path) -> None:
    out = RepoTools(repo).replace_in_file("calc.py", "def f3(x):\n    return x + 3\n",
                                          "def f3(x):\n    return x * 3\n")
    assert out.splitlines() == ["replaced 1 occurrence in calc.py; lines 7-8 now read:",
                                "     7\tdef f3(x):", "     8\t    return x * 3"]
    assert (repo / "calc.py").read_text() == CODE.replace("x + 3", "x * 3")
    assert _status(repo) == {"calc.py": pygit2.enums.FileStatus.WT_MODIFIED}


def test_replace_in_file_without_a_match_shows_the_closest_lines(repo: Path) -> None:
    with pytest.raises(EditRefused) as info:
        RepoTools(repo).replace_in_file("calc.py", "def f3(y):\n    return y + 3\n", "x")
    lines = str(info.value).splitlines()
    assert lines[0].startswith("old text not found in calc.py. Closest matches")
    assert lines[1].startswith("lines 7-8 (") and lines[2:4] == [
        "     7\tdef f3(x):", "     8\t    return x + 3"]
    assert sum(1 for ln in lines if ln.startswith("lines ")) == 3
    assert (repo / "calc.py").read_text() == CODE


def test_replace_in_file_names_copied_line_numbers_and_whitespace(repo: Path) -> None:
    tools = RepoTools(repo)
    with pytest.raises(EditRefused, match="holds the line numbers open_file shows"):
        tools.replace_in_file("calc.py", "     7\tdef f3(x):\n     8\t    return x + 3", "")
    with pytest.raises(EditRefused, match=r"lines 7-8 differ only in whitespace"):
        tools.replace_in_file("calc.py", "def f3(x):\n  return x + 3", "")


def test_replace_in_file_with_several_matches_asks_for_context(repo: Path) -> None:
    with pytest.raises(EditRefused) as info:
        RepoTools(repo).replace_in_file("calc.py", "    return x", "    return -x")
    assert str(info.value) == (
        "old text occurs 7 times in calc.py (starting at lines 2, 5, 8, 11, 14, 17, 20); "
        "include more of the surrounding lines in old so that it matches exactly once")


def test_replace_in_file_keeps_crlf_line_ends(repo: Path) -> None:
    (repo / "win.cs").write_bytes(b"class A\r\n{\r\n    int x = 1;\r\n}\r\n")
    RepoTools(repo).replace_in_file("win.cs", "{\n    int x = 1;", "{\n    int x = 2;")
    assert (repo / "win.cs").read_bytes() == b"class A\r\n{\r\n    int x = 2;\r\n}\r\n"


def test_replace_in_file_refusals(repo: Path) -> None:
    tools = RepoTools(repo)
    with pytest.raises(EditRefused, match="does not exist; use write_file"):
        tools.replace_in_file("nope.py", "a", "b")
    with pytest.raises(EditRefused, match="old is empty"):
        tools.replace_in_file("calc.py", "", "b")
    with pytest.raises(EditRefused, match="the same"):
        tools.replace_in_file("calc.py", "def f1", "def f1")


def test_write_file_creates_new_files_only(repo: Path) -> None:
    tools = RepoTools(repo)
    assert tools.write_file("pkg/sub/new.py", "X = 1") == "created pkg/sub/new.py (1 lines)"
    assert (repo / "pkg/sub/new.py").read_text() == "X = 1\n"
    assert _status(repo) == {"pkg/sub/new.py": pygit2.enums.FileStatus.WT_NEW}
    with pytest.raises(EditRefused, match="calc.py already exists; .* use replace_in_file"):
        tools.write_file("calc.py", "overwritten\n")
    assert (repo / "calc.py").read_text() == CODE
    with pytest.raises(EditRefused, match="ignored by git"):
        tools.write_file("build/out.py", "x = 1\n")
    assert not (repo / "build").exists()


def test_edits_are_confined_and_refusals_recorded(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "t.py").write_text("secret = 1\n")
    (repo / "out").symlink_to(outside)
    (repo / "inner.py").symlink_to("calc.py")  # stays inside, but edits never follow links
    seen = Recorder()
    tools = RepoTools(repo, on_refusal=seen)
    cases: list[tuple[Callable[[], str], str]] = [
        (lambda: tools.write_file("../x.py", "x"), "leads outside the repository"),
        (lambda: tools.write_file(".git/hooks/pre-commit", "x"), "under .git"),
        (lambda: tools.write_file("out/planted.py", "x"), "outside the repository"),
        (lambda: tools.replace_in_file("out/t.py", "secret", "s"), "outside the repository"),
        (lambda: tools.replace_in_file("inner.py", "def f1", "def g1"), "symbolic link"),
        (lambda: tools.write_file("/tmp/abs.py", "x"), "absolute paths"),
    ]
    for call, reason in cases:
        with pytest.raises(PathRefused, match=reason):
            call()
    assert [c[:2] for c in seen.calls] == [
        ("write_file", "../x.py"), ("write_file", ".git/hooks/pre-commit"),
        ("write_file", "out/planted.py"), ("replace_in_file", "out/t.py"),
        ("replace_in_file", "inner.py"), ("write_file", "/tmp/abs.py")]
    assert not (outside / "planted.py").exists()
    assert (outside / "t.py").read_text() == "secret = 1\n"
    assert (repo / "calc.py").read_text() == CODE


# search limits ----------------------------------------------------------------------------
def test_a_catastrophic_regex_stops_quickly_and_is_not_echoed_whole(root: Path) -> None:
    (root / "slow.txt").write_text(("a" * 30000 + "b\n") * 3)
    pattern = "(a+)+$|" + "SECRET" * 50
    started = time.monotonic()
    out = RepoTools(root).search_repository(pattern, regex=True)
    assert time.monotonic() - started < 2.5
    assert out.startswith("error: the regular expression '(a+)+$|SECRET") and "too slow" in out
    assert "slow.txt" in out and "SECRET" * 10 not in out and "\n" not in out


def test_a_search_slow_over_many_lines_stops_at_the_time_limit(
    root: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(repo_search, "SEARCH_TIME_LIMIT_S", 0.3)
    (root / "many.txt").write_text(("a" * 100 + "b\n") * 2000)  # ~9 ms a line: 18 s in all
    started = time.monotonic()
    out = RepoTools(root).search_repository("(a+)+$", regex=True)
    assert time.monotonic() - started < 1.5
    assert out == "[stopped after 0.3 s of searching; narrow the path or simplify the pattern]"


def test_regex_limits_refuse_before_compiling(root: Path) -> None:
    tools = RepoTools(root)
    started = time.monotonic()
    out = tools.search_repository("(?:a{1000}){1000}", regex=True)
    assert out.startswith("error: the regular expression repeats too many times")
    assert time.monotonic() - started < 0.5
    assert tools.search_repository("x" * 2000).startswith(
        "error: the query is 2000 characters long")
    assert tools.search_repository("(?P<", regex=True).startswith(
        "error: invalid regular expression: ")
    missing = tools.search_repository("zq" * 300)
    assert missing.startswith("no matches for 'zqzq") and len(missing) < 120
