"""Start one app in this (fresh) process and write ``FRAME`` to fd 1 once its first frame
showing a filled run table has been rendered; then exit.

    python startup_probe.py bare        # Header + DataTable + Footer, rows read with sqlite3
    python startup_probe.py workbench   # WorkbenchApp(RunStore(), load_settings())
    python startup_probe.py command     # the `workbench` command itself (CLI -> WorkbenchTUI)

The store and config come from WORKBENCH_DB / WORKBENCH_CONFIG. Used by test_tui_startup.py,
which times the process from spawn to the marker, so interpreter start and imports count.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from textual.app import App

SIZE = (160, 48)


def _install_frame_probe() -> None:
    """Wrap App._display: the first frame whose screen holds a filled DataTable is reported."""
    from textual.widgets import DataTable

    original = App._display
    done = False

    def display(self: App[Any], screen: Any, renderable: Any) -> None:
        nonlocal done
        original(self, screen, renderable)
        if done or renderable is None or self._batch_count:
            return
        render = getattr(renderable, "render_segments", None)
        if render is not None:
            render(self.console)  # what a real terminal driver would do with the frame
        tables = screen.query(DataTable)
        if tables and tables.first().row_count > 0:
            done = True
            os.write(1, b"FRAME\n")
            self.call_later(self.exit)

    App._display = display  # type: ignore[method-assign]


def _force_headless() -> None:
    original = App.run

    def run(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        kwargs.update(headless=True, size=SIZE)
        return original(self, *args, **kwargs)

    App.run = run  # type: ignore[method-assign]


def run_bare() -> None:
    import sqlite3

    from textual.app import ComposeResult
    from textual.widgets import DataTable, Footer, Header

    class BareRunList(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Footer()

        def on_mount(self) -> None:
            conn = sqlite3.connect(os.environ["WORKBENCH_DB"])
            rows = conn.execute(
                "SELECT status, started_at, task, repo, model, prompt_tokens + "
                "completion_tokens, cost FROM runs ORDER BY started_at DESC LIMIT 500"
            ).fetchall()
            table = self.query_one(DataTable)
            table.add_columns("Status", "Started", "Task", "Repo", "Model", "Tokens", "Cost")
            table.add_rows([tuple(str(v) for v in row) for row in rows])

    BareRunList().run(headless=True, size=SIZE)


def run_workbench() -> None:
    from workbench.config import load_settings
    from workbench.store import RunStore
    from workbench.tui.app import WorkbenchApp

    WorkbenchApp(RunStore(), load_settings()).run(headless=True, size=SIZE)


def run_command() -> None:
    _force_headless()
    from workbench.cli import cli

    cli.main(args=[], prog_name="workbench", standalone_mode=False)


if __name__ == "__main__":
    _install_frame_probe()
    {"bare": run_bare, "workbench": run_workbench, "command": run_command}[sys.argv[1]]()
