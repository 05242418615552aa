"""The ``workbench`` command: the TUI by default, headless runs and run inspection."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from agents.terminal_text import printable
from workbench.store import RunRecord, RunStore

# The engine (AutoGen, model clients), the masker's rules and yaml are imported by the
# commands that need them, so the app and the reading commands start without paying for them.

OK_STATUSES = {"APPROVED", "WAITING_FOR_APPROVAL"}
EXIT_TEMPFAIL = 75
"""``run``/``resume`` exit code of a run parked WAITING for its provider (sysexits' TEMPFAIL)."""


def _store(ctx: click.Context) -> RunStore:
    obj = ctx.ensure_object(dict)
    if "store" not in obj:
        obj["store"] = RunStore(obj["db"])
    store: RunStore = obj["store"]
    return store


def _echo(text: str, err: bool = False) -> None:
    """Every line the CLI prints: secrets masked, terminal control characters removed
    (a store written before masking, or a model's text, may hold either)."""
    from agents.redact import safe_text

    click.echo(safe_text(text), err=err)


def _echo_stored(text: str) -> None:
    """A line made only of run-row text, which the store masked on write (layout 4)."""
    click.echo(printable(text))


def _echo_json(data: Any) -> None:
    # json.dumps escapes control characters; values are masked one by one
    from agents.redact import mask_value

    click.echo(json.dumps(mask_value(data), indent=2, default=str))


def _run_dict(run: RunRecord) -> dict[str, Any]:
    data = dict(run.__dict__)
    data["config"] = json.loads(run.config or "{}")
    data["duration_s"] = round(run.duration_s, 3)
    return data


def _read_task(words: tuple[str, ...], task_file: str | None) -> str:
    """The task from the arguments (after ``--`` it may start with ``-``) or from a file
    (``-`` is stdin); exactly one of the two."""
    if words and task_file:
        raise click.UsageError("give the task as arguments or with --task-file, not both")
    if task_file:
        try:
            text = (sys.stdin.read() if task_file == "-"
                    else Path(task_file).read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise click.UsageError(f"the task file {task_file} is not UTF-8 text") from None
        except OSError as exc:
            raise click.UsageError(f"cannot read the task file {task_file}: "
                                   f"{exc.strerror or type(exc).__name__}") from None
    else:
        text = " ".join(words)
    if not text.strip():
        raise click.UsageError('no task: workbench run -- "TASK" or --task-file PATH')
    return text


def _repo_root(path: Path) -> tuple[str, bool]:
    """The root of the git repository that holds ``path`` (a run may start in a
    sub-directory) and True; outside any repository, the path itself and False (the run
    then says it is not a git repository, after the other checks of what was asked)."""
    from workbench.repo_root import repo_root

    found = repo_root(path)
    return (str(found), True) if found else (str(path.resolve()), False)


def _not_a_repo(path: str) -> click.ClickException:
    return click.ClickException(f"not a git repository: {path} (nor any folder above it); "
                                "run it inside a repository or pass --repo PATH")


def _finish(outcome: Any, as_json: bool, repo: str) -> None:
    payload = {
        "run_id": outcome.run_id, "status": outcome.status.value, "reason": outcome.reason,
        "branch": outcome.branch, "commit": outcome.commit, "repo": repo,
    }
    if as_json:
        _echo_json(payload)
    else:
        line = f"run {outcome.run_id}: {outcome.status.value}"
        if outcome.reason:
            line += f" ({outcome.reason})"
        if outcome.commit:
            line += f"\ncommitted {outcome.commit[:10]} on {outcome.branch} in {repo}"
        if outcome.status.value == "WAITING_FOR_APPROVAL":
            rid = outcome.run_id
            line += f"\nnext: workbench approve {rid} && workbench resume {rid}"
        if outcome.status.value == "WAITING":
            line += f"\nnext: workbench resume {outcome.run_id} once the provider is back"
        _echo(line)
    if outcome.status.value == "WAITING":
        sys.exit(EXIT_TEMPFAIL)
    sys.exit(0 if outcome.status.value in OK_STATUSES else 1)


class _LazyGroup(click.Group):
    """Sub-commands kept in their own modules are imported only when they run (or when help
    lists them): ``workbench runs`` does not pay for ``changes``' tree-sitter."""

    LAZY = {"changes": "workbench.cli_changes:changes", "prune": "workbench.cli_prune:prune",
            "models": "workbench.cli_models:models", "apply": "workbench.cli_apply:apply",
            "export": "workbench.cli_handoff:export",
            "serve-approvals": "workbench.cli_handoff:serve_approvals",
            "serve": "workbench.cli_serve:serve",
            "mcp": "workbench.mcp_server:mcp_command",
            "host": "workbench.cli_distributed:host",
            "run": "workbench.cli_run:run", "resume": "workbench.cli_run:resume",
            "worker": "workbench.cli_distributed:worker"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, _, name = self.LAZY[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, invoke_without_command=True)
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              envvar="WORKBENCH_DB", help="Run store file (default: user data dir).")
@click.pass_context
def cli(ctx: click.Context, db: Path | None) -> None:
    """Workbench: a team of agents changes your repository while you stay in control."""
    ctx.ensure_object(dict)["db"] = db
    if ctx.invoked_subcommand is None:
        from workbench.repo_root import current_repo_root
        from workbench.tui.launch import launch

        root = current_repo_root()  # started inside a repository: the new-run form opens on it
        launch(_store(ctx), repo=str(root) if root else None)


@cli.command()
@click.option("--headless", is_flag=True, help="No TUI: run the demo to the end, auto-approved.")
@click.option("--mode", type=click.Choice(["pipeline", "group"]), default="pipeline",
              show_default=True,
              help="pipeline: the roles in a fixed order; group: an AutoGen group chat "
                   "chooses who acts next where more than one role could.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON (headless).")
@click.pass_context
def demo(ctx: click.Context, headless: bool, mode: str, as_json: bool) -> None:
    """The bundled demo on a fresh copy of the sample repository (scripted model)."""
    from workbench.demo import DEMO_MODEL, demo_task, prepare_demo_repo
    from workbench.engine.config import RunConfig

    repo = prepare_demo_repo()
    config = RunConfig(task=demo_task(), repo=str(repo), model=DEMO_MODEL, auto_approve=headless,
                       mode=mode)
    if not headless:
        from workbench.tui.launch import launch

        launch(_store(ctx), demo=config)
        return
    from workbench.engine.runner import create_pipeline

    pipeline = create_pipeline(_store(ctx), config)
    import asyncio

    _finish(asyncio.run(pipeline.run()), as_json, str(repo))


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def runs(ctx: click.Context, as_json: bool) -> None:
    """List past runs, newest first."""
    from workbench.recovery import mark_dead_runs

    store = _store(ctx)
    mark_dead_runs(store)
    records = store.runs()
    if as_json:
        # Run rows are masked on write; json.dumps escapes control characters.
        click.echo(json.dumps([_run_dict(r) for r in records], indent=2, default=str))
        return
    from agents.figures import format_clock, format_cost, format_tokens, status_label

    for r in records:  # the figures as the run list and the status bar write them
        _echo_stored(f"{r.run_id}  {status_label(r.status):<13} {format_clock(r.duration_s):>7}"
                     f" {format_tokens(r.tokens):>6} tok {format_cost(r.cost):>7}  "
                     f"{r.model}  {r.task[:50]!r}")
    if not records:
        _echo("no runs yet: try `workbench demo`")


@cli.command()
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx: click.Context, run_id: str, as_json: bool) -> None:
    """Show a run and its events in order."""
    store = _store(ctx)
    record = store.find_run(run_id)
    if as_json:
        # Streamed: a page of events in memory at a time; rows written before masking on
        # write are masked as they are read (json.dumps escapes control characters).
        from workbench.store_export import write_run_json

        write_run_json(_run_dict(record), store.iter_payloads(record.run_id),
                       sys.stdout.write)
        return
    _echo(f"run {record.run_id}  {record.status}  {record.reason}")
    _echo_stored(f"task: {record.task.splitlines()[0] if record.task.strip() else ''}")
    from collections.abc import Iterator

    from agents.events import EventBase

    start = [record.started_at]

    def printed() -> Iterator[EventBase]:
        for n, e in enumerate(store.iter_events(record.run_id)):
            if not n:
                start[0] = e.ts
            offset = max(0.0, e.ts - start[0])
            _echo(f"{e.seq:>5} {offset:>8.2f}s {e.kind:<18} {e.role:<12} "
                  + " ".join(e.summary().split()))
            yield e

    from agents.figures import format_usage
    from agents.fold import fold

    state = fold(printed())
    for what, table in (("role", state.usage_by_role), ("model", state.usage_by_model)):
        for name, u in sorted(table.items()):
            if u.model_calls:
                _echo(f"usage by {what} {name}: "
                      + format_usage(u.prompt_tokens, u.completion_tokens, u.cost,
                                     u.model_calls))
    if state.trace is not None:
        _echo(f"trace: {state.trace[0]}")


@cli.command()
@click.argument("run_id")
@click.pass_context
def evidence(ctx: click.Context, run_id: str) -> None:
    """The evidence bundle of a run as JSON: spec, reviews, tests, approvals, usage, commit."""
    from agents.fold import fold
    from workbench.engine.evidence_bundle import build_bundle

    store = _store(ctx)
    record = store.find_run(run_id)
    bundle = build_bundle(fold(store.iter_events(record.run_id)))
    _echo_json(bundle)


@cli.command()
@click.argument("run_id")
@click.option("--reject", is_flag=True, help="Reject instead of approving.")
@click.option("--request-changes", is_flag=True, help="Send the work back with --comment.")
@click.option("--comment", default="", help="A comment recorded with the decision.")
@click.option("--spec", "spec_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An edited spec (YAML or JSON) to approve instead (spec gate only).")
@click.option("--reject-hunk", multiple=True, metavar="FILE#N", help="Leave a hunk out.")
@click.option("--to", "send_to", type=click.Choice(["requirements", "developer", "tester"]),
              default=None, help="Taking over a NEEDS_HUMAN_REVIEW run: the role that goes on "
              "(with --request-changes and --comment).")
@click.option("--allow-command", is_flag=True,
              help="At the command gate: run the blocked command once.")
@click.option("--add-to-allow-list", "remember", is_flag=True,
              help="At the command gate: run it and allow it for this repository from now on.")
@click.option("--approve-high-risk", "high_risk", multiple=True, metavar="PATH",
              help="At a final gate that changes high-risk paths: name each one to approve it.")
@click.pass_context
def approve(ctx: click.Context, run_id: str, reject: bool, request_changes: bool, comment: str,
            spec_file: Path | None, reject_hunk: tuple[str, ...], send_to: str | None,
            allow_command: bool, remember: bool, high_risk: tuple[str, ...]) -> None:
    """Record a decision for a run waiting at a gate, or take over a run that stopped
    NEEDS_HUMAN_REVIEW (--spec, an approval that overrules the review, or --request-changes
    --to ROLE); `workbench resume` continues it."""
    from agents.contracts import Decision, FeatureSpec
    from workbench.engine.approvals import approve_run

    decision = Decision.APPROVE
    if reject:
        decision = Decision.REJECT
    elif request_changes:
        decision = Decision.REQUEST_CHANGES
    spec = None
    if spec_file is not None:
        try:
            import yaml

            spec = FeatureSpec.model_validate(yaml.safe_load(spec_file.read_text()))
        except Exception as exc:
            raise click.ClickException(f"invalid spec in {spec_file}: "
                                       f"{str(exc).splitlines()[0]}") from exc
    approval = approve_run(_store(ctx), run_id, decision, comment, spec, reject_hunk, send_to,
                           allow_command=allow_command, remember=remember, high_risk=high_risk)
    _echo(f"{approval.decision.value} recorded at the {approval.gate} gate of {run_id}")


def main() -> None:
    from agents.log_masking import install_log_masking

    install_log_masking()
    try:
        cli.main(standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted: a started run stays resumable (workbench resume RUN)", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        from workbench.errors import usage_message

        click.echo(f"error: {usage_message(exc)}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        # Imported only on failure: the error types reach into git and the engine.
        from workbench.errors import USER_ERRORS, user_message

        if isinstance(exc, USER_ERRORS):
            click.echo(f"error: {user_message(exc)}", err=True)
            sys.exit(2)
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        click.echo(f"error: {type(exc).__name__}: {user_message(exc)}"
                   " (set WORKBENCH_DEBUG=1 for details)", err=True)
        sys.exit(1)
