"""Per-runner scanners: (test id, relevant lines) for each failed test in a log."""

from __future__ import annotations

import re

Pairs = list[tuple[str, list[str]]]

_PYTEST_SECTION = re.compile(r"^_{3,} (.+?) _{3,}$")
_PYTEST_SHORT = re.compile(r"^(FAILED|ERROR) (\S+)(?: - (.*))?$")
_PYTEST_FRAME = re.compile(r"^([^\s/][^:]*\.py):(\d+): (\w.*)$")


def _outside_repo(line: str) -> bool:
    return "site-packages" in line or line.startswith(("/usr/", "/opt/")) or "<frozen" in line


def pytest_failures(lines: list[str]) -> Pairs:
    """Sections of the FAILURES/ERRORS blocks, matched to the short summary ids."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        header = _PYTEST_SECTION.match(line.strip())
        if header:
            current = sections.setdefault(header.group(1).strip(), [])
            continue
        if line.startswith("=") and current is not None:
            current = None
            continue
        if current is not None:
            stripped = line.strip()
            if stripped.startswith(("E ", ">")) or (
                _PYTEST_FRAME.match(stripped) and not _outside_repo(stripped)
            ):
                current.append(line)
    ids: Pairs = []
    for line in lines:
        short = _PYTEST_SHORT.match(line.strip())
        if not short:
            continue
        test_id, message = short.group(2), short.group(3) or ""
        tail = test_id.split("::")[-1]
        key = next((k for k in sections if k.endswith(tail) or k.replace(".", "::")
                    .endswith(tail)), None)
        body = sections.get(key, []) if key else []
        ids.append((test_id, [message, *body] if message else body))
    if not ids:  # no short summary (-rN): fall back to the section headers
        ids = [(name.replace(".", "::"), body) for name, body in sections.items()]
    return ids


_JEST_BULLET = re.compile(r"^\s*● (.+)$")
_JEST_FILE = re.compile(r"^\s*FAIL\s+(\S+)")
_JEST_EVIDENCE = ("Expected", "Received", "expect(", "Error", "TypeError", "at ", ">")


def jest_failures(lines: list[str]) -> Pairs:
    pairs: Pairs = []
    current: list[str] | None = None
    path = ""
    for line in lines:
        file_match = _JEST_FILE.match(line)
        if file_match:
            path = file_match.group(1)
            current = None
            continue
        bullet = _JEST_BULLET.match(line)
        if bullet and "Console" not in bullet.group(1):
            name = bullet.group(1).replace(" › ", " > ").strip()
            current = []
            pairs.append((f"{path} > {name}" if path else name, current))
            continue
        if current is not None:
            stripped = line.strip()
            evidence = stripped.startswith(_JEST_EVIDENCE) and "node_modules" not in stripped
            if evidence or re.match(r"^\d+ \|", stripped):
                current.append(line)
    return pairs


_VITEST_FAIL = re.compile(r"^\s*(?:FAIL|×|✗)\s+(\S+\.(?:[cm]?[jt]sx?))\s+>\s+(.+?)(?:\s+\d+m?s)?$")


def vitest_failures(lines: list[str]) -> Pairs:
    pairs: Pairs = []
    seen: set[str] = set()
    current: list[str] | None = None
    for line in lines:
        match = _VITEST_FAIL.match(line)
        if match:
            test_id = f"{match.group(1)} > {match.group(2).strip()}"
            if test_id in seen:
                current = next(body for tid, body in pairs if tid == test_id)
                continue
            seen.add(test_id)
            current = []
            pairs.append((test_id, current))
            continue
        if current is not None:
            stripped = line.strip()
            if re.match(r"^(\w*Error|AssertionError|expected|Expected|Received|- Expected|"
                        r"\+ Received|❯ )", stripped) and "node_modules" not in stripped:
                current.append(line)
    return pairs


_TAP_NOT_OK = re.compile(r"^\s*not ok \d+ - (.+)$")
_SPEC_FAIL = re.compile(r"^\s*✖ (.+?)(?: \([\d.]+m?s\))?$")


def node_failures(lines: list[str]) -> Pairs:
    pairs: Pairs = []
    current: list[str] | None = None
    for line in lines:
        match = _TAP_NOT_OK.match(line) or _SPEC_FAIL.match(line)
        if match:
            name = match.group(1).strip()
            if name.startswith("failing tests") or any(name == t for t, _ in pairs):
                current = None
                continue
            current = []
            pairs.append((name, current))
            continue
        if current is not None:
            stripped = line.strip()
            if stripped.startswith(("error:", "expected:", "actual:", "operator:", "code:",
                                    "AssertionError", "Error", "at ")) and \
                    "node:internal" not in stripped:
                current.append(line)
            if stripped.startswith(("ok ", "# Subtest")):
                current = None
    return pairs


_DOTNET_FAILED = re.compile(r"^\s*Failed ([\w.`<>,\[\]]+(?:\(.*\))?) \[")


def dotnet_failures(lines: list[str]) -> Pairs:
    pairs: Pairs = []
    current: list[str] | None = None
    for line in lines:
        match = _DOTNET_FAILED.match(line)
        if match:
            current = []
            pairs.append((match.group(1), current))
            continue
        if current is not None:
            stripped = line.strip()
            if not stripped or stripped.startswith(("Passed ", "Skipped ")):
                if not stripped and current and len(current) > 2:
                    current = None
                continue
            if stripped in ("Error Message:", "Stack Trace:"):
                continue
            if stripped.startswith("at ") and " in " not in stripped:
                continue  # frames without a source file are framework frames
            current.append(line)
    return pairs
