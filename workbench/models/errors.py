"""Errors of the model layer; every message is one line meant for the user."""

from __future__ import annotations


class ModelSpecError(ValueError):
    """A model spec, role mapping or script the user gave cannot be used."""


class ScriptError(ModelSpecError):
    """A scripted-model file is missing or malformed."""


class ScriptExhausted(RuntimeError):
    """A scripted model was asked for more responses than its script holds."""

    def __init__(self, role: str, number: int) -> None:
        super().__init__(f"scripted model for role {role} has no response #{number} left")
        self.role = role
        self.number = number


class ProviderUnavailable(RuntimeError):
    """A model call failed on every attempt, or the provider refused it: the turn ends and
    the run waits for ``resume`` (``kind``: ``unavailable`` or ``refused``)."""

    def __init__(self, message: str, kind: str = "unavailable") -> None:
        super().__init__(message)
        self.kind = kind
