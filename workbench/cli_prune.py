"""`workbench prune`: delete the worktrees, branches and refs that finished runs left in their
repositories. The runs and their events stay in the store: they are the history."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from workbench.store import RunRecord, RunStore

# Statuses a run ends in. Anything else (PENDING, RUNNING, WAITING_FOR_APPROVAL, INTERRUPTED,
# WAITING)
# may still be resumed and is never pruned; plain strings, so new statuses stay safe.
FINISHED = ("APPROVED", "NEEDS_HUMAN_REVIEW", "BLOCKED_BY_POLICY", "REJECTED", "FAILED")
_DAY_S = 86_400.0


def worktrees_dir_for(db_path: Path) -> Path:
    """Where the engine puts run worktrees for a store (the rule of
    ``workbench.engine.team.worktrees_dir_for``, which would import AutoGen)."""
    return db_path.parent / "worktrees"


def prunable(
    records: list[RunRecord], older_than_days: float, statuses: tuple[str, ...], now: float
) -> list[RunRecord]:
    """The finished runs that ended at least ``older_than_days`` ago, optionally only those
    with one of ``statuses``."""
    wanted = set(statuses) or set(FINISHED)
    out = []
    for record in records:
        if record.status not in FINISHED or record.status not in wanted:
            continue
        ended = record.finished_at or record.started_at
        if older_than_days <= 0 or now - ended >= older_than_days * _DAY_S:
            out.append(record)
    return out


@dataclass
class PruneResult:
    run_id: str
    status: str
    repo: str
    removed: list[str] = field(default_factory=list)
    skipped: str = ""

    def line(self, dry_run: bool) -> str:
        head = f"{self.run_id}  {self.status:<18}"
        if self.skipped:
            return f"{head} skipped: {self.skipped}"
        if not self.removed:
            return f"{head} nothing to remove"
        verb = "would remove" if dry_run else "removed"
        return f"{head} {verb} {', '.join(self.removed)}"


def prune_run(record: RunRecord, worktrees_dir: Path, dry_run: bool) -> PruneResult:
    from workbench.gitops import GitError, remove_run

    result = PruneResult(record.run_id, record.status, record.repo)
    if not record.repo or not Path(record.repo).is_dir():
        result.skipped = f"repository not found: {record.repo}"
        return result
    try:
        result.removed = remove_run(Path(record.repo), record.run_id, worktrees_dir,
                                    dry_run=dry_run)
    except GitError as exc:
        result.skipped = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return result


@click.command("prune")
@click.option("--older-than", "older_than", type=click.FloatRange(min=0), default=0,
              metavar="DAYS", help="Only runs that finished at least DAYS ago (default: all).")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(FINISHED, case_sensitive=False),
              help="Only runs with this status (repeatable).")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_context
def prune(ctx: click.Context, older_than: float, statuses: tuple[str, ...], dry_run: bool,
          as_json: bool) -> None:
    """Remove the worktrees, run branches and refs of finished runs.

    Runs still in progress, parked at a gate or interrupted are never touched. The runs stay
    in the store, so `workbench show` and replay keep working; only the git leftovers go.
    """
    obj = ctx.ensure_object(dict)
    store = obj.get("store")
    if not isinstance(store, RunStore):
        store = obj["store"] = RunStore(obj.get("db"))
    wt_dir = worktrees_dir_for(store.path)
    chosen = prunable(store.runs(limit=1_000_000), older_than, statuses, time.time())
    results = [prune_run(record, wt_dir, dry_run) for record in chosen]
    if as_json:
        data = [dict(asdict(r), dry_run=dry_run) for r in results]
        click.echo(json.dumps(data, indent=2))
        return
    for result in results:
        click.echo(result.line(dry_run))
    if not results:
        click.echo("no finished runs to prune")
