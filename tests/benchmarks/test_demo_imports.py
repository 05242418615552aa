"""`workbench demo --headless` as a user runs it: how much of its wall time is imports.

Run with: pytest tests/benchmarks/test_demo_imports.py -q -s --override-ini addopts=

Each run is a fresh process (`python -X importtime -m workbench demo --headless`, its own
store); the import time is the sum of the cumulative times of the top-level imports that
`-X importtime` prints, so nested imports are counted once. Figure: the median of RUNS runs.
Target: imports <= 0.6 s. (`-X importtime` adds its own bookkeeping to what it measures, so
the figure errs on the high side.)
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

RUNS = 7
TARGET_S = 0.6
_ROW = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)")


def _run(tmp: Path, n: int) -> tuple[float, float, list[tuple[str, float]]]:
    """(import seconds, wall seconds, the five costliest top-level imports) of one demo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    home = tmp / f"run-{n}"
    env.update(WORKBENCH_DB=str(home / "runs.db"), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "workbench", "demo",
                           "--headless"], env=env, capture_output=True, text=True,
                          check=False, timeout=300)
    wall = time.perf_counter() - start
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert "APPROVED" in done.stdout, done.stdout[-2000:]
    top: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        m = _ROW.match(line)
        if m and not m.group(2):  # a top-level import: its cumulative time holds its children
            top.append((m.group(3), int(m.group(1)) / 1e6))
    return sum(s for _, s in top), wall, sorted(top, key=lambda t: -t[1])[:5]


@pytest.mark.slow
def test_headless_demo_spends_at_most_0_6_s_in_imports(tmp_path: Path) -> None:
    _run(tmp_path, -1)  # writes bytecode and warms the OS file cache
    runs = [_run(tmp_path, n) for n in range(RUNS)]
    imports = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    costliest = ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in runs[0][2])
    verdict = "met" if imports <= TARGET_S else "MISSED"
    print(f"\nworkbench demo --headless: imports {imports * 1000:.0f} ms of {wall:.2f} s wall "
          f"(medians of {RUNS}; imports {min(r[0] for r in runs) * 1000:.0f}-"
          f"{max(r[0] for r in runs) * 1000:.0f} ms); target <= {TARGET_S * 1000:.0f} ms: "
          f"{verdict}\n  costliest top-level imports: {costliest}")
    assert imports <= TARGET_S
