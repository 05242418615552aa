"""Live build evidence: a TypeScript project with a type error and a lint error, checked by
the real tsc and ESLint (installed once with ``npm ci --prefix tests/node_tools``, never at
test time) inside the bwrap jail; the reviewer's static-checks text names both findings.
C#: the same for ``dotnet build`` when dotnet is installed, else the one-line skip note."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from workbench import gitops
from workbench.engine.bus import EventBus
from workbench.engine.evidence import Evidence
from workbench.sandbox import Sandbox
from workbench.sandbox_bwrap import bwrap_problem
from workbench.store import RunStore

NODE_MODULES = Path(__file__).resolve().parents[1] / "node_tools" / "node_modules"
needs_tools = pytest.mark.skipif(
    not (NODE_MODULES / "typescript").is_dir() or not (NODE_MODULES / "eslint").is_dir(),
    reason="tests/node_tools/node_modules is missing: run npm ci --prefix tests/node_tools")
needs_jail = pytest.mark.skipif(bwrap_problem() is not None, reason=str(bwrap_problem()))

TSCONFIG = ('{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022", '
            '"module": "commonjs", "skipLibCheck": true}, "include": ["src"]}\n')
ESLINT_CONFIG = """import tseslint from "typescript-eslint";

export default tseslint.config({
  files: ["**/*.ts"],
  extends: [tseslint.configs.recommended],
  rules: { "prefer-const": "error" },
});
"""
BEFORE = "export function total(prices: number[]): number {\n  return prices.length;\n}\n"
AFTER = """export function total(prices: number[]): number {
  let sum = 0;
  for (const p of prices) {
    sum += p;
  }
  const label: string = sum;
  return sum + label.length;
}

export function greet(name: string): string {
  let greeting = "hello " + name;
  return greeting;
}
"""


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def _link_tree(src: Path, dst: Path) -> None:
    """The installed tools as the project's own node_modules (hard links: no copy)."""
    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)
    shutil.copytree(src, dst, symlinks=True, copy_function=link)


def _project(tmp_path: Path, lint_script: bool, tools: bool = True) -> tuple[Path, str]:
    proj = tmp_path / "shop"
    (proj / "src").mkdir(parents=True)
    scripts = ', "scripts": {"lint": "eslint src"}' if lint_script else ""
    (proj / "package.json").write_text(
        '{"name": "shop", "version": "1.0.0", "private": true'
        f'{scripts}, "devDependencies": {{"typescript": "6.0.3"}}}}\n')
    (proj / "tsconfig.json").write_text(TSCONFIG)
    (proj / "eslint.config.mjs").write_text(ESLINT_CONFIG)
    (proj / ".gitignore").write_text("node_modules/\n")
    (proj / "src" / "total.ts").write_text(BEFORE)
    _git(proj, "init", "-q", "-b", "main")
    _git(proj, "add", ".")
    _git(proj, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    if tools:
        _link_tree(NODE_MODULES, proj / "node_modules")
    (proj / "src" / "total.ts").write_text(AFTER)
    return proj, _git(proj, "diff")


def _evidence(tmp_path: Path, proj: Path) -> Evidence:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("ts-run", "task", str(proj), "scripted:demo")
    wt = gitops.RunWorktree(proj, proj, "workbench/ts-run", _git(proj, "rev-parse", "HEAD"))
    box = Sandbox(proj, timeout_s=120, backend="bwrap")
    return Evidence(store, EventBus(store, "ts-run"), "ts-run", wt, box)


@needs_tools
@needs_jail
@pytest.mark.parametrize("lint_script", [False, True], ids=["eslint-json", "npm-run-lint"])
async def test_reviewer_text_names_the_type_error_and_the_lint_error(
        tmp_path: Path, lint_script: bool) -> None:
    proj, diff = _project(tmp_path, lint_script)
    ev = _evidence(tmp_path, proj)
    report = await ev.static_check_report(diff)
    text = report.text
    assert "$ tsc --noEmit (exit 2): 1 finding (1 error)" in text
    assert "src/total.ts:6:9 TS2322 error: Type 'number' is not assignable to type 'string'." \
        in text
    lint = "$ npm run lint (exit 1" if lint_script else "$ eslint (exit 1"
    assert lint in text
    assert "src/total.ts:11:7 prefer-const error: 'greeting' is never reassigned." in text
    found = {(f.tool, f.file, f.line, f.rule) for f in report.findings}
    assert ("tsc", "src/total.ts", 6, "TS2322") in found
    assert ("eslint", "src/total.ts", 11, "prefer-const") in found
    data = report.artifact_data([])
    assert {"tool": "tsc", "file": "src/total.ts", "line": 6, "column": 9, "rule": "TS2322",
            "severity": "error",
            "message": "Type 'number' is not assignable to type 'string'."} in data["findings"]
    assert await ev.static_checks(diff) == text


@needs_tools
@needs_jail
async def test_a_clean_change_reports_no_problems(tmp_path: Path) -> None:
    proj, _ = _project(tmp_path, lint_script=False)
    (proj / "src" / "total.ts").write_text(BEFORE.replace("prices.length", "prices.length + 1"))
    report = await _evidence(tmp_path, proj).static_check_report(_git(proj, "diff"))
    assert "tsc --noEmit (exit 0" in report.text and "eslint (exit 0" in report.text
    assert report.text.count(": no problems") == 2 and report.findings == []


@pytest.mark.skipif(shutil.which("tsc") is not None, reason="a tsc is on PATH here")
async def test_without_node_modules_each_check_says_why_it_was_skipped(tmp_path: Path) -> None:
    proj, diff = _project(tmp_path, lint_script=True, tools=False)
    text = await _evidence(tmp_path, proj).static_checks(diff)
    assert text.splitlines() == [
        "tsc: not installed (no node_modules/typescript, none on PATH), skipped",
        "npm run lint: node_modules is not installed in the worktree, skipped"]


def _csharp(tmp_path: Path) -> tuple[Path, str]:
    proj = tmp_path / "app"
    proj.mkdir()
    (proj / "App.csproj").write_text(
        '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType>'
        "<TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>\n")
    (proj / "Program.cs").write_text('System.Console.WriteLine("hi");\n')
    _git(proj, "init", "-q", "-b", "main")
    _git(proj, "add", ".")
    _git(proj, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    (proj / "Program.cs").write_text("System.Console.WriteLine(totl);\n")
    return proj, _git(proj, "diff")


@pytest.mark.skipif(shutil.which("dotnet") is not None, reason="dotnet is installed here")
async def test_without_dotnet_a_csharp_change_says_so_in_one_line(tmp_path: Path) -> None:
    proj, diff = _csharp(tmp_path)
    text = await _evidence(tmp_path, proj).static_checks(diff)
    assert text == "dotnet: not installed, skipped"


@pytest.mark.skipif(shutil.which("dotnet") is None,
                    reason="dotnet is not installed here (the parsers are tested on recorded "
                           "output in tests/test_build_findings.py)")
@needs_jail
async def test_dotnet_build_finding_reaches_the_reviewer(tmp_path: Path) -> None:
    proj, diff = _csharp(tmp_path)
    text = await _evidence(tmp_path, proj).static_checks(diff)
    assert "$ dotnet build App.csproj" in text
    assert "Program.cs:1:26 CS0103 error" in text or "NU1301" in text  # offline restore


@needs_tools
@needs_jail
async def test_a_run_worktree_uses_the_node_modules_installed_in_the_checkout(
        tmp_path: Path) -> None:
    """A run works in its own worktree, which has no node_modules: the sandbox shows the
    checkout's, read-only, and no diff of the worktree ever shows them."""
    from workbench.worktree_deps import shared_dependencies

    proj, _ = _project(tmp_path, lint_script=True)
    wt = gitops.ensure_worktree(proj, "ts-run", tmp_path / "worktrees")
    (wt.path / "src" / "total.ts").write_text(AFTER)
    diff = gitops.worktree_diff(wt)
    shared = shared_dependencies(proj, wt.path)
    assert [t for _, t in shared.pairs] == [wt.path.resolve() / "node_modules"]
    store = RunStore(tmp_path / "runs.db")
    store.create_run("ts-run", "task", str(proj), "scripted:demo")
    box = Sandbox(wt.path, timeout_s=120, backend="bwrap", shared=shared)
    text = await Evidence(store, EventBus(store, "ts-run"), "ts-run", wt,
                          box).static_checks(diff)
    assert "$ tsc --noEmit (exit 2): 1 finding (1 error)" in text
    assert "$ npm run lint (exit 1" in text and "prefer-const" in text
    assert gitops.worktree_diff(wt) == diff  # the mount point is no change
    written = await box.run_async(["node", "-e", "require('fs').writeFileSync("
                                   "'node_modules/x', '1')"], approved=True)
    assert written.exit_code != 0 and not (proj / "node_modules" / "x").exists()
