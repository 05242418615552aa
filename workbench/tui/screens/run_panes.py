"""Small pure helpers for the run screen's panes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from agents.run_state import RunState


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


def focus_pane(view: RunState) -> str:
    """The pane the phase is about: the spec while it is written and at its gate, the diff
    once there is one (review, tests, the final gate), the conversation before either."""
    if view.pending_approval == "spec":
        return "spec"
    if view.shown_diff is not None:
        return "diff"
    return "spec" if view.spec_lazy is not None else "conversation"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def pane_titles(view: RunState, files: int, hunks: int, rejected: int) -> dict[str, str]:
    """Each pane's border title, with its key and what it holds now."""
    spec = view.spec
    spec_note = spec.feature_id if spec is not None else "not written yet"
    if view.pending_approval == "spec":
        spec_note += " · waiting for you"
    diff_note = (f"{_plural(files, 'file')}, {_plural(hunks, 'hunk')}" if files
                 else "no changes yet")
    if rejected:
        diff_note += f", {rejected} rejected"
    result = view.test_result
    tests_note = (f"{result.passed} passed, {result.failed + result.errors} failed"
                  if result is not None else "not run yet")
    return {"conversation": f"1 Conversation · {_plural(len(view.items), 'item')}",
            "spec": f"2 Spec · {spec_note}",
            "diff": f"3 Diff · {diff_note}",
            "tests": f"4 Tests · {tests_note}"}
