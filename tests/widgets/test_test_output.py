"""TestOutputView: counts, failed tests, failure slice, and the full log on demand."""

from __future__ import annotations

from textual.widgets import Log

from agents.contracts import TestResult
from tests.widgets.apps import TestOutputApp
from widgets.samples import SAMPLE_TEST_RESULT
from widgets.test_output import TestOutputView


def _summary(view: TestOutputView) -> str:
    return str(view.query_one("#tests-summary").render())


def _log(view: TestOutputView) -> list[str]:
    return list(view.query_one(Log).lines)


async def test_counts_failed_tests_and_slice_are_shown() -> None:
    app = TestOutputApp()
    async with app.run_test(size=(100, 24)):
        view = app.query_one(TestOutputView)
        summary = _summary(view)
        for fact in ("FAILED", "11 passed", "2 failed", "0 errors", "1 skipped", "exit 1",
                     "1.84 s", "python -m pytest -q"):
            assert fact in summary
        failed = str(view.query_one("#tests-failed").render())
        assert "✗ tests/test_low_stock.py::test_orders_by_quantity" in failed
        assert any(line.startswith("E       AssertionError") for line in _log(view))


async def test_l_asks_for_the_full_log_once_and_shows_it() -> None:
    app = TestOutputApp()
    async with app.run_test(size=(100, 24)) as pilot:
        view = app.query_one(TestOutputView)
        await pilot.press("l")
        await pilot.pause()
        requests = [m for m in app.messages if isinstance(m, TestOutputView.FullLogRequested)]
        assert [m.artifact_id for m in requests] == [17]
        assert _log(view)[-1] == "2 failed, 11 passed, 1 skipped in 1.84s"
        assert "Full log" in str(view.query_one("#tests-log-title").render())
        await pilot.press("l")
        assert _log(view)[0].strip().startswith("def test_orders_by_quantity")
        await pilot.press("l")
        assert len(app.messages) == 1  # the log is kept, not requested again


async def test_full_log_shows_loading_until_supplied() -> None:
    app = TestOutputApp(supply_log=False)
    async with app.run_test(size=(100, 24)) as pilot:
        view = app.query_one(TestOutputView)
        await pilot.press("l")
        assert _log(view) == ["loading the full log…"]
        view.set_full_log("line one\nline two")
        assert _log(view) == ["line one", "line two"]


async def test_a_new_result_replaces_the_old_and_none_clears() -> None:
    app = TestOutputApp(None)
    async with app.run_test(size=(100, 24)):
        view = app.query_one(TestOutputView)
        assert "No test run yet." in _summary(view)
        passed = TestResult(status="passed", exit_code=0, passed=13)
        view.show_result(passed)
        assert "PASSED" in _summary(view) and "13 passed" in _summary(view)
        assert not view.query_one("#tests-failed").display
        view.show_result(SAMPLE_TEST_RESULT)
        assert "2 failed" in _summary(view)
        view.show_result(None)
        assert "No test run yet." in _summary(view)
