"""Under bwrap and docker a hanging, forking or flooding command is stopped with a clear
reason, a daemon it leaves is killed, and nothing of it runs once the result is back."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from tests.sandbox.conftest import MakeSandbox, running_with
from workbench.sandbox import CommandResult, Limits

PY = [("python", "-c")]


def run_marked(make_sandbox: MakeSandbox, root: Path, code: str, **kwargs: Any
               ) -> tuple[str, CommandResult]:
    """Runs ``code`` with a unique marker in its argv, so its processes can be found."""
    marker = f"wb-marker-{uuid.uuid4().hex[:12]}"
    box = make_sandbox(root, allow=PY, **kwargs)
    return marker, box.run(["python", "-c", code, marker])


def test_a_hanging_command_is_stopped_at_the_timeout(make_sandbox: MakeSandbox,
                                                      tmp_path: Path) -> None:
    code = "import time; print('waiting', flush=True); time.sleep(120)"
    start = time.monotonic()
    marker, result = run_marked(make_sandbox, tmp_path, code, timeout_s=2)
    assert time.monotonic() - start < 15
    assert result.timed_out and result.exit_code is None and not result.ok
    assert "timed out after 2 s" in result.reason and "waiting" in result.output
    assert running_with(marker) == []


FORK_BOMB = """
import os, sys, time
print('forking', flush=True)
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
"""


def test_a_fork_bomb_hits_the_process_limit(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    marker, result = run_marked(make_sandbox, tmp_path, FORK_BOMB, timeout_s=3,
                                limits=Limits(nproc=64))
    assert result.timed_out and not result.ok
    assert "hit the process limit (64 processes)" in result.reason, result.reason
    assert running_with(marker) == []


def test_a_flood_of_output_is_stopped_and_capped(make_sandbox: MakeSandbox,
                                                 tmp_path: Path) -> None:
    code = ("import sys\nline = b'y' * 1023 + b'\\n'\nsys.stdout.buffer.write(b'FIRST\\n')\n"
            "for _ in range(200 * 1024): sys.stdout.buffer.write(line)\n")  # 200 MiB
    start = time.monotonic()
    marker, result = run_marked(make_sandbox, tmp_path, code, timeout_s=60,
                                max_output_bytes=100_000, max_log_bytes=4 << 20)
    assert time.monotonic() - start < 20
    assert result.exit_code is None and not result.ok and not result.timed_out
    assert "stopped: printed more than 4 MiB of output" in result.reason
    assert result.output.startswith("FIRST") and len(result.output) < 101_000
    assert "omitted (kept in the log)" in result.output
    assert result.full_output.startswith("FIRST") and 4 << 20 <= len(result.full_output) < 5 << 20
    assert running_with(marker) == []


DAEMON = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            with open('heartbeat', 'a') as f:
                f.write('.')
            time.sleep(0.05)
    os._exit(0)
print('parent done', flush=True)
"""


def test_a_daemon_does_not_outlive_its_command(make_sandbox: MakeSandbox,
                                               tmp_path: Path) -> None:
    marker, result = run_marked(make_sandbox, tmp_path, DAEMON, timeout_s=20)
    assert result.exit_code == 0 and "parent done" in result.output
    assert running_with(marker) == []
