"""Workbench colour themes.

Besides Textual's base colours each theme defines role-named variables, usable in any ``.tcss``
as ``$name``:

``role-requirements`` ``role-developer`` ``role-reviewer`` ``role-tester`` ``role-human``
``role-system``     text colour for each agent role (badges, transcript headers)
``scripted``          warning colour for the label on runs driven by a scripted/replayed model
``diff-added`` ``diff-removed`` ``diff-hunk``                    diff text colours
``diff-added-background`` ``diff-removed-background``            diff line backgrounds
``status-running`` ``status-waiting`` ``status-approved`` ``status-review``
``status-rejected`` ``status-failed`` ``status-blocked`` ``status-interrupted``   run status colours

Any Textual theme (``textual-dark``, ``nord``...) can be used too: :func:`variable_defaults`
supplies these variables when a theme lacks them.
"""

from __future__ import annotations

from textual.theme import Theme

DARK_VARIABLES: dict[str, str] = {
    "role-requirements": "#c792ea",
    "role-developer": "#5fa8ff",
    "role-reviewer": "#f5a742",
    "role-tester": "#5cc98a",
    "role-human": "#e6e6e6",
    "role-system": "#8a93a3",
    "scripted": "#ffb454",
    "diff-added": "#7ee2a0",
    "diff-removed": "#ff8b94",
    "diff-hunk": "#7aa2f7",
    "diff-added-background": "#1f3b2a",
    "diff-removed-background": "#4a2129",
    "status-running": "#5fa8ff",
    "status-waiting": "#ffb454",
    "status-approved": "#5cc98a",
    "status-review": "#e5c07b",
    "status-rejected": "#c792ea",
    "status-failed": "#f0616d",
    "status-blocked": "#ff7a45",
    "status-interrupted": "#a0a8b8",
}

LIGHT_VARIABLES: dict[str, str] = {
    "role-requirements": "#8250df",
    "role-developer": "#0969da",
    "role-reviewer": "#bc4c00",
    "role-tester": "#1a7f37",
    "role-human": "#24292f",
    "role-system": "#57606a",
    "scripted": "#9a6700",
    "diff-added": "#116329",
    "diff-removed": "#a40e26",
    "diff-hunk": "#0550ae",
    "diff-added-background": "#dafbe1",
    "diff-removed-background": "#ffebe9",
    "status-running": "#0969da",
    "status-waiting": "#9a6700",
    "status-approved": "#1a7f37",
    "status-review": "#7d4e00",
    "status-rejected": "#8250df",
    "status-failed": "#cf222e",
    "status-blocked": "#bc4c00",
    "status-interrupted": "#6e7781",
}

WORKBENCH_DARK = Theme(
    name="workbench-dark",
    primary="#5fa8ff",
    secondary="#8f7cf6",
    accent="#f5a742",
    warning="#e5b547",
    error="#f0616d",
    success="#5cc98a",
    foreground="#d7dae0",
    background="#16181d",
    surface="#1e2128",
    panel="#262a33",
    dark=True,
    variables=dict(DARK_VARIABLES),
)

WORKBENCH_LIGHT = Theme(
    name="workbench-light",
    primary="#0a63c9",
    secondary="#6e40c9",
    accent="#b35900",
    warning="#9a6700",
    error="#cf222e",
    success="#1a7f37",
    foreground="#24292f",
    background="#f7f7f5",
    surface="#ffffff",
    panel="#e8e7e3",
    dark=False,
    variables=dict(LIGHT_VARIABLES),
)

THEMES: dict[str, Theme] = {theme.name: theme for theme in (WORKBENCH_DARK, WORKBENCH_LIGHT)}
"""The Workbench themes by name."""

DARK_THEME = WORKBENCH_DARK.name
LIGHT_THEME = WORKBENCH_LIGHT.name


def variable_defaults(dark: bool) -> dict[str, str]:
    """The role variables for a theme that does not define them (use from
    ``App.get_theme_variable_defaults`` so every theme can render Workbench widgets)."""
    return dict(DARK_VARIABLES if dark else LIGHT_VARIABLES)


def toggled_theme_name(dark: bool) -> str:
    """The Workbench theme to switch to from a dark (or light) one."""
    return LIGHT_THEME if dark else DARK_THEME
