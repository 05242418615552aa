"""Start-up to first frame: the Workbench app against a bare Textual run list, same run.

Run with: pytest tests/benchmarks/test_tui_startup.py -q -s --override-ini addopts=

Each start is a fresh process (interpreter start and every import count: that is what a
user waits for), timed from spawn until the probe reports the first rendered frame that
shows the filled run table (``startup_probe.py``). The store holds 50 runs. Starts alternate
between the apps so machine noise hits both alike. Target: WorkbenchApp within 1.5x of a bare
Textual app with a Header, a DataTable and a Footer, for the app in a bare process and for
the `workbench` command as a user types it (CLI, engine wiring, WorkbenchTUI); each figure is
the median of the per-round ratios, with their spread.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tui_bench_support import fill_run_list

PROBE = Path(__file__).with_name("startup_probe.py")
RUNS = 7
STORED_RUNS = 50
TARGET_RATIO = 1.5


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WORKBENCH_", "TEXTUAL")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(WORKBENCH_CONFIG=str(home / "config.yaml"), WORKBENCH_DB=str(home / "runs.db"),
               WORKBENCH_DATA_DIR=str(home / "data"))
    return env


def _start(kind: str, env: dict[str, str]) -> float:
    """Seconds from spawn until the probe reports its first frame."""
    start = time.perf_counter()
    # Outside any repository, where the command opens on its run list (inside one it
    # opens the new-run form, which has no run table).
    proc = subprocess.Popen([sys.executable, str(PROBE), kind], env=env,
                            cwd=Path(env["WORKBENCH_DB"]).parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert line.strip() == b"FRAME", f"{kind} probe failed:\n{err.decode(errors='replace')}"
    return elapsed


def _command_works(env: dict[str, str]) -> str:
    """'' when the `workbench` command starts, otherwise the reason it does not."""
    done = subprocess.run([sys.executable, "-c", "import workbench.tui.launch"], env=env,
                          capture_output=True, text=True)
    return "" if done.returncode == 0 else done.stderr.strip().splitlines()[-1]


BARE_IMPORTS = "import sqlite3; from textual.app import App; from textual.widgets import DataTable"
PROJECT = ("workbench", "widgets", "agents", "analysis", "themes")


def _importtime(code: str, env: dict[str, str]) -> list[tuple[int, str, int]]:
    """(depth, module, self microseconds) per import, parents before children."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                          capture_output=True, text=True, check=True)
    rows: list[tuple[int, str, int]] = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|( *)(\S+)", line)
        if m:
            rows.append((len(m.group(2)) // 2, m.group(3), int(m.group(1))))
    return rows[::-1]  # importtime prints children first


def _grouped_costs(code: str, bare: set[str], env: dict[str, str]) -> dict[str, float]:
    costs: dict[str, float] = {}
    stack: list[str] = []
    for depth, name, micros in _importtime(code, env):
        stack[depth:] = [name]
        if name in bare:
            continue
        key = "project modules (own code)"
        for parent, child in zip(stack, stack[1:], strict=False):
            if parent.split(".")[0] in PROJECT and child.split(".")[0] not in PROJECT:
                key = f"{child.split('.')[0]} (imported by {parent})"
                break
        costs[key] = costs.get(key, 0.0) + micros / 1000
    return costs


def extra_import_costs(code: str, env: dict[str, str], top: int = 12) -> list[tuple[str, float]]:
    """What ``code`` imports beyond a bare Textual app, in ms of import time (median of 3),
    grouped by the third-party package and the project module that pulls it in."""
    bare = {name for _d, name, _us in _importtime(f"{BARE_IMPORTS}, Header, Footer", env)}
    runs = [_grouped_costs(code, bare, env) for _ in range(3)]
    keys = set().union(*runs)
    costs = {key: statistics.median(run.get(key, 0.0) for run in runs) for key in keys}
    return sorted(costs.items(), key=lambda kv: -kv[1])[:top]


def test_startup_to_first_frame_within_1_5x_of_bare_textual(tmp_path: Path) -> None:
    env = _env(tmp_path)
    fill_run_list(tmp_path / "runs.db", STORED_RUNS)
    kinds = ["bare", "workbench"]
    command_problem = _command_works(env)
    if not command_problem:
        kinds.append("command")
    for kind in kinds:  # warm the OS file cache and write bytecode
        _start(kind, env)
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    for n in range(RUNS):
        order = kinds if n % 2 == 0 else kinds[::-1]
        for kind in order:
            times[kind].append(_start(kind, env))

    medians = {kind: statistics.median(values) for kind, values in times.items()}
    bare = medians["bare"]
    # Each round starts every kind once: the per-round ratio compares starts made together.
    ratios = {kind: [t / b for t, b in zip(times[kind], times["bare"], strict=True)]
              for kind in kinds if kind != "bare"}
    print()
    for kind in kinds:
        runs = " ".join(f"{t * 1000:.0f}" for t in times[kind])
        print(f"startup {kind:9}: median {medians[kind] * 1000:.0f} ms "
              f"({medians[kind] / bare:.2f}x bare)  runs ms: {runs}")
    if command_problem:
        print(f"startup command  : not measured ({command_problem})")
    summary = {kind: statistics.median(values) for kind, values in ratios.items()}
    for kind, values in ratios.items():
        print(f"startup ratio {kind} / bare Textual: {summary[kind]:.2f}x (spread "
              f"{min(values):.2f}-{max(values):.2f}, {RUNS} rounds; target <= {TARGET_RATIO}x)")
    modules = {"workbench": "workbench.tui.app", "command": "workbench.cli, workbench.tui.launch"}
    for kind, module in modules.items():
        if kind in summary and summary[kind] > TARGET_RATIO:
            print(f"imported by {kind} beyond a bare Textual app (-X importtime, self time):")
            for name, cost in extra_import_costs(f"import {module}", env):
                print(f"  {cost:7.1f} ms  {name}")
    assert not command_problem, f"the workbench command does not start: {command_problem}"
    assert summary["workbench"] <= TARGET_RATIO
    assert summary["command"] <= TARGET_RATIO
