"""`workbench changes`: which functions a change added, deleted or modified."""

from __future__ import annotations

import json
import os

import click
import pygit2

from analysis import AnalysisError, FunctionChange, analyse_revisions

_COLUMNS = ("CHANGE", "KIND", "LANGUAGE", "NAME", "LOCATION")


def _lines(start: int | None, end: int | None) -> str:
    return "" if start is None else f"{start}-{end}"


def _location(change: FunctionChange) -> str:
    moved = f" from {change.old_path}" if change.old_path else ""
    if change.change == "deleted":
        return f"{change.path} (was{moved} {_lines(change.old_start, change.old_end)})"
    where = f"{change.path}:{_lines(change.new_start, change.new_end)}"
    old_lines = (change.old_start, change.old_end)
    if change.change == "modified" and (moved or old_lines != (change.new_start, change.new_end)):
        where += f" (was{moved} {_lines(*old_lines)})"
    return where


def format_table(found: list[FunctionChange]) -> str:
    """A plain-text table, one changed definition a row, and a closing count."""
    if not found:
        return "No changed functions."
    rows = [
        (c.change, c.kind, c.language, c.qualified_name + (" *" if c.parse_error else ""),
         _location(c))
        for c in found
    ]
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  "
        + row[-1]
        for row in [_COLUMNS, *rows]
    ]
    files = len({c.path for c in found})
    summary = f"{len(found)} changed function{'s' if len(found) != 1 else ''} in {files} file"
    summary += "s" if files != 1 else ""
    if any(c.parse_error for c in found):
        summary += " (* in a file with parse errors: names are what tree-sitter recovered)"
    return "\n".join([*lines, "", summary])


@click.command("changes")
@click.option(
    "--repo",
    "repo_path",
    default=".",
    show_default=True,
    help="A directory inside the git repository to analyse.",
)
@click.option("--base", default="HEAD", show_default=True, help="The revision to compare from.")
@click.option("--head", default=None, help="The revision to compare to (default: working tree).")
@click.option(
    "--worktree",
    is_flag=True,
    help="Compare the working tree (untracked files included) with --base.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def changes(
    repo_path: str, base: str, head: str | None, worktree: bool, as_json: bool
) -> None:
    """List the functions, methods and accessors added, deleted or modified between two
    revisions, or between a revision and the working tree.

    Python, C#, TypeScript and JavaScript files are analysed; other files are skipped.
    """
    if head is not None and worktree:
        raise click.UsageError("use either --head or --worktree, not both")
    try:
        report = analyse_revisions(
            os.path.expanduser(repo_path), base, head, worktree=head is None
        )
    except AnalysisError as error:
        raise click.ClickException(str(error)) from None
    except (pygit2.GitError, OSError) as error:
        raise click.ClickException(f"cannot read the repository: {error}") from None
    for note in report.notes:
        click.echo(f"note: {note.path}: {note.message}", err=True)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in report.changes], indent=2))
    else:
        click.echo(format_table(report.changes))
