"""SpecEditor: live validation placed on lines, approval refused while invalid, formats."""

from __future__ import annotations

from textual.widgets.text_area import Selection

from tests.widgets.apps import SpecApp
from widgets.samples import SAMPLE_SPEC
from widgets.spec_editor import SpecEditor


def _status(editor: SpecEditor) -> str:
    return str(editor.query_one("#spec-status").render())


def _approved(app: SpecApp) -> list[SpecEditor.Approved]:
    return [m for m in app.messages if isinstance(m, SpecEditor.Approved)]


def _screen(editor: SpecEditor) -> list[str]:
    area = editor.text_area
    return [area.render_line(y).text for y in range(area.size.height)]


async def test_invalid_then_valid_spec_refuses_then_allows_approval() -> None:
    app = SpecApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        area = editor.text_area
        row = area.text.splitlines().index("risk_level: low")
        area.move_cursor((row, len("risk_level: ")))
        await pilot.press("x", "x")  # risk_level: xxlow
        await pilot.pause(0.3)
        assert [(p.line, p.path) for p in editor.problems] == [(row, "risk_level")]
        assert "✗ 1 problem" in _status(editor)
        marked = next(t for t in _screen(editor) if "risk_level: xxlow" in t)
        assert "◀ Input should be 'low', 'medium' or 'high'" in marked
        problems = str(editor.query_one("#spec-problems").render())
        assert f"line {row + 1}: risk_level" in problems

        await pilot.press("ctrl+s")
        assert _approved(app) == []
        assert app.bells == 1
        assert f"cannot approve: 1 problem(s), first at line {row + 1}" in _status(editor)

        await pilot.press("backspace", "backspace")
        await pilot.pause(0.3)
        assert editor.problems == ()
        assert "✓ valid" in _status(editor)
        await pilot.press("ctrl+s")
        assert len(_approved(app)) == 1
        assert _approved(app)[0].spec == SAMPLE_SPEC
        assert _approved(app)[0].edited is False


async def test_an_edited_spec_is_approved_as_edited() -> None:
    app = SpecApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        area = editor.text_area
        row = area.text.splitlines().index("risks: []")
        area.move_cursor((row, len("risks: [")))
        await pilot.press(*"stale cache")
        await pilot.pause(0.3)
        assert "edited" in _status(editor)
        await pilot.press("ctrl+s")
        approved = _approved(app)[0]
        assert approved.edited is True
        assert approved.spec.risks == ["stale cache"]


async def test_validation_is_debounced_while_typing() -> None:
    app = SpecApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        last = len(editor.text_area.text.splitlines())
        editor.text_area.move_cursor((last, 0))
        await pilot.press("#", " ", "x")
        validated = [m for m in app.messages if isinstance(m, SpecEditor.Validated)]
        assert validated == []  # nothing yet: still inside the debounce window
        await pilot.pause(0.3)
        validated = [m for m in app.messages if isinstance(m, SpecEditor.Validated)]
        assert len(validated) == 1 and validated[0].valid


async def test_yaml_syntax_error_is_shown_on_its_line() -> None:
    app = SpecApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        area = editor.text_area
        row = area.text.splitlines().index("risks: []")
        area.move_cursor((row, len("risks: [")))
        await pilot.press("[", "end", "enter", *"x: 1")
        await pilot.pause(0.3)
        assert editor.problems and editor.problems[0].message.startswith("YAML syntax")
        assert editor.problems[0].line in (row, row + 1)
        await pilot.press("ctrl+t")  # cannot convert broken YAML
        assert editor.format == "yaml"
        assert "fix the syntax error" in _status(editor)


async def test_missing_field_points_at_the_top_and_f8_jumps_to_problems() -> None:
    app = SpecApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        area = editor.text_area
        lines = area.text.splitlines()
        row = lines.index("in_scope:")
        area.selection = Selection((row, 0), (row + 3, 0))  # the key and its two items
        await pilot.press("backspace")
        area.move_cursor((len(lines) - 3, 0))
        await pilot.pause(0.3)
        assert any(p.path == "in_scope" and p.line == 0 for p in editor.problems)
        await pilot.press("f8")
        assert area.cursor_location[0] == editor.problems[0].line


async def test_toggle_to_json_and_back_keeps_the_spec() -> None:
    app = SpecApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert editor.format == "json"
        assert editor.text_area.text.lstrip().startswith("{")
        assert editor.text_area.language == "json"
        assert editor.spec == SAMPLE_SPEC
        assert _status(editor).startswith("JSON")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert editor.format == "yaml"
        assert editor.text_area.text.startswith("feature_id: INV-7")


async def test_json_problems_are_placed_on_their_line() -> None:
    app = SpecApp()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        await pilot.press("ctrl+t")
        area = editor.text_area
        row = next(i for i, t in enumerate(area.text.splitlines()) if '"risk_level"' in t)
        area.move_cursor((row, area.text.splitlines()[row].index("low")))
        await pilot.press("x")
        await pilot.pause(0.3)
        assert [(p.line, p.path) for p in editor.problems] == [(row, "risk_level")]


async def test_read_only_editor_refuses_edits_and_approval() -> None:
    app = SpecApp(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        before = editor.text_area.text
        await pilot.press("x", "ctrl+s")
        assert editor.text_area.text == before
        assert _approved(app) == []
        assert "read-only" in _status(editor)


async def test_load_spec_replaces_the_text() -> None:
    app = SpecApp(spec=None)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = app.query_one(SpecEditor)
        assert editor.spec is None
        await pilot.press("ctrl+s")
        assert _approved(app) == []
        editor.load_spec(SAMPLE_SPEC)
        await pilot.pause()
        assert editor.spec == SAMPLE_SPEC
        assert "✓ valid" in _status(editor)
