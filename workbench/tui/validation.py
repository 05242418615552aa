"""Checks for the new-run form (plain functions, no Textual: the CLI can use them too).

Each returns ``None`` when the value is fine, otherwise a one-line message for the user.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ModelValidator = Callable[[str], str | None]

MODEL_PROVIDERS: tuple[str, ...] = (
    "scripted",
    "openai",
    "azure",
    "anthropic",
    "ollama",
    "gemini",
    "replay",
)


def check_task(text: str) -> str | None:
    if not text.strip():
        return "Describe the change you want."
    return None


def check_repo(text: str) -> str | None:
    """The path must be the top level of a git working tree."""
    import pygit2  # deferred: only a submitted form needs it, not start-up

    raw = text.strip()
    if not raw:
        return "Enter the path of a git repository."
    try:
        path = Path(raw).expanduser()
        if not path.exists():
            return f"No such directory: {raw}"
        if not path.is_dir():
            return f"Not a directory: {raw}"
        if (path / ".git").exists():
            return None
        found = pygit2.discover_repository(str(path))
    except (OSError, ValueError, pygit2.GitError) as exc:
        return f"Cannot read {raw}: {exc}"
    if found:
        root = Path(found)
        top = root.parent if root.name == ".git" else root
        return f"Inside a git repository; use its top level: {top}"
    return f"Not a git repository: {raw}"


def check_model(text: str) -> str | None:
    """A ``PROVIDER:NAME`` spec with a known provider."""
    raw = text.strip()
    provider, sep, name = raw.partition(":")
    known = ", ".join(f"{p}:" for p in MODEL_PROVIDERS)
    if not sep or provider.lower() not in MODEL_PROVIDERS:
        return f"Use PROVIDER:MODEL with one of {known}"
    if not name.strip():
        return f"Missing the model name after {provider}:"
    return None
