"""Failure slices from real runner output (pytest, node --test, JUnit XML) and recorded
jest, vitest and dotnet logs: counts, failed ids, and bounded slices with the evidence."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import failure_slices, parse_junit_xml

PY_TESTS = '''
import pytest

def add(a, b):
    return a - b

def test_ok():
    assert 1 + 1 == 2

def test_add():
    assert add(2, 2) == 4

def test_raises():
    raise KeyError("sku-17")

@pytest.mark.skip(reason="later")
def test_skipped():
    pass
'''


def _run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=120)
    return proc.stdout + proc.stderr


@pytest.fixture
def py_project(tmp_path: Path) -> Path:
    (tmp_path / "test_math.py").write_text(PY_TESTS)
    return tmp_path


def test_real_pytest_output(py_project: Path) -> None:
    out = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], py_project)
    parsed = failure_slices(out)
    assert (parsed.tool, parsed.passed, parsed.failed, parsed.skipped) == ("pytest", 1, 2, 1)
    assert parsed.failed_tests == ["test_math.py::test_add", "test_math.py::test_raises"]
    add, raises = parsed.failures
    assert "assert -0 == 4" in add.slice or "assert 0 == 4" in add.slice
    assert "test_math.py:11" in add.slice
    assert "KeyError" in raises.slice and "sku-17" in raises.slice


def test_slices_are_bounded(py_project: Path) -> None:
    body = "\n".join(f"    assert {i} == {i}" for i in range(400))
    (py_project / "test_long.py").write_text(
        f"def test_long():\n{body}\n    assert 'x' * 5000 == 'y'\n")
    out = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_long.py"],
               py_project)
    parsed = failure_slices(out)
    assert parsed.failed_tests == ["test_long.py::test_long"]
    assert len(parsed.failures[0].slice) <= 3000
    assert len(parsed.failures[0].slice.splitlines()) <= 40
    assert len(out) > 3 * len(parsed.failures[0].slice)


def test_real_junit_xml(py_project: Path) -> None:
    _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
          "--junitxml=report.xml"], py_project)
    parsed = parse_junit_xml((py_project / "report.xml").read_text())
    assert (parsed.passed, parsed.failed, parsed.skipped) == (1, 2, 1)
    assert parsed.failed_tests == ["test_math::test_add", "test_math::test_raises"]
    assert "KeyError" in parsed.failures[1].slice
    assert failure_slices((py_project / "report.xml").read_text()).tool == "junit"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_real_node_test_output(tmp_path: Path) -> None:
    (tmp_path / "stock.test.mjs").write_text(
        "import test from 'node:test';\nimport assert from 'node:assert/strict';\n"
        "test('adds', () => { assert.equal(1 + 1, 2); });\n"
        "test('low stock sorted', () => { assert.deepEqual([3, 1], [1, 3]); });\n")
    out = _run(["node", "--test", "--test-reporter=tap", "stock.test.mjs"], tmp_path)
    parsed = failure_slices(out)
    assert (parsed.tool, parsed.passed, parsed.failed) == ("node", 1, 1)
    assert parsed.failed_tests == ["low stock sorted"]
    assert "deepStrictEqual" in parsed.failures[0].slice or "expected" in parsed.failures[0].slice


JEST_LOG = """
 FAIL  src/stock.test.ts
  Inventory
    ✓ adds items (3 ms)
    ✕ lists low stock (5 ms)

  ● Inventory › lists low stock

    expect(received).toEqual(expected) // deep equality

    Expected: ["C3", "B2"]
    Received: ["B2", "C3"]

      10 |     inv.add("C3", 1);
    > 11 |     expect(inv.lowStock(5)).toEqual(["C3", "B2"]);
         |                             ^

      at Object.<anonymous> (src/stock.test.ts:11:29)
      at Promise.then.completed (node_modules/jest-circus/build/utils.js:298:28)

Test Suites: 1 failed, 1 total
Tests:       1 failed, 1 passed, 2 total
"""

VITEST_LOG = """
 ❯ src/stock.test.ts (2 tests | 1 failed) 6ms
   × Inventory > lists low stock 4ms
     → expected [ 'B2', 'C3' ] to deeply equal [ 'C3', 'B2' ]

⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯

 FAIL  src/stock.test.ts > Inventory > lists low stock
AssertionError: expected [ 'B2', 'C3' ] to deeply equal [ 'C3', 'B2' ]
 ❯ src/stock.test.ts:11:29

 Test Files  1 failed (1)
      Tests  1 failed | 1 passed (2)
"""

DOTNET_LOG = """
  Failed Inventory.Tests.StockTests.LowStockIsSorted [12 ms]
  Error Message:
   Assert.Equal() Failure: Collections differ
   Expected: ["C3", "B2"]
   Actual:   ["B2", "C3"]
  Stack Trace:
     at Inventory.Tests.StockTests.LowStockIsSorted() in /src/Inventory.Tests/StockTests.cs:line 21
     at System.RuntimeMethodHandle.InvokeMethod(Object target, Void** arguments)

Failed!  - Failed:     1, Passed:     4, Skipped:     0, Total:     5, Duration: 40 ms
"""


@pytest.mark.parametrize(
    ("log", "tool", "test_id", "evidence", "counts"),
    [
        (JEST_LOG, "jest", "src/stock.test.ts > Inventory > lists low stock",
         'Received: ["B2", "C3"]', (1, 1)),
        (VITEST_LOG, "vitest", "src/stock.test.ts > Inventory > lists low stock",
         "AssertionError: expected", (1, 1)),
        (DOTNET_LOG, "dotnet", "Inventory.Tests.StockTests.LowStockIsSorted",
         "StockTests.cs:line 21", (4, 1)),
    ],
)
def test_recorded_logs(log: str, tool: str, test_id: str, evidence: str,
                       counts: tuple[int, int]) -> None:
    parsed = failure_slices(log)
    assert parsed.tool == tool
    assert (parsed.passed, parsed.failed) == counts
    assert parsed.failed_tests == [test_id]
    assert evidence in parsed.failures[0].slice
    assert "node_modules" not in parsed.failures[0].slice
    assert "RuntimeMethodHandle" not in parsed.failures[0].slice


def test_garbage_is_not_a_crash() -> None:
    parsed = failure_slices("\x00\x01 segmentation fault (core dumped)\n")
    assert parsed.failed_tests == [] and parsed.passed == 0
    assert parse_junit_xml("<testsuite><testcase").failures == []
