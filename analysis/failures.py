"""Failure slices: from test-runner output, the counts, the failed test ids and, per failed
test, a bounded slice of the lines that matter (assertion, exception, frames inside the repo).

Understands pytest, jest, vitest, ``node --test`` (TAP and spec reporters), ``dotnet test`` and
JUnit XML. Prompts carry these slices instead of whole logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree

from analysis._runner_output import (
    dotnet_failures,
    jest_failures,
    node_failures,
    pytest_failures,
    vitest_failures,
)

MAX_SLICE_LINES = 40
MAX_SLICE_CHARS = 3000


@dataclass
class FailedTest:
    test_id: str
    slice: str


@dataclass
class ParsedTestOutput:
    tool: str
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failures: list[FailedTest] = field(default_factory=list)

    @property
    def failed_tests(self) -> list[str]:
        return [f.test_id for f in self.failures]


def bound_slice(lines: list[str], max_lines: int = MAX_SLICE_LINES,
                max_chars: int = MAX_SLICE_CHARS) -> str:
    kept = [line.rstrip() for line in lines if line.strip()][:max_lines]
    text = "\n".join(kept)
    if len(text) > max_chars:
        text = text[: max_chars - 12] + "\n[truncated]"
    return text


_PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")
_PYTEST_SUMMARY = re.compile(r"^=*\s*(?:\d+ \w+(?:, )?)+.* in [\d.]+s")
_JEST_TESTS = re.compile(r"^Tests:\s+(.*?)(\d+) total", re.M)
_VITEST_TESTS = re.compile(r"^\s*Tests\s+(.*?)\((\d+)\)", re.M)
_DOTNET = re.compile(r"(Failed|Passed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),"
                     r"\s+Skipped:\s+(\d+)")
_NODE_COUNT = re.compile(r"^[#ℹ]\s+(pass|fail|skipped|cancelled|todo)\s+(\d+)", re.M)
_COUNT_WORD = re.compile(r"(\d+) (passed|failed|skipped|todo|pending)")


def detect_tool(output: str) -> str:
    if "<testsuite" in output or "<testsuites" in output:
        return "junit"
    if _DOTNET.search(output) or "Total tests:" in output and "dotnet" in output.lower():
        return "dotnet"
    if _VITEST_TESTS.search(output) and ("vitest" in output.lower() or " Test Files " in output):
        return "vitest"
    if _JEST_TESTS.search(output):
        return "jest"
    if _NODE_COUNT.search(output) or re.search(r"^(not )?ok \d+ ", output, re.M):
        return "node"
    return "pytest"


def failure_slices(output: str, tool_hint: str | None = None) -> ParsedTestOutput:
    """Parse ``output`` of a test run. ``tool_hint`` ("pytest", "jest", "vitest", "node",
    "dotnet", "junit") skips detection."""
    tool = tool_hint or detect_tool(output)
    if tool == "junit":
        return parse_junit_xml(output)
    result = ParsedTestOutput(tool=tool)
    lines = output.splitlines()
    if tool == "pytest":
        summary = next((ln for ln in reversed(lines) if _PYTEST_SUMMARY.search(ln.strip())), "")
        for num, word in _PYTEST_COUNT.findall(summary):
            _add(result, word, int(num))
        result.failures = [FailedTest(t, bound_slice(s)) for t, s in pytest_failures(lines)]
    elif tool in ("jest", "vitest"):
        found = (_JEST_TESTS if tool == "jest" else _VITEST_TESTS).findall(output)
        if found:
            for num, word in _COUNT_WORD.findall(found[-1][0]):
                _add(result, word, int(num))
        pairs = jest_failures(lines) if tool == "jest" else vitest_failures(lines)
        result.failures = [FailedTest(t, bound_slice(s)) for t, s in pairs]
    elif tool == "node":
        for word, num in _NODE_COUNT.findall(output):
            _add(result, {"pass": "passed", "fail": "failed"}.get(word, word), int(num))
        result.failures = [FailedTest(t, bound_slice(s)) for t, s in node_failures(lines)]
    elif tool == "dotnet":
        matches = _DOTNET.findall(output)
        for _status, failed, passed, skipped in matches:
            result.failed += int(failed)
            result.passed += int(passed)
            result.skipped += int(skipped)
        result.failures = [FailedTest(t, bound_slice(s)) for t, s in dotnet_failures(lines)]
    if not result.failed and result.failures:
        result.failed = len(result.failures)
    return result


def _add(result: ParsedTestOutput, word: str, num: int) -> None:
    if word == "passed":
        result.passed += num
    elif word == "failed":
        result.failed += num
    elif word.startswith("error"):
        result.errors += num
    elif word in ("skipped", "todo", "pending", "xfailed"):
        result.skipped += num


def parse_junit_xml(text: str) -> ParsedTestOutput:
    """Counts and failures from a JUnit XML report (pytest --junitxml, jest-junit, trx2junit)."""
    result = ParsedTestOutput(tool="junit")
    start = min((i for i in (text.find("<testsuites"), text.find("<testsuite")) if i >= 0),
                default=-1)
    if start < 0:
        return result
    try:
        root = ElementTree.fromstring(text[start:].strip())
    except ElementTree.ParseError:
        return result
    for case in root.iter("testcase"):
        classname, name = case.get("classname", ""), case.get("name", "")
        test_id = f"{classname}::{name}" if classname else name
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
            if problem is not None:
                result.errors += 1
        elif problem is not None:
            result.failed += 1
        if problem is not None:
            detail = [problem.get("message", "")] + (problem.text or "").splitlines()
            result.failures.append(FailedTest(test_id, bound_slice(detail)))
        elif case.find("skipped") is not None:
            result.skipped += 1
        else:
            result.passed += 1
    return result
