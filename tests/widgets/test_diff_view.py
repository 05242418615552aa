"""DiffView: hunk navigation, per-hunk accept/reject, layouts, file list, large diffs."""

from __future__ import annotations

from tests.widgets.apps import DiffApp
from widgets.diff_lines import DiffLines
from widgets.diff_view import DiffView


def _screen_lines(lines: DiffLines) -> list[str]:
    return [lines.render_line(y).text for y in range(lines.size.height)]


async def test_n_and_p_move_between_hunks() -> None:
    app = DiffApp()
    async with app.run_test(size=(100, 40)) as pilot:
        lines = app.query_one(DiffLines)
        assert lines.hunk_id is None  # on the first file header
        await pilot.press("n")
        assert lines.hunk_id == "inventory/stock.py#0"
        await pilot.press("n", "n")
        assert lines.hunk_id == "web/src/stock.ts#0"
        assert lines.row_at(lines.cursor).kind == "hunk"  # type: ignore[union-attr]
        await pilot.press("p")
        assert lines.hunk_id == "inventory/stock.py#1"
        await pilot.press("n", "n", "n")
        assert lines.hunk_id == "Service/Stock.cs#0"  # stays on the last hunk


async def test_n_scrolls_a_far_hunk_to_the_top() -> None:
    body = "".join(f"+line {i}\n" for i in range(200))
    text = (f"--- a/a.py\n+++ b/a.py\n@@ -0,0 +1,200 @@\n{body}"
            "--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-old\n+new\n"
            f"--- a/c.py\n+++ b/c.py\n@@ -0,0 +1,200 @@\n{body}")
    app = DiffApp(text, functions=False)
    async with app.run_test(size=(80, 20)) as pilot:
        lines = app.query_one(DiffLines)
        await pilot.press("n", "n")
        await pilot.pause()
        assert lines.hunk_id == "b.py#0"
        assert "b.py" in _screen_lines(lines)[0]  # the file header sits just above the hunk


async def test_toggling_a_hunk_rejects_it_and_redraws_it_struck() -> None:
    app = DiffApp()
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.query_one(DiffView)
        lines = app.query_one(DiffLines)
        await pilot.press("n", "n", "space")
        await pilot.pause()
        assert view.rejected_hunks == {"inventory/stock.py#1"}
        toggled = [(m.hunk_id, m.accepted) for m in app.messages
                   if isinstance(m, DiffView.HunkToggled)]
        assert toggled == [("inventory/stock.py#1", False)]
        header = next(t for t in _screen_lines(lines) if "@@ -42,2" in t)
        assert "✗ rejected" in header
        removed_row = next(y for y, t in enumerate(_screen_lines(lines)) if "43      -" in t)
        struck = [s for s in lines.render_line(removed_row) if "return" in s.text]
        assert struck and all(s.style and s.style.strike for s in struck)
        assert "1 rejected" in str(view.query_one("#diff-summary").render())

        await pilot.press("space")
        await pilot.pause()
        assert view.rejected_hunks == frozenset()
        assert app.messages[-1].accepted is True  # type: ignore[attr-defined]
        header = next(t for t in _screen_lines(lines) if "@@ -42,2" in t)
        assert "✓ accepted" in header


async def test_toggle_on_a_file_header_rejects_every_hunk_of_the_file() -> None:
    app = DiffApp()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("space")
        assert app.query_one(DiffView).rejected_hunks == {
            "inventory/stock.py#0", "inventory/stock.py#1"}
        assert "2/2 rejected" in app.query_one(DiffLines).render_line(0).text


async def test_read_only_refuses_toggling() -> None:
    app = DiffApp(read_only=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n", "space")
        assert app.query_one(DiffView).rejected_hunks == frozenset()
        assert app.messages == []


async def test_split_layout_keeps_the_cursor_on_the_same_hunk() -> None:
    app = DiffApp()
    async with app.run_test(size=(120, 40)) as pilot:
        lines = app.query_one(DiffLines)
        await pilot.press("n", "n", "down", "down")
        unified_row = lines.row_at(lines.cursor)
        await pilot.press("s")
        await pilot.pause()
        assert lines.split
        assert lines.hunk_id == "inventory/stock.py#1"
        assert lines.row_at(lines.cursor) is not None
        removed = next(t for t in _screen_lines(lines) if "unit_price" in t)
        assert removed.count("unit_price") == 2 and "│" in removed  # old | new on one row
        await pilot.press("s")
        assert lines.row_at(lines.cursor) is unified_row


async def test_rejected_hunks_can_be_restored_without_messages() -> None:
    app = DiffApp()
    async with app.run_test(size=(100, 40)):
        view = app.query_one(DiffView)
        view.set_rejected_hunks(["web/src/stock.ts#0", "no/such.py#3"])
        assert view.rejected_hunks == {"web/src/stock.ts#0"}
        assert app.messages == []


async def test_file_list_shows_changed_functions_and_jumps_to_them() -> None:
    app = DiffApp()
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.query_one(DiffView)
        assert view.has_class("-wide")
        files = view.query_one("#diff-files")
        assert files.display
        await pilot.pause()
        await pilot.click(files, offset=(6, 2))  # "+ Inventory.low_stock"
        await pilot.pause()
        lines = app.query_one(DiffLines)
        row = lines.row_at(lines.cursor)
        assert row is not None and "def low_stock" in row.text


async def test_narrow_view_hides_the_file_list() -> None:
    app = DiffApp()
    async with app.run_test(size=(80, 24)):
        assert not app.query_one(DiffView).query_one("#diff-files").display


async def test_not_a_diff_is_reported_in_the_summary() -> None:
    app = DiffApp("this is not a diff\n")
    async with app.run_test(size=(80, 24)):
        summary = str(app.query_one(DiffView).query_one("#diff-summary").render())
        assert summary.startswith("Not a diff")


def _big_diff(total_lines: int = 20_000) -> str:
    out: list[str] = []
    for f in range(20):
        ext = (".py", ".cs", ".ts")[f % 3]
        out += [f"--- a/src/m{f}{ext}", f"+++ b/src/m{f}{ext}"]
        for h in range(total_lines // 20 // 10):
            out.append(f"@@ -{h * 20 + 1},8 +{h * 20 + 1},8 @@ def f{h}():")
            out += [f"     x{k} = compute(a, b, 'text {k}')  # note" for k in range(3)]
            out += [f"-    return old_value({h})", f'+    return new_value({h}, "s")']
            out += [f"     y{k} = [i * 2 for i in range({k})]" for k in range(3)]
    return "\n".join(out) + "\n"


async def test_a_20000_line_diff_shows_its_first_hunk_at_once() -> None:
    app = DiffApp("", functions=False)
    async with app.run_test(size=(160, 48)) as pilot:
        view = app.query_one(DiffView)
        lines = app.query_one(DiffLines)
        view.load_diff(_big_diff())
        first_screen = _screen_lines(lines)  # drawn straight after loading, no pause
        assert "src/m0.py" in first_screen[0]
        assert "@@ -1,8 +1,8 @@ def f0():" in first_screen[1]
        assert "x0 = compute(a, b, 'text 0')  # note" in first_screen[2]
        assert "return new_value(0, \"s\")" in first_screen[6]
        await pilot.press("pagedown", "pagedown", "end")
        assert lines.cursor == lines.row_count - 1


async def test_paging_through_a_20000_line_diff_draws_every_page() -> None:
    app = DiffApp(_big_diff(), functions=False)
    async with app.run_test(size=(160, 48)):
        lines = app.query_one(DiffLines)
        for _ in range(40):
            lines.action_page(1)
            screen = _screen_lines(lines)
            assert screen[lines.cursor - lines.scroll_offset.y].startswith("▌")
            assert all(row.strip() for row in screen)
        assert lines.cursor > 40 * 40
