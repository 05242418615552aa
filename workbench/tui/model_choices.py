"""What the new-run form's model picker offers: the models the config names, and the demo.

Pure data from :class:`~workbench.config.ModelSettings`, no Textual, so it is cheap to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.config import ModelSettings

DEMO_CHOICE = "scripted:demo"
ROLE_ORDER = ("requirements", "developer", "reviewer", "tester")


@dataclass(frozen=True)
class ModelChoice:
    """One entry: ``value`` is what the form submits (a named model or a provider string)."""

    value: str
    label: str


def _spec(choice: str, settings: ModelSettings) -> str:
    named = settings.models.get(choice.strip())
    return named.spec_text if named is not None else choice.strip()


def _describe(choice: str, settings: ModelSettings) -> str:
    spec = _spec(choice, settings)
    return spec if spec == choice else f"{choice} = {spec}"


def model_choices(settings: ModelSettings) -> list[ModelChoice]:
    """Default first (picking it keeps the per-role models and routing of the config), then
    each role's model, the named models and the scripted demo; a value several sources name
    appears once, with every source in its label."""
    notes: dict[str, list[str]] = {}

    def add(value: str, note: str) -> None:
        if value.strip():
            notes.setdefault(value.strip(), []).append(note)

    add(settings.default, "default (config routing)")
    roles = sorted(settings.roles, key=lambda r: (ROLE_ORDER + (r,)).index(r))
    for role in roles:
        add(settings.roles[role], f"{role} in config")
    for name in settings.models:
        add(name, "named model")
    add(DEMO_CHOICE, "demo, no model calls")
    return [ModelChoice(value, f"{_describe(value, settings)} · {', '.join(found)}")
            for value, found in notes.items()]
