"""Workbench themes and the app-wide stylesheet (package data)."""

from __future__ import annotations

from pathlib import Path

from themes.palette import (
    DARK_THEME,
    DARK_VARIABLES,
    LIGHT_THEME,
    LIGHT_VARIABLES,
    THEMES,
    WORKBENCH_DARK,
    WORKBENCH_LIGHT,
    toggled_theme_name,
    variable_defaults,
)

APP_CSS_PATH: Path = Path(__file__).with_name("app.tcss")
"""The app-wide stylesheet; screens keep their own ``.tcss`` beside them."""

__all__ = [
    "APP_CSS_PATH",
    "DARK_THEME",
    "DARK_VARIABLES",
    "LIGHT_THEME",
    "LIGHT_VARIABLES",
    "THEMES",
    "WORKBENCH_DARK",
    "WORKBENCH_LIGHT",
    "toggled_theme_name",
    "variable_defaults",
]
