"""`workbench changes` as a whole process against the plain tools doing the same work.

Workloads: a synthetic 300-file, ~100,000-line change (every file: three function bodies
edited, a class with its members deleted, a function added), and real releases built by
`changes_inputs.py` (Django 5.0 -> 5.1, rxjs 7.5.7 -> 7.8.1, the TypeScript 5.5.4 -> 5.6.3
bundles), downloaded once and cached; offline they are skipped with the reason.

Baseline: `changes_baseline.py`, one `git diff` plus a bare tree-sitter parse of both
versions of every changed file. Rival: `changes_pydriller.py`, PyDriller's changed methods.
Every figure is the median of per-pair ratios of fresh processes, alternating which side
runs first, with the spread.

Run with: pytest tests/benchmarks/test_changes_benchmark.py -q -s --override-ini addopts=
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pygit2
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import changes_inputs  # noqa: E402

HERE = Path(__file__).parent
FILES_PER_LANGUAGE = 100
FUNCTIONS_PER_FILE = 30
TARGETS = {"synthetic": 1.3, "django": 1.3, "rxjs": 1.3, "typescript": 1.5}
PAIRS = {"synthetic": 7, "django": 5, "rxjs": 7, "typescript": 3}
RIVAL_PAIRS = {"synthetic": 3, "django": 3, "rxjs": 3, "typescript": 1}
"""PyDriller takes 5-20x as long as `changes`; fewer pairs still show which side wins."""


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


def _command() -> list[str]:
    script = Path(sys.executable).with_name("workbench")
    return [str(script)] if script.exists() else [sys.executable, "-m", "workbench"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> changes_inputs.BuiltRepo:
    root = tmp_path_factory.mktemp("synthetic")
    base, head, _ = _make_repo(root)
    return changes_inputs.BuiltRepo(root, base, head)


def _workload(name: str, synthetic: changes_inputs.BuiltRepo) -> changes_inputs.BuiltRepo:
    if name == "synthetic":
        return synthetic
    try:
        return changes_inputs.build(name)
    except changes_inputs.Unavailable as error:
        pytest.skip(f"{name}: {error}")


def _timed(args: list[str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return elapsed, done.stdout


def _pairs(
    ours: list[str], theirs: list[str], pairs: int, warm: bool = True
) -> tuple[list[float], float, float]:
    """Per-pair ratios ours / theirs and the medians of each side; the order alternates."""
    if warm:  # page cache and .pyc files warm for both
        _timed(ours), _timed(theirs)
    ratios, our_times, their_times = [], [], []
    for index in range(pairs):
        if index % 2:
            their, _ = _timed(theirs)
            our, _ = _timed(ours)
        else:
            our, _ = _timed(ours)
            their, _ = _timed(theirs)
        our_times.append(our)
        their_times.append(their)
        ratios.append(our / their)
    return ratios, statistics.median(our_times), statistics.median(their_times)


def _report(label: str, ratios: list[float], ours: float, theirs: float, target: str) -> float:
    ratio = statistics.median(ratios)
    print(
        f"\n{label}: workbench changes {ours:.3f}s, {target.split()[0]} {theirs:.3f}s "
        f"(medians), ratio {ratio:.2f} (spread {min(ratios):.2f}-{max(ratios):.2f}, "
        f"{len(ratios)} pairs; target {target})"
    )
    return ratio


def _check_synthetic(output: bytes) -> None:
    found = json.loads(output)
    assert len({c["path"] for c in found}) == 3 * FILES_PER_LANGUAGE
    assert {c["change"] for c in found} == {"added", "deleted", "modified"}
    # per file: 3 edited bodies, 1 added function, and the deleted class's 2 members
    assert len(found) == 3 * FILES_PER_LANGUAGE * 6


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TARGETS))
def test_changes_is_within_target_of_diff_plus_parse(
    name: str, synthetic: changes_inputs.BuiltRepo
) -> None:
    built = _workload(name, synthetic)
    repo, base, head = str(built.path), built.base, built.head
    ours = [*_command(), "changes", "--repo", repo, "--base", base, "--head", head, "--json"]
    baseline = [sys.executable, str(HERE / "changes_baseline.py"), repo, base, head]
    _, output = _timed(ours)
    found = json.loads(output)
    assert found, "no changed functions found"
    if name == "synthetic":
        _check_synthetic(output)
    ratios, our_median, base_median = _pairs(ours, baseline, PAIRS[name])
    label = "synthetic 300 files" if name == "synthetic" else changes_inputs.WORKLOADS[name].label
    target = TARGETS[name]
    ratio = _report(f"{label}, {len(found)} changes", ratios, our_median, base_median,
                    f"baseline <= {target}x")
    assert ratio <= target


@pytest.mark.slow
@pytest.mark.parametrize("name", list(TARGETS))
def test_changes_is_faster_than_pydriller(
    name: str, synthetic: changes_inputs.BuiltRepo
) -> None:
    if importlib.util.find_spec("pydriller") is None:
        pytest.skip("PyDriller is not installed (make bench installs the bench extra)")
    if shutil.which("git") is None:
        pytest.skip("PyDriller needs the git command")
    built = _workload(name, synthetic)
    repo, base, head = str(built.path), built.base, built.head
    ours = [*_command(), "changes", "--repo", repo, "--base", base, "--head", head, "--json"]
    rival = [sys.executable, str(HERE / "changes_pydriller.py"), repo, base, head]
    ratios, our_median, rival_median = _pairs(ours, rival, RIVAL_PAIRS[name], warm=False)
    label = "synthetic 300 files" if name == "synthetic" else changes_inputs.WORKLOADS[name].label
    ratio = _report(label, ratios, our_median, rival_median, "PyDriller < 1x")
    assert ratio < 1
