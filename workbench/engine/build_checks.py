"""Build evidence beyond Python: which TypeScript and C# checks apply to a worktree, their
command lines, and their results as findings for the reviewer.

TypeScript (a ``tsconfig.json``, or ``typescript`` in ``package.json``): ``tsc --noEmit``
from the project's ``node_modules`` (else a ``tsc`` on PATH), and the project's lint script
(``npm run lint``), else ESLint itself with ``--format json`` when the project has an ESLint
config and ESLint in ``node_modules``. C# (a ``*.sln`` or ``*.csproj``): ``dotnet build``
and ``dotnet format --verify-no-changes`` when ``dotnet`` is installed.

Programs run by name (the sandbox refuses paths): a package's own binary runs as
``node node_modules/PKG/BIN``. The command lines are fixed here, never chosen by a model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.build_findings import (
    BuildFinding,
    compact_findings,
    parse_eslint,
    parse_msbuild,
    parse_tsc,
)
from workbench.sandbox import CommandResult

if TYPE_CHECKING:
    from analysis import FunctionChange

TS_SOURCES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
CS_SOURCES = (".cs", ".csproj", ".sln", ".slnx", ".props", ".targets")
ESLINT_CONFIGS = ("eslint.config.js", "eslint.config.mjs", "eslint.config.cjs",
                  "eslint.config.ts", "eslint.config.mts", "eslint.config.cts", ".eslintrc",
                  ".eslintrc.js", ".eslintrc.cjs", ".eslintrc.json", ".eslintrc.yml",
                  ".eslintrc.yaml")
FINDINGS_IN_TEXT = 12  # per tool, in the reviewer's text
FINDINGS_RECORDED = 100  # per run of the checks, in the artifact
RAW_TAIL = 1500  # output shown when a failing tool printed nothing parseable

Parser = Callable[[str, str | None], list[BuildFinding]]


@dataclass(frozen=True)
class Check:
    tool: str
    argv: list[str]
    parse: Parser
    shown: str  # the command as the reviewer reads it


@dataclass
class StaticChecks:
    """What the static checks found: the reviewer's text and the structured findings."""

    text: str
    findings: list[BuildFinding] = field(default_factory=list)

    def artifact_data(self, changes: Sequence[FunctionChange]) -> dict[str, Any]:
        """The ``static_checks`` artifact: the text, the changed functions and, when there
        are any, the findings (at most ``FINDINGS_RECORDED``)."""
        data: dict[str, Any] = {"output": self.text, "changes": [c.to_dict() for c in changes]}
        if self.findings:
            data["findings"] = [f.to_dict() for f in self.findings[:FINDINGS_RECORDED]]
        return data


def _package_json(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _has_dependency(pkg: dict[str, Any], name: str) -> bool:
    return any(isinstance(pkg.get(k), dict) and name in pkg[k]
               for k in ("dependencies", "devDependencies", "peerDependencies"))


def is_typescript_project(root: Path) -> bool:
    return (root / "tsconfig.json").is_file() or _has_dependency(_package_json(root),
                                                                  "typescript")


def package_bin(root: Path, package: str, command: str,
                modules: Path | None = None) -> str | None:
    """``node_modules/PKG/BIN`` (relative to ``root``) for ``command`` of an installed
    package, read from its package.json as npm does; None when it is not installed.
    ``modules``: where ``root``'s node_modules really is on this machine (the checkout's,
    which the sandbox shows in the worktree); default ``root/node_modules``."""
    modules = modules or root / "node_modules"
    base = modules / package
    try:
        meta = json.loads((base / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    bins = meta.get("bin") if isinstance(meta, dict) else None
    target = bins.get(command) if isinstance(bins, dict) else bins
    if not isinstance(target, str) or ".." in Path(target).parts or Path(target).is_absolute():
        return None
    rel = Path("node_modules", package, target).as_posix()
    return rel if (base / target).is_file() else None


def typescript_checks(root: Path, changed: Sequence[str], on_path: Callable[[str], bool],
                      modules: Path | None = None) -> tuple[list[Check], list[str]]:
    """The checks for a TypeScript project, and a line for each one that cannot run
    (``modules`` as for :func:`package_bin`)."""
    modules = modules or root / "node_modules"
    sources = [f for f in changed if f.endswith(TS_SOURCES)]
    configs = [f for f in changed if Path(f).name in ("package.json", "tsconfig.json")]
    if not (sources or configs) or not is_typescript_project(root):
        return [], []
    checks: list[Check] = []
    notes: list[str] = []
    target = (["-p", "tsconfig.json"] if (root / "tsconfig.json").is_file()
              else [f for f in sources if f.endswith((".ts", ".tsx", ".mts", ".cts"))])
    tsc_args = ["--noEmit", "--pretty", "false", *target]
    if (tsc := package_bin(root, "typescript", "tsc", modules)) is not None:
        checks.append(Check("tsc", ["node", tsc, *tsc_args], parse_tsc, "tsc --noEmit"))
    elif on_path("tsc"):
        checks.append(Check("tsc", ["tsc", *tsc_args], parse_tsc, "tsc --noEmit"))
    else:
        notes.append("tsc: not installed (no node_modules/typescript, none on PATH), skipped")
    scripts = _package_json(root).get("scripts")
    eslint = package_bin(root, "eslint", "eslint", modules)
    installed = modules.is_dir() and any(modules.iterdir())
    if isinstance(scripts, dict) and isinstance(scripts.get("lint"), str) and not installed:
        notes.append("npm run lint: node_modules is not installed in the worktree, skipped")
    elif isinstance(scripts, dict) and isinstance(scripts.get("lint"), str):
        checks.append(Check("lint", ["npm", "run", "lint"], parse_eslint, "npm run lint"))
    elif eslint is not None and any((root / c).is_file() for c in ESLINT_CONFIGS) and sources:
        checks.append(Check("eslint", ["node", eslint, "--format", "json", *sources],
                            parse_eslint, "eslint"))
    elif sources:
        notes.append("eslint: no lint script and no ESLint config with ESLint installed, "
                     "skipped")
    return checks, notes


def dotnet_target(root: Path) -> str | None:
    """The solution (else the project) ``dotnet build`` is given: the tree's top-level one,
    else the first one level down."""
    for pattern in ("*.sln", "*.slnx", "*.csproj", "*/*.sln", "*/*.csproj"):
        found = sorted(p.relative_to(root).as_posix() for p in root.glob(pattern))
        if found:
            return found[0]
    return None


def dotnet_checks(root: Path, changed: Sequence[str], on_path: Callable[[str], bool]
                  ) -> tuple[list[Check], list[str]]:
    if not any(f.endswith(CS_SOURCES) for f in changed):
        return [], []
    target = dotnet_target(root)
    if target is None:
        return [], []
    if not on_path("dotnet"):
        return [], ["dotnet: not installed, skipped"]

    def build(out: str, base: str | None) -> list[BuildFinding]:
        return parse_msbuild(out, "dotnet build", base)

    def fmt(out: str, base: str | None) -> list[BuildFinding]:
        return parse_msbuild(out, "dotnet format", base)

    return [Check("dotnet build", ["dotnet", "build", target, "--nologo"], build,
                  f"dotnet build {target}"),
            Check("dotnet format", ["dotnet", "format", target, "--verify-no-changes"], fmt,
                  f"dotnet format {target} --verify-no-changes")], []


def check_text(check: Check, res: CommandResult, findings: list[BuildFinding]) -> str:
    """The reviewer's lines for one check: how it ended, then its findings (capped)."""
    if res.blocked or res.exit_code is None and not res.output.strip():
        return f"$ {check.shown}: did not run ({res.reason or 'no result'})"
    ended = f"exit {res.exit_code}" if res.exit_code is not None else (res.reason or "stopped")
    head = f"$ {check.shown} ({ended})"  # no duration: the same change, the same text
    if findings:
        errors = sum(f.severity == "error" for f in findings)
        return (f"{head}: {_count(len(findings), 'finding')} ({_count(errors, 'error')})\n"
                f"{compact_findings(findings, FINDINGS_IN_TEXT)}")
    if res.exit_code == 0:
        return f"{head}: no problems"
    return f"{head}\n{res.output.strip()[-RAW_TAIL:]}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
