"""`workbench mcp`: the run store as a read-only MCP server over stdio, so other agents can
inspect runs (the list, a run's events a page at a time, its evidence bundle).

It only reads: nothing here writes an event, a run or an artifact. What the store holds is
already masked; every string still passes :func:`agents.redact.safe_text` on the way out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from agents.redact import safe_text
from workbench.store import RunStore, UnknownRunError, default_db_path

MAX_PAGE = 500


def _safe(value: Any) -> Any:
    """``value`` with every string masked and made printable."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    return value


def _safe_dict(value: dict[str, Any]) -> dict[str, Any]:
    return {str(k): _safe(v) for k, v in value.items()}


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


class StoreReader:
    """The three views, on an open store; errors are one-line :class:`ValueError`."""

    def __init__(self, store: RunStore) -> None:
        self.store = store

    def _run_id(self, run_id: str) -> str:
        try:
            return self.store.find_run(run_id.strip()).run_id
        except UnknownRunError as exc:
            raise ValueError(_first_line(str(exc)) or f"no run {run_id!r}") from None

    def list_runs(self, limit: int = 50) -> dict[str, Any]:
        runs = self.store.runs(limit=max(1, min(limit, MAX_PAGE)))
        return _safe_dict({"runs": [
            {"id": r.run_id, "status": r.status, "task": _first_line(r.task),
             "tokens": r.tokens, "cost": round(r.cost, 6)} for r in runs]})

    def run_events(self, run_id: str, after_seq: int = 0, limit: int = 100) -> dict[str, Any]:
        rid = self._run_id(run_id)
        limit = max(1, min(limit, MAX_PAGE))
        page: list[dict[str, Any]] = []
        more = False
        for event in self.store.iter_events(rid, after_seq=max(0, after_seq)):
            if len(page) == limit:
                more = True
                break
            page.append({"seq": event.seq, "kind": event.kind, "role": event.role,
                         "summary": event.summary()})
        next_after = page[-1]["seq"] if page and more else None
        return _safe_dict({"run_id": rid, "events": page, "next_after_seq": next_after})

    def run_evidence(self, run_id: str) -> dict[str, Any]:
        from agents.fold import fold
        from workbench.engine.evidence_bundle import build_bundle

        rid = self._run_id(run_id)
        return _safe_dict(build_bundle(fold(self.store.iter_events(rid))))


def build_server(store: RunStore) -> Any:
    """The FastMCP server over ``store`` (returned untyped: FastMCP is imported lazily)."""
    from mcp.server.fastmcp import FastMCP

    reader = StoreReader(store)
    server = FastMCP("workbench-runs", log_level="WARNING")

    @server.tool()
    def list_runs(limit: int = 50) -> dict[str, Any]:
        """The newest runs: id, status, the task's first line, tokens and cost."""
        return reader.list_runs(limit)

    @server.tool()
    def run_events(run_id: str, after_seq: int = 0, limit: int = 100) -> dict[str, Any]:
        """A run's events (seq, kind, role, one-line summary) after `after_seq`, at most
        `limit`; `next_after_seq` is the `after_seq` of the next page, null at the end. A
        unique prefix of the run id is enough."""
        return reader.run_events(run_id, after_seq, limit)

    @server.tool()
    def run_evidence(run_id: str) -> dict[str, Any]:
        """A run's evidence bundle: task, spec, patches, review, tests, approvals, usage."""
        return reader.run_evidence(run_id)

    return server


@click.command("mcp")
@click.pass_context
def mcp_command(ctx: click.Context) -> None:
    """Serve the run store read-only as an MCP server on stdin/stdout (tools: list_runs,
    run_events, run_evidence)."""
    db = ctx.find_root().ensure_object(dict).get("db")
    path = Path(db) if db is not None else default_db_path()
    if not path.is_file():  # never create a store just to serve it
        raise click.ClickException(f"no run store at {path}")
    store = RunStore(path)
    try:
        build_server(store).run("stdio")
    finally:
        store.close()
