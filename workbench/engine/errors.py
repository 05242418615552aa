"""The engine's user-facing error, in a module light enough for every command to import."""

from __future__ import annotations


class EngineError(RuntimeError):
    """A user-facing problem with a run request (one line)."""
