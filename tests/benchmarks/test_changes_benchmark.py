"""`workbench changes` on a 300-file, ~100,000-line change against git diff plus a bare parse.

Every file changes: in each, three function bodies are edited, a class with its members is
deleted and a function is added (about five hunks a file, 1,500 in all).

Run with: pytest tests/benchmarks/test_changes_benchmark.py -q -s --override-ini addopts=
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time
from pathlib import Path

import pygit2
import pytest
from click.testing import CliRunner

from analysis.languages import grammar_for_path, parser_for
from workbench.cli_changes import changes

FILES_PER_LANGUAGE = 100
FUNCTIONS_PER_FILE = 30
RUNS = 7
TARGET_RATIO = 1.3


def _python_file(index: int, version: int) -> str:
    out = [f'"""Module {index}."""', "import os", ""]
    for f in range(FUNCTIONS_PER_FILE):
        if version and f == 3:
            continue  # deleted in head
        out += [
            f"class Service{f}:",
            f'    """Service {f}."""',
            "",
            "    @property",
            "    def value(self) -> int:",
            f"        return {f}",
            "",
            f"    def run_{f}(self, items: list[int]) -> int:",
            "        total = 0",
            "        for item in items:",
            f"            total += item * {f + (1 if version and f % 10 == 0 else 0)}",
            "        return total",
            "",
        ]
    if version:
        out += ["def added_function(x):", "    return x", ""]
    return "\n".join(out) + "\n"


def _csharp_file(index: int, version: int) -> str:
    out = [
        "using System;",
        f"namespace Bench.N{index}",
        "{",
        f"    public class Service{index}",
        "    {",
    ]
    for f in range(FUNCTIONS_PER_FILE):
        if version and f == 3:
            continue
        out += [
            f"        /// <summary>Runs {f}.</summary>",
            f"        public int Run{f}(int[] items)",
            "        {",
            "            var total = 0;",
            "            foreach (var item in items)",
            "            {",
            f"                total += item * {f + (1 if version and f % 10 == 0 else 0)};",
            "            }",
            "            return total;",
            "        }",
            f"        public int Value{f} {{ get => {f}; }}",
        ]
    if version:
        out += ["        public void Added() { }"]
    out += ["    }", "}"]
    return "\n".join(out) + "\n"


def _typescript_file(index: int, version: int) -> str:
    out = [f"// Module {index}", "import { helper } from './helper';", ""]
    for f in range(FUNCTIONS_PER_FILE):
        if version and f == 3:
            continue
        out += [
            f"export class Service{f} {{",
            f"  private readonly factor = {f};",
            "",
            f"  run{f}(items: number[]): number {{",
            "    let total = 0;",
            "    for (const item of items) {",
            f"      total += item * {f + (1 if version and f % 10 == 0 else 0)};",
            "    }",
            "    return total;",
            "  }",
            "",
            "  handle = (x: number) => helper(x);",
            "}",
        ]
    if version:
        out += ["export const added = () => 1;"]
    return "\n".join(out) + "\n"


def _make_repo(root: Path) -> tuple[str, str, int]:
    repo = pygit2.init_repository(str(root))
    signature = pygit2.Signature("Bench", "bench@example.invalid")
    makers = {"py": _python_file, "cs": _csharp_file, "ts": _typescript_file}
    commits: list[str] = []
    lines = 0
    for version in (0, 1):
        for suffix, make in makers.items():
            for index in range(FILES_PER_LANGUAGE):
                text = make(index, version)
                if version:
                    lines += text.count("\n")
                target = root / "src" / suffix / f"module_{index}.{suffix}"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
        repo.index.add_all()
        repo.index.write()
        tree = repo.index.write_tree()
        parents = [commits[-1]] if commits else []
        oid = repo.create_commit("HEAD", signature, signature, f"v{version}", tree, parents)
        commits.append(str(oid))
    return commits[0], commits[1], lines


def _baseline(root: Path, base: str, head: str) -> float:
    """git diff plus a bare tree-sitter parse of both versions of every changed file."""
    start = time.perf_counter()
    subprocess.run(["git", "-C", str(root), "diff", base, head], check=True, capture_output=True)
    repo = pygit2.Repository(str(root))
    diff = repo.diff(repo.revparse_single(base), repo.revparse_single(head))
    for delta in diff.deltas:
        grammar = grammar_for_path(delta.new_file.path)
        assert grammar is not None
        parser = parser_for(grammar)
        parser.parse(repo[delta.old_file.id].data)
        parser.parse(repo[delta.new_file.id].data)
    return time.perf_counter() - start


def _ours(root: Path, base: str, head: str) -> tuple[float, list[dict[str, object]]]:
    runner = CliRunner()
    start = time.perf_counter()
    result = runner.invoke(changes, ["--repo", str(root), "--base", base, "--head", head, "--json"])
    elapsed = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    return elapsed, json.loads(result.output)


@pytest.mark.slow
def test_changes_is_within_target_of_diff_plus_parse(tmp_path: Path) -> None:
    base, head, lines = _make_repo(tmp_path)
    _baseline(tmp_path, base, head)  # warm caches and parsers alike
    _, found = _ours(tmp_path, base, head)
    baseline_times: list[float] = []
    our_times: list[float] = []
    for _ in range(RUNS):
        baseline_times.append(_baseline(tmp_path, base, head))
        elapsed, found = _ours(tmp_path, base, head)
        our_times.append(elapsed)
    # Runs alternate, and the fastest of each is compared: other processes on a shared
    # machine only ever add time, so the minimum is the steadiest estimate of the cost.
    baseline, ours = min(baseline_times), min(our_times)
    ratio = ours / baseline
    median_ratio = statistics.median(our_times) / statistics.median(baseline_times)
    print(
        f"\n300 files, {lines} lines in head: baseline {baseline:.3f}s, "
        f"workbench changes {ours:.3f}s, ratio {ratio:.2f} (target <= {TARGET_RATIO}; "
        f"ratio of medians {median_ratio:.2f})"
    )
    assert len({c["path"] for c in found}) == 3 * FILES_PER_LANGUAGE
    kinds = {(c["change"], c["language"]) for c in found}
    assert {"added", "deleted", "modified"} == {change for change, _ in kinds}
    # per file: 3 edited bodies, 1 added function, and the deleted class's 2 members
    assert len(found) == 3 * FILES_PER_LANGUAGE * 6
    assert ratio <= TARGET_RATIO
