"""A long confirmation question (a change named file by file) wraps inside its dialog."""

from __future__ import annotations

from textual.app import App
from textual.containers import Vertical
from textual.widgets import Label

from workbench.tui.screens.confirm import ConfirmScreen

FILES = ", ".join(f"src/module_{n}/handlers.py" for n in range(6))
QUESTION = f"fast-forward 75f54d1479 onto main in /tmp/repo: 6 file(s): {FILES}\nApply it?"


class _Host(App[None]):
    def on_mount(self) -> None:
        self.push_screen(ConfirmScreen(QUESTION, "Apply", "Not now"))


async def test_every_word_of_a_long_question_is_inside_the_dialog() -> None:
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        dialog = app.screen.query_one(Vertical)
        question = app.screen.query_one("#confirm-question", Label)
        assert question.region.right <= dialog.content_region.right
        assert question.size.height >= 3  # wrapped, not cut
        lines = [strip.text for strip in question.render_lines(question.size.region)]
        text = " ".join(line.strip() for line in lines)
        assert "src/module_5/handlers.py" in text and "Apply it?" in text
