"""A test plan may only claim tests that exist in the worktree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agents.contracts import RunStatus, TestPlan
from agents.output import parse_contract
from workbench.engine.claims import missing_tests
from workbench.engine.runner import create_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script


def test_claims_are_checked_against_the_files(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_real():\n    assert True\n")
    plan = TestPlan(new_tests=["tests/test_a.py::test_real", "tests/test_a.py::test_ghost",
                               "tests/test_missing.py::test_x", "test_real", "test_nowhere",
                               "../outside.py::test_x"])
    problems = missing_tests(tmp_path, plan)

    assert len(problems) == 4
    assert "has no test 'test_ghost'" in problems[0]
    assert "'tests/test_missing.py' is not in the worktree" in problems[1]
    assert "'test_nowhere' is not defined in any test file" in problems[2]
    assert "'../outside.py'" in problems[3]


async def test_a_plan_claiming_an_unwritten_test_goes_back_to_the_tester(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    tester = demo_script["roles"]["tester"]
    plan_at = next(i for i, e in enumerate(tester) if "new_tests" in str(e.get("content", "")))
    claimed = parse_contract(tester[plan_at]["content"], TestPlan).model_dump()
    claimed["new_tests"].append("tests/test_low_stock.py::test_never_written")
    tester.insert(plan_at, {"content": json.dumps(claimed)})
    config = config_for(demo_repo, write_script(tmp_path, demo_script), auto_approve=True)
    outcome = await create_pipeline(store, config).run()

    errors = [e.payload() for e in store.events(outcome.run_id)
              if e.kind == "error" and e.payload().get("contract") == "TestPlan"]
    assert len(errors) == 1
    assert "has no test 'test_never_written'" in errors[0]["errors"][0]
    assert outcome.status is RunStatus.APPROVED, outcome.reason
