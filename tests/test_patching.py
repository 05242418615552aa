import os
from pathlib import Path

import pygit2
import pytest

from agents.patching import PatchRejected, apply_patch, check_patch
from workbench.gitops import create_worktree

SIG = pygit2.Signature("Tester", "tester@example.com")
LINES = "".join(f"line {i}\n" for i in range(1, 21))


@pytest.fixture
def wt(tmp_path: Path) -> Path:
    """A git worktree (not the main checkout) holding a small repository."""
    main = tmp_path / "repo"
    repo = pygit2.init_repository(str(main), initial_head="main")
    (main / "a.txt").write_text(LINES)
    (main / "b.txt").write_text("bee\n")
    (main / "pkg").mkdir()
    (main / "pkg" / "mod.py").write_text("X = 1\n")
    repo.index.add_all()
    repo.index.write()
    repo.create_commit("HEAD", SIG, SIG, "initial", repo.index.write_tree(), [])
    return create_worktree(main, "p1", tmp_path / "wts").path


TWO_HUNKS = """diff --git a/a.txt b/a.txt
--- a/a.txt
+++ b/a.txt
@@ -1,3 +1,3 @@
-line 1
+LINE 1
 line 2
 line 3
@@ -18,3 +18,3 @@
 line 18
 line 19
-line 20
+LINE 20
"""


def test_multi_file_patch_with_new_file_and_deletion(wt: Path) -> None:
    diff = TWO_HUNKS + """diff --git a/b.txt b/b.txt
deleted file mode 100644
--- a/b.txt
+++ /dev/null
@@ -1 +0,0 @@
-bee
diff --git a/pkg/new/c.py b/pkg/new/c.py
new file mode 100644
--- /dev/null
+++ b/pkg/new/c.py
@@ -0,0 +1,2 @@
+def c():
+    return 3
"""
    result = apply_patch(wt, diff)
    assert result.files == ["a.txt", "b.txt", "pkg/new/c.py"]
    assert result.hunks_applied == ["a.txt#0", "a.txt#1", "b.txt#0", "pkg/new/c.py#0"]
    text = (wt / "a.txt").read_text()
    assert text.startswith("LINE 1\n") and text.endswith("LINE 20\n")
    assert not (wt / "b.txt").exists()
    assert (wt / "pkg/new/c.py").read_text() == "def c():\n    return 3\n"


def test_excluded_hunks_are_not_applied(wt: Path) -> None:
    result = apply_patch(wt, TWO_HUNKS, exclude_hunks={"a.txt#0"})
    text = (wt / "a.txt").read_text()
    assert text.startswith("line 1\n") and text.endswith("LINE 20\n")
    assert result.hunks_applied == ["a.txt#1"] and result.hunks_excluded == ["a.txt#0"]
    assert "LINE 1" not in result.diff_text


def test_unknown_excluded_hunk_is_rejected(wt: Path) -> None:
    with pytest.raises(PatchRejected, match="unknown hunk id: a.txt#7"):
        apply_patch(wt, TWO_HUNKS, exclude_hunks={"a.txt#7"})


def test_patch_that_does_not_apply_names_file_and_hunk(wt: Path) -> None:
    stale = TWO_HUNKS.replace("-line 20", "-line twenty")
    with pytest.raises(PatchRejected, match=r"^patch does not apply: a\.txt: hunk a\.txt#1 "):
        apply_patch(wt, stale)
    assert (wt / "a.txt").read_text() == LINES  # nothing half-applied


def test_missing_and_existing_targets_are_clear(wt: Path) -> None:
    missing = "--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-a\n+b\n"
    with pytest.raises(PatchRejected, match="^patch does not apply: nope.py does not exist$"):
        apply_patch(wt, missing)
    exists = "--- /dev/null\n+++ b/b.txt\n@@ -0,0 +1 @@\n+x\n"
    with pytest.raises(PatchRejected, match="b.txt already exists"):
        apply_patch(wt, exists)


def test_plain_headers_and_miscounted_hunks_still_apply(wt: Path) -> None:
    # No `diff --git` line and a wrong line count, as models often write them.
    diff = "--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ -1,4 +1,4 @@\n-X = 1\n+X = 2\n\n"
    apply_patch(wt, diff)
    assert (wt / "pkg/mod.py").read_text() == "X = 2\n"


def test_symlink_creation_is_refused(wt: Path) -> None:
    diff = ("diff --git a/evil b/evil\nnew file mode 120000\n--- /dev/null\n+++ b/evil\n"
            "@@ -0,0 +1 @@\n+/etc/passwd\n\\ No newline at end of file\n")
    with pytest.raises(PatchRejected, match="symbolic link"):
        apply_patch(wt, diff)
    assert not os.path.lexists(wt / "evil")
    mode_change = "diff --git a/b.txt b/b.txt\nold mode 100644\nnew mode 120000\n"
    with pytest.raises(PatchRejected, match="symbolic link"):
        check_patch(wt, mode_change)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("--- /dev/null\n+++ /tmp/x\n", "absolute paths are not allowed"),
        ("--- /dev/null\n+++ b//tmp/x\n", "absolute paths are not allowed"),
        ("--- /dev/null\n+++ b/../outside.txt\n", "leads outside the repository"),
        ("--- /dev/null\n+++ b/.git/hooks/pre-commit\n", "under .git"),
        ("--- /dev/null\n+++ b/sub/.GIT/config\n", "under .git"),
        ("diff --git a/C:/x b/C:/x\nnew file mode 100644\n--- /dev/null\n+++ b/C:/x\n",
         "drive and network paths"),
    ],
)
def test_unsafe_new_paths_are_refused(wt: Path, tmp_path: Path, header: str, reason: str) -> None:
    with pytest.raises(PatchRejected, match=reason):
        apply_patch(wt, header + "@@ -0,0 +1 @@\n+owned\n")
    outside = Path("/tmp/x")
    assert not (outside.is_file() and outside.read_text() == "owned\n")
    assert not (wt / "tmp").exists() and not (tmp_path / "wts" / "outside.txt").exists()


def test_rename_headers_are_checked(wt: Path) -> None:
    diff = ("diff --git a/b.txt b/../../escaped.txt\nsimilarity index 100%\nrename from b.txt\n"
            "rename to ../../escaped.txt\n")
    with pytest.raises(PatchRejected, match="leads outside the repository"):
        check_patch(wt, diff)
    sneaky = "diff --git a/b.txt b/c.txt\nrename from b.txt\nrename to /etc/cron.d/x\n"
    with pytest.raises(PatchRejected, match="absolute paths are not allowed"):
        check_patch(wt, sneaky)
    other = "diff --git a/b.txt b/c.txt\nrename from b.txt\nrename to d.txt\n"
    with pytest.raises(PatchRejected, match="inconsistent file names"):
        check_patch(wt, other)
    ok = "diff --git a/b.txt b/c.txt\nsimilarity index 100%\nrename from b.txt\nrename to c.txt\n"
    apply_patch(wt, ok)
    assert (wt / "c.txt").read_text() == "bee\n" and not (wt / "b.txt").exists()


def test_patch_through_an_outward_symlink_is_refused(wt: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (wt / "link").symlink_to(outside)
    diff = "--- /dev/null\n+++ b/link/planted.py\n@@ -0,0 +1 @@\n+x = 1\n"
    with pytest.raises(PatchRejected, match="outside the repository"):
        apply_patch(wt, diff)
    assert not (outside / "planted.py").exists()


def test_binary_and_malformed_patches(wt: Path) -> None:
    binary = "diff --git a/img.png b/img.png\nnew file mode 100644\nGIT binary patch\nliteral 4\n"
    with pytest.raises(PatchRejected, match="binary patches are not allowed: img.png"):
        check_patch(wt, binary)
    with pytest.raises(PatchRejected, match="^malformed diff: "):
        check_patch(wt, "please change line 3\n")
    with pytest.raises(PatchRejected, match="^empty patch$"):
        check_patch(wt, "  \n")


def test_check_patch_returns_canonical_files(wt: Path) -> None:
    files = check_patch(wt, "--- pkg/mod.py\n+++ pkg/mod.py\n@@ -1 +1 @@\n-X = 1\n+X = 3\n")
    assert [f.path for f in files] == ["pkg/mod.py"]
    assert files[0].header[0] == "diff --git a/pkg/mod.py b/pkg/mod.py"
    assert (wt / "pkg/mod.py").read_text() == "X = 1\n"  # checking writes nothing


def test_hunks_without_file_headers_say_so(wt: Path) -> None:
    with pytest.raises(PatchRejected) as info:
        apply_patch(wt, "@@ -1,3 +1,3 @@\n-line 1\n+LINE 1\n line 2\n line 3\n")
    assert str(info.value) == ("malformed diff: line 1: missing file headers "
                               "(--- a/PATH / +++ b/PATH) before the first @@ hunk")
    with pytest.raises(PatchRejected, match=r"malformed hunk header '@@ change' \(expected"):
        apply_patch(wt, "--- a/a.txt\n+++ b/a.txt\n@@ change\n-line 1\n+LINE 1\n")


def test_mismatching_lines_are_named_with_the_nearest_file_lines(wt: Path) -> None:
    stale = TWO_HUNKS.replace("-line 20", "-line twenty")
    with pytest.raises(PatchRejected) as info:
        apply_patch(wt, stale)
    lines = str(info.value).splitlines()
    assert lines[0] == (
        "patch does not apply: a.txt: hunk a.txt#1 (@@ -18,3 +18,3 @@) does not match the "
        "current file content: the hunk line '-line twenty' does not match line 20 of a.txt, "
        "which is 'line 20'; nearest matching lines in a.txt:")
    assert lines[1:4] == ["    18\tline 18", "    19\tline 19", "    20\tline 20"]
    assert (wt / "a.txt").read_text() == LINES


def test_hunk_with_wrong_start_line_applies_where_its_lines_are(wt: Path) -> None:
    diff = "--- a/a.txt\n+++ b/a.txt\n@@ -3,3 +3,3 @@\n line 14\n-line 15\n+LINE 15\n line 16\n"
    result = apply_patch(wt, diff)
    assert (wt / "a.txt").read_text() == LINES.replace("line 15\n", "LINE 15\n")
    assert "@@ -14,3 +14,3 @@" in result.diff_text


def test_ambiguous_hunk_position_is_refused_with_the_places(wt: Path) -> None:
    (wt / "b.txt").write_text("x\ny\nx\n")
    diff = "--- a/b.txt\n+++ b/b.txt\n@@ -2,1 +2,1 @@\n-x\n+X\n"
    with pytest.raises(PatchRejected, match=r"its lines occur 2 times in b\.txt \(at lines 1, 3\)"):
        apply_patch(wt, diff)


def test_miscounted_hunk_before_the_next_file_header_still_applies(wt: Path) -> None:
    # The first hunk claims 9 lines: the plain headers of b.txt are still headers.
    diff = ("--- a/a.txt\n+++ b/a.txt\n@@ -1,9 +1,9 @@\n-line 1\n+LINE 1\n line 2\n"
            "--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-bee\n+BEE\n")
    result = apply_patch(wt, diff)
    assert result.files == ["a.txt", "b.txt"]
    assert (wt / "a.txt").read_text().startswith("LINE 1\nline 2\n")
    assert (wt / "b.txt").read_text() == "BEE\n"


def test_removed_line_starting_with_dashes_is_not_a_header(wt: Path) -> None:
    (wt / "q.sql").write_text("select 1;\n-- old note\nselect 2;\n")
    diff = "--- a/q.sql\n+++ b/q.sql\n@@ -1,1 +1,1 @@\n select 1;\n--- old note\n+-- new note\n"
    apply_patch(wt, diff)
    assert (wt / "q.sql").read_text() == "select 1;\n-- new note\nselect 2;\n"


def test_trailing_whitespace_and_crlf_differences_are_tolerated(wt: Path) -> None:
    (wt / "b.txt").write_bytes(b"one  \r\ntwo\r\nthree\r\n")
    diff = "--- a/b.txt\n+++ b/b.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n"
    apply_patch(wt, diff)
    assert (wt / "b.txt").read_bytes() == b"one  \r\nTWO\r\nthree\r\n"


def test_hunk_claiming_line_zero_of_an_existing_file_is_placed(wt: Path) -> None:
    apply_patch(wt, "--- a/a.txt\n+++ b/a.txt\n@@ -0,2 +0,2 @@\n-line 20\n+LINE 20\n")
    assert (wt / "a.txt").read_text().endswith("line 19\nLINE 20\n")


def test_a_line_separator_inside_a_header_path_does_not_split_the_header() -> None:
    from agents.diff import parse_unified_diff

    diff = ("--- /dev/null\n+++ b/a\u2028b.py\n@@ -0,0 +1,2 @@\n+x = 1\n+page\x0cbreak = 2\n")
    (f,) = parse_unified_diff(diff)
    assert f.new_path == "a\u2028b.py"
    assert [len(h.lines) for h in f.hunks] == [2]
