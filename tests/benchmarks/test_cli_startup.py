"""`workbench runs` on a store of 100 runs, start to exit, against the interpreter loading
what any such command needs.

Run with: pytest tests/benchmarks/test_cli_startup.py -q -s --override-ini addopts=

Each side is a fresh process (the console script, as a user types it). Baseline:
`python -c "import click, sqlite3"` with the same interpreter. Pairs alternate which side
runs first; the figure is the median of the per-pair ratios, with their spread.
Target: <= 2x.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tui_bench_support import fill_run_list

PAIRS = 21
STORED_RUNS = 100
TARGET_RATIO = 2.0


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-2000:]
    return elapsed, done.stdout


@pytest.mark.slow
def test_runs_starts_within_twice_the_bare_interpreter(tmp_path: Path) -> None:
    fill_run_list(tmp_path / "runs.db", STORED_RUNS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env.update(WORKBENCH_CONFIG=str(tmp_path / "config.yaml"),
               WORKBENCH_DB=str(tmp_path / "runs.db"), WORKBENCH_DATA_DIR=str(tmp_path / "d"))
    script = Path(sys.executable).with_name("workbench")
    ours = [str(script)] if script.exists() else [sys.executable, "-m", "workbench"]
    ours.append("runs")
    baseline = [sys.executable, "-c", "import click, sqlite3"]
    _, listing = _timed(ours, env)
    assert len(listing.splitlines()) == STORED_RUNS
    _timed(baseline, env)
    ratios, our_times, base_times = [], [], []
    for index in range(PAIRS):
        if index % 2:
            base, _ = _timed(baseline, env)
            our, _ = _timed(ours, env)
        else:
            our, _ = _timed(ours, env)
            base, _ = _timed(baseline, env)
        ratios.append(our / base)
        our_times.append(our)
        base_times.append(base)
    ratio = statistics.median(ratios)
    print(f"\nworkbench runs ({STORED_RUNS} runs): {statistics.median(our_times) * 1000:.0f} ms, "
          f"python -c 'import click, sqlite3': {statistics.median(base_times) * 1000:.0f} ms "
          f"(medians); ratio {ratio:.2f} (spread {min(ratios):.2f}-{max(ratios):.2f}, "
          f"{PAIRS} pairs; target <= {TARGET_RATIO}x)")
    assert ratio <= TARGET_RATIO
