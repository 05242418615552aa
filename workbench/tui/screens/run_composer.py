"""What the composer's slash commands show, and the paths its ``@`` completion offers."""

from __future__ import annotations

from functools import lru_cache

from agents.figures import format_usage, role_model
from agents.run_state import RunState, Usage
from widgets.composer import COMMANDS

MAX_PATHS = 20_000


def _usage(usage: Usage) -> str:
    return format_usage(usage.prompt_tokens, usage.completion_tokens, usage.cost,
                        usage.model_calls)


def cost_report(view: RunState) -> str:
    """Tokens and cost per role and per model, then the run's total."""
    lines = [f"{role}: {_usage(u)}" for role, u in sorted(view.usage_by_role.items())]
    lines += [f"{model}: {_usage(u)}" for model, u in sorted(view.usage_by_model.items())]
    lines.append(f"run: {_usage(view.usage)}")
    return "\n".join(lines)


def model_report(view: RunState) -> str:
    roles = ("requirements", "developer", "reviewer", "tester")
    label = " (scripted)" if view.scripted else ""
    return "\n".join(f"{role}: {role_model(view.models, view.model, role)}{label}"
                     for role in roles)


def help_text() -> str:
    return "\n".join(["text: steer the next turn", "@role text: steer that role's next turn",
                      *(f"{name}: {what}" for name, what in COMMANDS.items())])


@lru_cache(maxsize=8)
def repo_paths(repo: str, commit: str) -> tuple[str, ...]:
    """The files of ``repo`` at ``commit`` (the run's base), sorted; empty if unreadable.
    Read from git objects, never from a worktree an engine is writing to."""
    import pygit2

    try:
        repository = pygit2.Repository(repo)
        tree = repository.revparse_single(commit or "HEAD").peel(pygit2.Tree)
    except (pygit2.GitError, KeyError, ValueError):
        return ()
    found: list[str] = []
    stack: list[tuple[str, pygit2.Tree]] = [("", tree)]
    while stack and len(found) < MAX_PATHS:
        prefix, current = stack.pop()
        for entry in current:
            name = f"{prefix}{entry.name}"
            if entry.type_str == "tree":
                stack.append((f"{name}/", repository[entry.id].peel(pygit2.Tree)))
            elif entry.type_str == "blob":
                found.append(name)
    return tuple(sorted(found))
