"""Which model each role of a run talks to: the config's routing rule, applied when a run is
created (for the roles' first choice) and again when an agent is built (when the approved
spec's risk, or a security or architecture review, sends the work to the strong model).

The config's model section is stored on the run, so resume and fork route the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents.contracts import AGENT_ROLES, FeatureSpec, Role
from workbench.config import ModelSettings
from workbench.models.registry import ModelSpec
from workbench.models.routing import resolve, route

_SECURITY_WORDS = ("security", "auth", "password", "secret", "token", "crypt", "permission",
                   "injection", "xss", "csrf")


def pins(model: str | None, role_models: Mapping[str, str]) -> dict[str, str]:
    """The models the user pinned with flags: ``*`` for --model, role names for --role-model."""
    return {**dict(role_models), **({"*": model} if model else {})}


def _route(role: Role, spec: FeatureSpec | None, settings: ModelSettings,
           pinned: Mapping[str, str]) -> str:
    roles = {k: v for k, v in pinned.items() if k != "*"}
    return route(role.value, spec.risk_level if spec else None, purpose_for(role, spec),
                 settings, run_model=pinned.get("*"), run_roles=roles)


def first_choices(settings: ModelSettings, pinned: Mapping[str, str]) -> dict[str, str]:
    """Each role's model before a spec exists (standard work, no risk known)."""
    return {role.value: _route(role, None, settings, pinned) for role in AGENT_ROLES}


def purpose_for(role: Role, spec: FeatureSpec | None) -> str:
    if role is not Role.REVIEWER or spec is None:
        return "work"
    text = " ".join([spec.summary, *spec.risks, *spec.affected_components,
                     *spec.technical_constraints]).lower()
    if any(word in text for word in _SECURITY_WORDS):
        return "security_review"
    return "architecture_review" if "architecture" in text else "work"


def choose(role: Role, spec: FeatureSpec | None, stored: Mapping[str, Any],
           pinned: Mapping[str, str], db: str | None = None,
           base_url: str | None = None) -> ModelSpec:
    """The model ``role`` gets now, under the run's stored model settings (``base_url``:
    the run's own, e.g. from --base-url, for openai: models without one)."""
    settings = ModelSettings.model_validate(dict(stored))
    if base_url:
        settings = settings.model_copy(update={"base_url": base_url})
    return resolve(_route(role, spec, settings, pinned), settings, db=db)
