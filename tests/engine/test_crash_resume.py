"""A run killed with SIGKILL at any point and then resumed ends exactly as an uninterrupted
run: same status, same tree on the run branch, the same evidence (spec, reviews, tests,
approvals), one commit, one ``run_finished``, a sound store, the user's repository untouched
and nothing left of the sandbox.

Real processes throughout (``python -m workbench run`` / ``resume``); the kill points are
taken from the events of a reference run of the same demo. ``tests/benchmarks/kill_resume.py``
does the same at many random points.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from ..crash_harness import (
    Drive,
    KillPoint,
    Reference,
    Scenario,
    check,
    describe,
    drive,
    reference,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="needs /proc, process groups and SIGSTOP")

# An exact window is hit by stepping the engine; on a loaded machine a step can overshoot
# a short window, so an attempt that misses it is made again (nothing is resumed then).
WINDOW_TRIES = 4


@pytest.fixture(scope="module")
def ref(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    return reference(tmp_path_factory.mktemp("reference"))


def _first_turn_end_before_patch(r: Reference) -> int:
    """The developer's agent message that ends the first development turn: the step records
    its patch artifact right after it."""
    patch = r.seq_of("artifact", role="developer", type="patch")
    return max(e.seq for e in r.events
               if e.kind == "agent_message" and e.role == "developer" and e.seq < patch)


# Each point names an event of the reference run; the engine is killed as soon as the store
# holds it (during tests: once the sandboxed test command has started, too; exact: while it
# is the last event, or a git lock file is held meanwhile). A second point kills the resume.
POINTS: dict[str, Callable[[Reference], list[KillPoint]]] = {
    "after_run_started": lambda r: [KillPoint(seq=r.seq_of("run_started"))],
    "developer_patch_applied": lambda r: [KillPoint(
        seq=r.seq_of("tool_call", role="developer", name="propose_patch"))],
    "during_test_run": lambda r: [KillPoint(
        seq=r.seq_of("artifact", type="test_plan"), sandbox=True)],
    "after_final_approval": lambda r: [KillPoint(seq=r.seq_of("approval_given", gate="final"))],
    "developer_turn_ended_before_its_patch": lambda r: [KillPoint(
        seq=_first_turn_end_before_patch(r), exact=True)],
    "commit_holding_the_index_lock": lambda r: [KillPoint(
        seq=r.seq_of("phase_changed", phase="commit"), exact=True, git_lock=True)],
    # Mid-turn: the patch is on disk and its live diff recorded, the turn's end is not (the
    # tool result itself waits for that record's transaction).
    "mid_turn_then_resume_killed_after_review": lambda r: [
        KillPoint(seq=r.seq_of("artifact", role="developer", type="worktree_diff"),
                  exact=True),
        KillPoint(event="artifact:review")],
}


def _drive(points: list[KillPoint], root: Path) -> tuple[Scenario, Drive]:
    if not any(p.exact or p.git_lock for p in points):
        sc = Scenario.create(root / "scenario")
        return sc, drive(sc, points)
    for n in range(WINDOW_TRIES):
        sc = Scenario.create(root / f"scenario-{n}")
        d = drive(sc, points, stop_on_miss=True)
        if all(k.hit for k in d.kills):
            return sc, d
    pytest.skip(f"the engine could not be stopped inside {points[0]} in {WINDOW_TRIES} tries")


def _require(condition: object, message: str) -> None:
    """A precondition of the scenario: a failure here is the harness's, never an xfail."""
    if not condition:
        pytest.fail(message)


@pytest.mark.parametrize("where", list(POINTS))
def test_killed_run_resumes_to_the_reference_outcome(
    where: str, ref: Reference, tmp_path: Path
) -> None:
    points = POINTS[where](ref)
    sc, d = _drive(points, tmp_path)
    _require(len(d.kills) == len(points), f"the run ended before {d.missed and d.missed[0]}")
    for point, kill in zip(points, d.kills, strict=True):
        _require(not kill.before_row, f"{point}: killed before the run row existed")
        _require(kill.left or not point.sandbox,
                 "the kill left nothing of the sandbox behind to clean up")
        _require(kill.locks or not point.git_lock, "the kill left no git lock file behind")
    _require(d.last.command == "resume", "the run was not ended by a resume")
    checks = check(sc, ref, d)
    assert all(c.ok for c in checks), describe(sc, d, checks)
