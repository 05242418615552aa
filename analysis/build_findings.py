"""Build and lint findings: from compiler and linter output, one finding per problem
(file, line, column, rule, severity, message), so prompts carry a short list, not logs.

Understands ``tsc`` (``--pretty false``), ESLint (``--format json``, the default stylish
output, ``unix`` and ``compact``) and MSBuild's canonical lines, which ``dotnet build`` and
``dotnet format --verify-no-changes`` print. Pure functions over text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

MAX_MESSAGE = 200


@dataclass(frozen=True)
class BuildFinding:
    """``file`` is relative to the checked tree when it lies inside it, "" for a problem
    of the whole tool run (``error TS5058``, ``CSC : error CS5001``); ``line`` and
    ``column`` are 0 when the tool gave none."""

    tool: str
    file: str
    line: int
    column: int
    rule: str
    severity: str  # "error" | "warning" | "info"
    message: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def compact(self) -> str:
        where = self.file or "(project)"
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        rule = f" {self.rule}" if self.rule else ""
        return f"{where}{rule} {self.severity}: {self.message}"


def _relative(path: str, root: str | None) -> str:
    path = path.strip()
    if root:
        base = root.rstrip("/\\") + "/"
        if path.replace("\\", "/").startswith(base.replace("\\", "/")):
            path = path[len(base):]
    return path.removeprefix("./")


def _message(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def _severity(word: str) -> str:
    word = word.lower()
    if word.startswith(("err", "fatal")):
        return "error"
    if word.startswith("warn"):
        return "warning"
    return "info"


_TSC = re.compile(r"^(?P<file>[^\s(][^(]*)\((?P<line>\d+),(?P<col>\d+)\): "
                  r"(?P<sev>error|warning|message) (?P<code>TS\d+): (?P<msg>.*)$")
_TSC_GLOBAL = re.compile(r"^(?P<sev>error|warning) (?P<code>TS\d+): (?P<msg>.*)$")


def parse_tsc(output: str, root: str | None = None) -> list[BuildFinding]:
    """``tsc --pretty false`` lines; indented lines after one extend its message."""
    found: list[BuildFinding] = []
    for line in output.splitlines():
        m = _TSC.match(line)
        g = None if m else _TSC_GLOBAL.match(line)
        if m:
            found.append(BuildFinding("tsc", _relative(m["file"], root), int(m["line"]),
                                      int(m["col"]), m["code"], _severity(m["sev"]),
                                      _message(m["msg"])))
        elif g:
            found.append(BuildFinding("tsc", "", 0, 0, g["code"], _severity(g["sev"]),
                                      _message(g["msg"])))
        elif found and line.startswith("  ") and line.strip():
            last = found[-1]
            found[-1] = BuildFinding(last.tool, last.file, last.line, last.column, last.rule,
                                     last.severity, _message(f"{last.message} {line}"))
    return found


_UNIX = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*) "
                   r"\[(?P<sev>Error|Warning)(?:/(?P<rule>[^\]]+))?\]$")
_COMPACT = re.compile(r"^(?P<file>.+?): line (?P<line>\d+), col (?P<col>\d+), "
                      r"(?P<sev>Error|Warning) - (?P<msg>.*?)(?: \((?P<rule>[^()\s]+)\))?$")
_STYLISH_ROW = re.compile(r"^\s+(?P<line>\d+):(?P<col>\d+)\s+(?P<sev>error|warning)\s+"
                          r"(?P<rest>.*)$")
_RULE_TAIL = re.compile(r"^(?P<msg>.*?)\s{2,}(?P<rule>@?[\w-]+(?:/[\w-]+)*)$")


def _eslint_json(output: str, root: str | None) -> list[BuildFinding] | None:
    start = output.find("[")
    if start < 0:
        return None
    try:
        data = json.loads(output[start:])
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    found: list[BuildFinding] = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        path = _relative(str(entry.get("filePath", "")), root)
        for msg in entry.get("messages") or []:
            if not isinstance(msg, dict):
                continue
            sev = "error" if msg.get("severity") == 2 or msg.get("fatal") else "warning"
            found.append(BuildFinding("eslint", path, int(msg.get("line") or 0),
                                      int(msg.get("column") or 0), str(msg.get("ruleId") or ""),
                                      sev, _message(str(msg.get("message", "")))))
    return found


def parse_eslint(output: str, root: str | None = None) -> list[BuildFinding]:
    """ESLint output in json, unix, compact or the default stylish format (also as
    printed through ``npm run lint``: npm's own lines match none of them)."""
    if output.lstrip().startswith("[") and (found := _eslint_json(output, root)) is not None:
        return found
    found = []
    current = ""
    for line in output.splitlines():
        if m := _UNIX.match(line) or _COMPACT.match(line):
            found.append(BuildFinding("eslint", _relative(m["file"], root), int(m["line"]),
                                      int(m["col"]), m["rule"] or "", _severity(m["sev"]),
                                      _message(m["msg"])))
        elif m := _STYLISH_ROW.match(line):
            if not current:
                continue
            tail = _RULE_TAIL.match(m["rest"].rstrip())
            msg, rule = (tail["msg"], tail["rule"]) if tail else (m["rest"], "")
            found.append(BuildFinding("eslint", current, int(m["line"]), int(m["col"]), rule,
                                      _severity(m["sev"]), _message(msg)))
        elif line and not line[0].isspace() and not line.startswith(("✖", ">", "npm ")):
            current = _relative(line, root)  # stylish: a file's header line
        elif not line.strip():
            continue
    return found


_MSBUILD = re.compile(
    r"^\s*(?P<origin>.+?)(?:\((?P<line>\d+)(?:,(?P<col>\d+))?(?:,\d+,\d+)?\))?\s*:\s*"
    r"(?P<sev>error|warning|info)\s+(?P<code>[A-Za-z]+[\w.]*)\s*:\s*(?P<msg>.*?)"
    r"(?:\s+\[(?P<project>[^\]]+)\])?\s*$")
_TOOL_ORIGINS = frozenset({"CSC", "MSBUILD", "EXEC", "VBC", "FSC"})


def parse_msbuild(output: str, tool: str = "dotnet build",
                  root: str | None = None) -> list[BuildFinding]:
    """MSBuild's ``origin(line,col): severity CODE: message [project]`` lines. The
    summary after "Build FAILED." repeats every line: each finding is kept once."""
    found: list[BuildFinding] = []
    seen: set[BuildFinding] = set()
    for line in output.splitlines():
        m = _MSBUILD.match(line)
        if not m:
            continue
        origin = m["origin"].strip()
        path = "" if origin.upper() in _TOOL_ORIGINS else origin
        finding = BuildFinding(tool, _relative(path, root), int(m["line"] or 0),
                               int(m["col"] or 0), m["code"], _severity(m["sev"]),
                               _message(m["msg"]))
        if finding not in seen:
            seen.add(finding)
            found.append(finding)
    return found


def compact_findings(findings: Iterable[BuildFinding], cap: int = 12) -> str:
    """One line per finding, errors first, at most ``cap`` lines, then how many were left."""
    ordered = sorted(findings, key=lambda f: f.severity != "error")
    lines = [f.compact() for f in ordered[:cap]]
    if len(ordered) > cap:
        lines.append(f"... and {len(ordered) - cap} more")
    return "\n".join(lines)
