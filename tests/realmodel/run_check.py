"""Run the whole pipeline against a real local model, as a robustness check (not a test).

    python tests/realmodel/run_check.py --base-url http://127.0.0.1:18100/v1 --model MODEL_ID
    python tests/realmodel/run_check.py --llama-server PATH/TO/llama-server --gguf MODEL.gguf

With ``--llama-server`` (or ``llama-server`` on PATH and ``--gguf``) it starts llama.cpp's
OpenAI-compatible server on 127.0.0.1 itself and stops it at the end. Each task runs headless
with ``--auto-approve`` on a fresh copy of the demo repository, in a store of its own, and one
line per task gives the figures: outcome and reason, turns, tokens per role, retries, wall time.
Nothing here is part of the default tests: a real model is slow and imperfect by nature.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

TASKS = {
    "demo": None,  # the demo's own task
    "docstring": 'Add the module docstring "Stock keeping for the warehouse." at the top of '
                 "inventory/stock.py. Change nothing else.",
    "method": "Add a method `total_quantity(self) -> int` to `Inventory` in inventory/stock.py "
              "that returns the sum of all item quantities, with a test.",
}


def _wait_ready(base_url: str, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base_url.rstrip("/") + "/models", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(1)  # polling a server that is starting up
    raise SystemExit(f"server at {base_url} did not come up in {timeout_s:.0f} s")


def _start_server(binary: str, gguf: str, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([binary, "-m", gguf, "--host", "127.0.0.1", "--port", str(port),
                             "--jinja", "-c", "16384"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _figures(db: Path, run_id: str) -> dict[str, object]:
    from agents.fold import fold
    from workbench.store import RunStore

    store = RunStore(db)
    state = fold(store.iter_events(run_id))
    kinds = Counter(e.kind for e in store.events(run_id))
    return {
        "status": state.status.value, "reason": state.finished_reason or state.parked_reason,
        "turns": state.usage.turns, "model_calls": state.usage.model_calls,
        "retries": kinds["model_retry"], "tool_calls": kinds["tool_call"],
        "tokens": {role: u.prompt_tokens + u.completion_tokens
                   for role, u in state.usage_by_role.items()},
    }


def run_task(
    name: str, task: str | None, model: str, base_url: str, work: Path
) -> dict[str, object]:
    from workbench.demo import demo_task, prepare_demo_repo

    folder = work / name
    folder.mkdir(parents=True)
    repo = prepare_demo_repo(folder)
    db = folder / "runs.db"
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "--db", str(db), "run", task or demo_task(),
         "--repo", str(repo), "--model", model, "--base-url", base_url, "--auto-approve",
         "--json"], capture_output=True, text=True)
    wall = time.monotonic() - started
    try:
        outcome = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {"task": name, "error": (proc.stderr or proc.stdout).strip()[-300:], "wall_s": wall}
    return {"task": name, **_figures(db, outcome["run_id"]), "wall_s": round(wall, 1),
            "exit": proc.returncode, "traceback": "Traceback" in proc.stderr}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="an OpenAI-compatible server already running")
    parser.add_argument("--model", default="local", help="the model id the server serves")
    parser.add_argument("--llama-server", default=shutil.which("llama-server"))
    parser.add_argument("--gguf", help="model file for --llama-server")
    parser.add_argument("--port", type=int, default=18111)
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated task names")
    args = parser.parse_args()
    server = None
    base_url = args.base_url
    if base_url is None:
        if not (args.llama_server and args.gguf):
            raise SystemExit("give --base-url, or --gguf with llama-server on PATH")
        server = _start_server(args.llama_server, args.gguf, args.port)
        base_url = f"http://127.0.0.1:{args.port}/v1"
    try:
        _wait_ready(base_url)
        with tempfile.TemporaryDirectory(prefix="workbench-realmodel-") as tmp:
            for name in args.tasks.split(","):
                result = run_task(name, TASKS[name], f"openai:{args.model}", base_url, Path(tmp))
                print(json.dumps(result), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
