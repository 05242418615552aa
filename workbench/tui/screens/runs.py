"""The run list: every past run from the store, newest first, filtered by text and status."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import DataTable, Input, Static

from agents.figures import format_clock, format_cost, format_tokens, status_label
from agents.terminal_text import printable
from widgets.footer import KeyFooter
from workbench.store import RunRecord, RunStore
from workbench.tui.formatting import (
    RESUMABLE_STATUSES,
    STATUS_FALLBACK_VARIABLES,
    STATUS_VARIABLES,
    format_started,
    shorten_path,
    truncate,
)
from workbench.tui.screens.runs_filter import (
    STATUS_FILTERS,
    TIME_WIDTH,
    Layout,
    matches,
    plan_layout,
    repo_label,
)

SHORT_STATUS: dict[str, str] = {"NEEDS_HUMAN_REVIEW": "review", "INTERRUPTED": "stopped"}
LIVE_STATUSES = frozenset({"PENDING", "RUNNING", "WAITING_FOR_APPROVAL"})
SCRIPTED_PREFIXES = ("scripted:", "replay:")


class RunListScreen(Screen[None]):
    """Past runs in a table. Enter opens one, ``n`` starts a new one, ``r`` reloads,
    ``R`` resumes a parked or interrupted one; ``/`` filters by text, ``s`` by status."""

    TITLE = "Runs"
    CSS_PATH = "runs.tcss"
    AUTO_FOCUS = "#runs-table"
    POLL_SECONDS: ClassVar[float] = 2.0
    """How often the list reloads while a run in it is still going."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_run", "Open run", id="runs.open", priority=True),
        Binding("n", "app.new_run", "New run", id="runs.new"),
        Binding("r", "refresh", "Refresh", id="runs.refresh"),
        Binding("R", "resume_run", "Resume run", id="runs.resume"),
        Binding("slash", "filter", "Filter", id="runs.filter"),
        Binding("s", "cycle_status", "Status filter", id="runs.status", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="runs.clear-filter", show=False),
    ]

    class OpenRun(Message):
        """The user chose a run to look at."""

        def __init__(self, run_id: str) -> None:
            super().__init__()
            self.run_id = run_id

    class ResumeRun(Message):
        """The user wants a parked or interrupted run to continue live."""

        def __init__(self, run_id: str) -> None:
            super().__init__()
            self.run_id = run_id

    def __init__(self, store: RunStore) -> None:
        super().__init__()
        self.store = store
        self.runs: list[RunRecord] = []
        """Every run in the store (newest first); the table shows those the filters keep."""
        self.shown: list[RunRecord] = []
        self._status = 0  # index into STATUS_FILTERS
        self._layout: Layout | None = None
        self._suspended = False

    def compose(self) -> ComposeResult:
        yield Static("Runs", id="runs-title", classes="screen-title")
        with Horizontal(id="runs-filters"):
            yield Input(placeholder="/ filter: task, run id, repo", id="runs-filter",
                        compact=True)
            yield Static("", id="runs-status")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Static(
            "No runs yet.\n\nPress [b]n[/b] to start one.",
            id="runs-empty",
            classes="empty-state",
        )
        yield Static("", id="run-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.action_refresh()
        self.set_interval(self.POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        if self.is_current and any(run.status in LIVE_STATUSES for run in self.runs):
            self.action_refresh()

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        """Back from another screen: runs may have changed meanwhile. (The first resume comes
        right after mounting, which has just loaded the list.)"""
        if self._suspended and self._layout is not None:
            self.action_refresh()
        self._suspended = False

    @property
    def table(self) -> DataTable[Text | str]:
        return self.query_one("#runs-table", DataTable)

    @property
    def selected_run_id(self) -> str | None:
        table = self.table
        if not self.shown or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def action_refresh(self) -> None:
        """Reload runs from the store, keeping the selected run selected."""
        selected = self.selected_run_id if self._layout is not None else None
        self.runs = self.store.runs()
        self.query_one("#runs-empty").display = not self.runs
        self.table.display = bool(self.runs)
        self.query_one("#runs-filters").display = bool(self.runs)
        self.query_one("#run-detail").display = bool(self.runs)
        self._rebuild(selected)

    def _update_title(self) -> None:
        count, shown = len(self.runs), len(self.shown)
        runs = f"{count} run{'s' if count != 1 else ''}"
        self.query_one("#runs-title", Static).update(
            f"Runs  [dim]{runs if shown == count else f'{shown} of {runs}'}[/dim]")
        name = STATUS_FILTERS[self._status][0]
        self.query_one("#runs-status", Static).update(f"status: [b]{name}[/b] [dim](s)[/dim]")

    def action_filter(self) -> None:
        self.query_one("#runs-filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#runs-filter", Input).value = ""
        self.table.focus()

    def action_cycle_status(self) -> None:
        self._status = (self._status + 1) % len(STATUS_FILTERS)
        self._rebuild(self.selected_run_id)

    @on(Input.Changed, "#runs-filter")
    def _filter_changed(self) -> None:
        self._rebuild(self.selected_run_id)

    def action_open_run(self) -> None:
        run_id = self.selected_run_id
        if run_id is not None:
            self.post_message(self.OpenRun(run_id))

    def action_resume_run(self) -> None:
        run = next((r for r in self.runs if r.run_id == self.selected_run_id), None)
        if run is None:
            return
        if run.status not in RESUMABLE_STATUSES:
            self.notify(f"{run.run_id} is {status_label(run.status)}: only a parked or "
                        "interrupted run resumes (open it and fork it with f)",
                        severity="warning")
            return
        self.post_message(self.ResumeRun(run.run_id))

    @on(DataTable.RowSelected, "#runs-table")
    def _row_clicked(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.post_message(self.OpenRun(event.row_key.value))

    @on(DataTable.RowHighlighted, "#runs-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.row_key.value)

    def on_resize(self, event: Resize) -> None:
        layout = plan_layout(event.size.width, [run.repo for run in self.runs])
        if layout != self._layout:
            self._rebuild(self.selected_run_id)

    def _theme_changed(self, theme: Theme) -> None:
        self._rebuild(self.selected_run_id)

    def _rebuild(self, selected: str | None) -> None:
        width = self.size.width or self.app.size.width
        layout = plan_layout(width, [run.repo for run in self.runs])
        self._layout = layout
        text = self.query_one("#runs-filter", Input).value
        self.shown = [r for r in self.runs
                      if matches(r, text, STATUS_FILTERS[self._status][1])]
        self._update_title()
        table = self.table
        table.clear(columns=True)
        table.add_column("Status", width=layout.status, key="status")
        table.add_column("Task", width=layout.task, key="task")
        if layout.repo:
            table.add_column("Repo", width=layout.repo, key="repo")
        table.add_column("Started", width=layout.started, key="started")
        table.add_column(Text("Time", justify="right"), width=TIME_WIDTH, key="duration")
        if layout.repo:
            table.add_column(Text("Tokens", justify="right"), width=6, key="tokens")
        table.add_column(Text("Cost", justify="right"), width=6, key="cost")
        for run in self.shown:
            table.add_row(*self._cells(run, layout), key=run.run_id)
        ids = [run.run_id for run in self.shown]
        if selected in ids:
            table.move_cursor(row=ids.index(selected), animate=False)
        self._show_detail(self.selected_run_id)

    def _colour(self, variable: str) -> str:
        found = self.app.theme_variables.get(variable)
        if found is None and variable in STATUS_FALLBACK_VARIABLES:
            found = self.app.theme_variables.get(STATUS_FALLBACK_VARIABLES[variable])
        return found or ""

    def _cells(self, run: RunRecord, layout: Layout) -> list[Text | str]:
        label = status_label(run.status)
        if layout.compact:
            label = SHORT_STATUS.get(run.status, label)
        colour = self._colour(STATUS_VARIABLES.get(run.status, "status-running"))
        cells: list[Text | str] = [
            Text(f"● {label}", style=colour),
            truncate(printable(run.task), layout.task),
            shorten_path(repo_label(run.repo, layout.compact), layout.repo),
            format_started(run.started_at, compact=layout.compact),
            Text(format_clock(run.duration_s), justify="right"),
            Text(format_tokens(run.tokens), justify="right"),
            Text(format_cost(run.cost), justify="right"),
        ]
        return cells if layout.repo else [cells[0], cells[1], *cells[3:5], cells[6]]

    def _show_detail(self, run_id: str | None) -> None:
        detail = self.query_one("#run-detail", Static)
        run = next((r for r in self.runs if r.run_id == run_id), None)
        if run is None:
            detail.update("No run matches the filters (Esc clears them)." if self.runs else "")
            return
        line = Text()
        line.append(run.run_id, style="bold")
        line.append("  ")
        provider = run.model.partition(":")[0]
        if run.model.startswith(SCRIPTED_PREFIXES):
            style = self._colour("scripted")
            line.append(f"{run.model} ({provider})", style=f"bold {style}".strip())
        else:
            line.append(run.model)
        if run.branch:
            line.append(f"  {run.branch}", style="dim")
        line.append(f"  {run.repo}  {format_tokens(run.tokens)} tok", style="dim")
        if run.reason:
            line.append(f"  {run.reason}", style="italic")
        if run.status in RESUMABLE_STATUSES:
            line.append("  R resumes it", style="bold")
        line.append("\n")
        line.append(" ".join(printable(run.task).split()))
        detail.update(line)
