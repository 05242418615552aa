"""Small pure helpers for the run screen's panes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def changed_functions_by_file(
    changes: Iterable[Mapping[str, object]],
) -> dict[str, list[tuple[str, str]]]:
    """``[{path, qualified_name, change}, ...]`` -> ``{path: [(name, change), ...]}``."""
    result: dict[str, list[tuple[str, str]]] = {}
    for change in changes:
        path = str(change.get("path", ""))
        result.setdefault(path, []).append(
            (str(change.get("qualified_name", "")), str(change.get("change", "")))
        )
    return result
