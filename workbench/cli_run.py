"""`workbench run` and `workbench resume`: a headless run here, or on a worker of a gRPC host
(:mod:`workbench.distributed`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbench.cli import _echo, _finish, _not_a_repo, _read_task, _repo_root, _store

if TYPE_CHECKING:
    from workbench.engine.base import RunOutcome
    from workbench.engine.pipeline import Pipeline


@click.command()
@click.argument("task", nargs=-1)
@click.option("--task-file", default=None, metavar="PATH",
              help="Read the task from a file ('-': stdin) instead of the arguments.")
@click.option("--repo", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("."),
              help="Git repository to change (default: the one holding the current folder).")
@click.option("--model", default=None,
              help="Provider string for every role, e.g. openai:gpt-4o-mini "
                   "(default: models.default in config.yaml, else scripted:demo).")
@click.option("--role-model", multiple=True, metavar="ROLE=SPEC", help="Per-role model.")
@click.option("--base-url", envvar="OPENAI_BASE_URL", default=None,
              help="OpenAI-compatible server URL (default: models.base_url in config.yaml).")
@click.option("--auto-approve", is_flag=True, help="Approve every gate automatically.")
@click.option("--max-turns", type=int, default=None, help="Agent turn budget.")
@click.option("--max-tool-calls", type=int, default=None, help="Tool call budget.")
@click.option("--max-tokens", type=int, default=None, help="Token budget.")
@click.option("--allow-high-risk", is_flag=True,
              help="Let --auto-approve pass a final patch that changes high-risk paths.")
@click.option("--mode", type=click.Choice(["pipeline", "group"]), default="pipeline",
              show_default=True,
              help="pipeline: the roles in a fixed order; group: an AutoGen group chat "
                   "chooses who acts next where more than one role could.")
@click.option("--host", "host_address", default=None, metavar="ADDR",
              help="Send the run to a worker of this gRPC host (`workbench host`).")
@click.option("--worker", "worker_name", default=None, metavar="NAME",
              help="With --host: the worker that drives the run.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def run(ctx: click.Context, task: tuple[str, ...], task_file: str | None, repo: Path,
        model: str | None,
        role_model: tuple[str, ...],
        base_url: str | None, auto_approve: bool, max_turns: int | None,
        max_tool_calls: int | None, max_tokens: int | None, allow_high_risk: bool,
        mode: str, host_address: str | None, worker_name: str | None, as_json: bool) -> None:
    """Run TASK headless on REPO, with the models, budgets and sandbox settings of the
    config file (as the app uses them); flags win over the file. Write the task after
    ``--`` (workbench run -- "TASK") or in a file (--task-file) so it is never read as an
    option."""
    from workbench.config import load_settings
    from workbench.engine.budgets import Budgets
    from workbench.engine.config import RunConfig
    from workbench.engine.routing_plan import first_choices, pins
    from workbench.engine.runner import create_pipeline
    from workbench.models import parse_role_models
    from workbench.models.settings import CallSettings

    if (host_address is None) != (worker_name is None):
        raise click.UsageError("--host and --worker go together")
    task_text = _read_task(task, task_file)
    settings = load_settings()
    if settings.load_error:
        _echo(f"warning: {settings.load_error} (using defaults)", err=True)
    budgets = Budgets(**settings.budgets.model_dump())
    if max_turns is not None:
        budgets.max_turns = max_turns
    if max_tool_calls is not None:
        budgets.max_tool_calls = max_tool_calls
    if max_tokens is not None:
        budgets.max_tokens = max_tokens
    pinned = pins(model, parse_role_models(role_model))
    choices = first_choices(settings.models, pinned)  # config routing; flags win
    root, in_repo = _repo_root(repo)
    config = RunConfig(
        task=task_text, repo=root, model=choices["developer"], role_models=choices,
        model_settings=settings.models.model_dump(mode="json"), pinned_models=pinned,
        base_url=base_url or settings.models.base_url, auto_approve=auto_approve,
        budgets=budgets, timeout_s=settings.sandbox.timeout_s,
        extra_allowed=settings.sandbox.allow_prefixes(),
        calls=CallSettings(**settings.calls.model_dump()),
        high_risk_patterns=list(settings.safety.high_risk_paths), allow_high_risk=allow_high_risk,
        sandbox=settings.sandbox.model_dump(mode="json"),
        mcp=[server.model_dump(mode="json") for server in settings.mcp], mode=mode,
    )
    from workbench.gitops import GitError

    try:
        pipeline = create_pipeline(_store(ctx), config)
    except GitError:
        if in_repo:
            raise
        raise _not_a_repo(root) from None
    import asyncio

    if host_address is not None and worker_name is not None:
        _finish(_on_worker(pipeline, host_address, worker_name), as_json, config.repo)
    _finish(asyncio.run(pipeline.run()), as_json, config.repo)


def _on_worker(pipeline: Pipeline, host_address: str, worker_name: str) -> RunOutcome:
    """The run, created or opened for a resume here, driven by a worker of the host; its
    outcome as the store has it once the worker reports."""
    import asyncio

    from workbench.distributed import RunAssignment, dispatch, first_line
    from workbench.engine.pipeline import Pipeline

    assignment = RunAssignment(pipeline.run_id, str(pipeline.store.path),
                               pipeline.config.auto_approve)
    try:
        report = asyncio.run(dispatch(host_address, [(assignment, worker_name)]))[0]
    except Exception as exc:  # gRPC and runtime errors: the run is created, not lost
        raise click.ClickException(
            f"worker {worker_name} at {host_address} did not take run {pipeline.run_id}: "
            f"{first_line(exc)}; it stays resumable here "
            f"(workbench resume {pipeline.run_id})") from None
    outcome = Pipeline(pipeline.store, pipeline.run_id, pipeline.config,
                       pipeline.control)._outcome()
    if outcome.status.value != report.status:  # the worker could not drive it
        raise click.ClickException(f"worker {worker_name}: {report.reason}")
    return outcome


@click.command()
@click.argument("run_id")
@click.option("--auto-approve", is_flag=True, help="Approve later gates automatically.")
@click.option("--base-url", default=None, metavar="URL",
              help="The model server's URL, where it moved or held a password (never stored).")
@click.option("--host", "host_address", default=None, metavar="ADDR",
              help="Hand the run to a worker of this gRPC host (`workbench host`).")
@click.option("--worker", "worker_name", default=None, metavar="NAME",
              help="With --host: the worker that drives the run on.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def resume(ctx: click.Context, run_id: str, auto_approve: bool, base_url: str | None,
           host_address: str | None, worker_name: str | None, as_json: bool) -> None:
    """Continue a run from its last checkpoint (after a gate decision or a crash), here or
    on a worker."""
    from workbench.engine.runner import open_pipeline

    if (host_address is None) != (worker_name is None):
        raise click.UsageError("--host and --worker go together")
    store = _store(ctx)
    pipeline = open_pipeline(store, run_id, auto_approve=auto_approve or None,
                             base_url=base_url)
    if host_address is not None and worker_name is not None:
        _finish(_on_worker(pipeline, host_address, worker_name), as_json, pipeline.config.repo)
        return
    import asyncio

    _finish(asyncio.run(pipeline.run()), as_json, pipeline.config.repo)
