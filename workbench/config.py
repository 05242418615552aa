"""User settings: defaults, then the YAML config file, then ``WORKBENCH_*`` environment variables.

Nested fields are reached from the environment with a double underscore, for example
``WORKBENCH_UI__THEME=workbench-light`` or ``WORKBENCH_BUDGETS__MAX_TURNS=10``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from workbench.paths import atomic_write_text, config_path

if TYPE_CHECKING:
    from workbench.config_models import BudgetSettings as BudgetSettings
    from workbench.config_models import CallSection as CallSection
    from workbench.config_models import ModelSettings as ModelSettings
    from workbench.config_models import NamedModel as NamedModel
    from workbench.config_models import SafetySettings as SafetySettings
    from workbench.config_models import SandboxSettings as SandboxSettings
    from workbench.config_models import TracingSettings as TracingSettings
    from workbench.config_models import UiSettings as UiSettings
    from workbench.config_models import WorkbenchSettings as WorkbenchSettings

# The settings models (pydantic) live in workbench.config_models and are imported when a name
# of theirs is first asked for here, or settings are validated: a start with no config file
# and no WORKBENCH_* setting reaches its first frame without pydantic.
_MODELS = frozenset({
    "BudgetSettings", "CallSection", "ModelSettings", "NamedModel", "SafetySettings",
    "SandboxSettings", "TracingSettings", "UiSettings", "WorkbenchSettings",
})

DEFAULT_THEME = "workbench-dark"
ENV_PREFIX = "WORKBENCH_"
ENV_NESTED_DELIMITER = "__"
SECTIONS = ("ui", "models", "budgets", "sandbox", "calls", "safety", "tracing", "mcp")
"""The top-level sections of the settings: the fields of ``WorkbenchSettings``."""


def __getattr__(name: str) -> Any:
    if name in _MODELS:
        import workbench.config_models as models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def environment_sets_a_field() -> bool:
    """Whether some ``WORKBENCH_*`` variable names a settings field (case-insensitive), e.g.
    ``WORKBENCH_UI__THEME``. Others (``WORKBENCH_DB``, ``WORKBENCH_CONFIG``...) are not settings."""
    prefixes = tuple(f"{ENV_PREFIX}{name}".lower() for name in SECTIONS)
    for key in os.environ:
        lowered = key.lower()
        for prefix in prefixes:
            if lowered == prefix or lowered.startswith(prefix + ENV_NESTED_DELIMITER):
                return True
    return False


class _DefaultSettings:
    """The default settings (no config file, no ``WORKBENCH_*`` setting) before they are used.

    A first frame reads only ``load_error`` and ``ui.theme``: both are answered here. Anything
    else (another field, a method such as ``model_dump``, an assignment) builds the settings
    model, equal to ``WorkbenchSettings()``, once, and is answered by it from then on.
    """

    __slots__ = ("_built",)

    def __init__(self) -> None:
        object.__setattr__(self, "_built", None)

    def _settings(self) -> WorkbenchSettings:
        built: WorkbenchSettings | None = object.__getattribute__(self, "_built")
        if built is None:
            from workbench.config_models import default_settings

            built = default_settings()
            object.__setattr__(self, "_built", built)
        return built

    def _is_built(self) -> bool:
        return object.__getattribute__(self, "_built") is not None

    def __getattr__(self, name: str) -> Any:
        if not self._is_built():
            if name == "load_error":
                return None
            if name == "ui":
                return _DefaultUi(self)
        return getattr(self._settings(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._settings(), name, value)

    def __eq__(self, other: object) -> bool:
        return self._settings() == (other._settings() if isinstance(other, _DefaultSettings)
                                    else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._settings())


class _DefaultUi:
    """``ui`` of :class:`_DefaultSettings`: the theme without building anything."""

    __slots__ = ("_owner",)

    def __init__(self, owner: _DefaultSettings) -> None:
        object.__setattr__(self, "_owner", owner)

    def _section(self) -> UiSettings:
        owner: _DefaultSettings = object.__getattribute__(self, "_owner")
        return owner._settings().ui

    def __getattr__(self, name: str) -> Any:
        owner: _DefaultSettings = object.__getattribute__(self, "_owner")
        if name == "theme" and not owner._is_built():
            return DEFAULT_THEME
        return getattr(self._section(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._section(), name, value)

    def __eq__(self, other: object) -> bool:
        return self._section() == (other._section() if isinstance(other, _DefaultUi) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._section())


class _FileError(Exception):
    """The config file could not be used; the message is one line."""


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _FileError(f"cannot read: {exc}") from exc
    import yaml  # deferred: only needed when a config file exists

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _FileError(f"not valid YAML{where}: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _FileError("expected a mapping of sections at the top level")
    unknown = sorted(str(key) for key in data if key not in SECTIONS)
    if unknown:
        raise _FileError(f"unknown section {unknown[0]!r}")
    return data


def load_settings(path: Path | None = None) -> WorkbenchSettings:
    """Settings from ``path`` (default: :func:`workbench.paths.config_path`) and the environment.

    A missing file means defaults. A file that is not valid YAML or does not validate is ignored:
    defaults are used and ``settings.load_error`` holds a one-line explanation.
    """
    path = path or config_path()
    if not path.is_file() and not environment_sets_a_field():
        return cast("WorkbenchSettings", _DefaultSettings())
    from pydantic import ValidationError

    from workbench.config_models import build_settings, one_line_error

    data: dict[str, Any] = {}
    error: str | None = None
    if path.is_file():
        try:
            data = _read_file(path)
        except _FileError as exc:
            error = f"{path}: {exc}"
    try:
        settings = build_settings(data)
    except ValidationError as exc:
        error = f"{path}: {one_line_error(exc)}"
        settings = build_settings({})
    settings._load_error = error
    return settings


def settings_to_yaml(settings: WorkbenchSettings) -> str:
    """The YAML text :func:`save_settings` writes."""
    data = settings.model_dump(mode="json")
    import yaml

    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def save_settings(settings: WorkbenchSettings, path: Path | None = None) -> Path:
    """Write ``settings`` to ``path`` (default: the config file) atomically; return the path."""
    path = path or config_path()
    atomic_write_text(path, settings_to_yaml(settings))
    return path
