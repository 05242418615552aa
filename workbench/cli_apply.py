"""`workbench apply RUN`: bring an approved run's commit onto the branch checked out in the
run's repository (a fast-forward or a cherry-pick), after an explicit confirmation."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("run_id")
@click.option("--yes", "-y", is_flag=True, help="Apply without asking (scripts, CI).")
@click.option("--dry-run", is_flag=True, help="Say what would be done and stop.")
@click.pass_context
def apply(ctx: click.Context, run_id: str, yes: bool, dry_run: bool) -> None:
    """Bring the commit of approved run RUN_ID onto the current branch of its repository.
    Refuses a dirty tree, a detached HEAD and a conflict before touching any file."""
    from workbench.cli import _echo, _store
    from workbench.delivery import apply_plan, plan_apply

    record = _store(ctx).find_run(run_id)
    if record.status != "APPROVED" or not record.branch:
        raise click.ClickException(f"run {record.run_id} is {record.status}: only an APPROVED "
                                   "run has a commit to apply")
    plan = plan_apply(Path(record.repo), record.branch)
    _echo(plan.describe())
    if dry_run:
        return
    if not yes:
        if not sys.stdin.isatty():
            raise click.ClickException("no terminal to confirm on: pass --yes to apply")
        click.confirm(f"Apply to {plan.branch}?", abort=True)
    sha = apply_plan(plan)
    _echo(f"{plan.branch} is now at {sha[:10]} ({plan.mode} of run {record.run_id})")
