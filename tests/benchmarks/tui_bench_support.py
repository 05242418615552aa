"""Shared pieces of the TUI benchmarks: a frame clock, percentiles and realistic test data.

Not a test module. The benchmarks import it as a sibling module (pytest puts this directory
on ``sys.path``) and ``startup_probe.py`` runs as a script beside it.
"""

from __future__ import annotations

import gc
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from textual.app import App
from textual.screen import Screen

from agents.events import EventBase, build_event

# ----------------------------------------------------------------------------- measuring

_ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


class FrameRecorder:
    """Mixed into an App: timestamps every frame it would write to the terminal.

    Headless apps lay out and render every frame but skip turning it into terminal output;
    the recorder does that step too, so a frame costs what it costs in a real terminal.
    """

    frames: list[float]
    outputs: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frames = []
        """When each frame was ready for the terminal (perf_counter)."""
        self.outputs = []
        """The plain text each frame wrote (escape sequences removed)."""

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        app: App[Any] = self  # type: ignore[assignment]
        if renderable is not None and not app._batch_count:
            render = getattr(renderable, "render_segments", None)
            output = render(app.console) if render is not None else ""
            self.frames.append(time.perf_counter())
            self.outputs.append(_ESCAPES.sub("", output))
        super()._display(screen, renderable)  # type: ignore[misc]

    def first_frame_with(self, since: int, *texts: str) -> float | None:
        """perf_counter of the first frame from index ``since`` that shows all ``texts``."""
        for at, output in zip(self.frames[since:], self.outputs[since:], strict=True):
            if all(text in output for text in texts):
                return at
        return None


class FrameClock(FrameRecorder, App[None]):
    """A bare app with a frame recorder."""


class GcWatch:
    """Records every pass of Python's cyclic garbage collector while active.

    A pass over the oldest generation scans every container object in the process and holds
    the event loop meanwhile: the usual cause of a one-off stall in an otherwise fast UI.
    """

    def __init__(self) -> None:
        self.passes: list[tuple[float, float, int]] = []
        """(start, end, generation) of each pass, perf_counter seconds."""
        self._start = 0.0

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._start = now
        else:
            self.passes.append((self._start, now, info["generation"]))

    def paused(self, start: float, end: float) -> float:
        """Seconds the collector ran between ``start`` and ``end``."""
        return sum(max(0.0, min(end, b) - max(start, a)) for a, b, _g in self.passes)

    def full_passes(self) -> list[float]:
        """Durations of the passes over the oldest generation."""
        return [b - a for a, b, g in self.passes if g == 2]


def run_isolated(script: Path, *args: str, env: dict[str, str] | None = None,
                 timeout: float = 900) -> dict[str, Any]:
    """Run a benchmark's measurement (``script`` run as a program) in a fresh interpreter and
    return the JSON object it printed last; its other output lines are printed here.

    One app per process, as in use: no objects left over from other tests, whose size would
    change what each garbage-collector pass costs.
    """
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise AssertionError(f"{script.name} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    for line in lines[:-1]:
        print(line)
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def emit(result: dict[str, Any]) -> None:
    """The last line of an isolated measurement: its result for :func:`run_isolated`."""
    print(json.dumps(result), flush=True)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ------------------------------------------------------------------------------ the diff

_PY_BODY = [
    '    """Return the {noun} for ``{arg}``, cached per tenant."""',
    "    if {arg} is None:",
    '        raise ValueError("{arg} must not be None")',
    "    key = f\"{noun}:{{{arg}.tenant_id}}:{{{arg}.id}}\"",
    "    cached = self._cache.get(key)",
    "    if cached is not None and not cached.expired(now=time.monotonic()):",
    "        return cached.value",
    "    rows = [r for r in self._db.fetch({table!r}, {arg}.id) if r.active]  # active only",
    "    total = sum(r.quantity * r.unit_price for r in rows)",
    "    result = {cls}(id={arg}.id, total=round(total, 2), count=len(rows))",
    "    self._cache[key] = CacheEntry(result, ttl={n})",
    "    return result",
]
_CS_BODY = [
    "        /// <summary>Loads the {noun} for <paramref name=\"{arg}\"/>.</summary>",
    "        public async Task<{cls}> Get{cls}Async(Guid {arg}, CancellationToken ct)",
    "        {{",
    "            if ({arg} == Guid.Empty) throw new ArgumentException(nameof({arg}));",
    "            var rows = await _db.{cls}s.Where(r => r.Id == {arg} && r.Active)",
    "                .OrderBy(r => r.CreatedAt).ToListAsync(ct).ConfigureAwait(false);",
    "            var total = rows.Sum(r => r.Quantity * r.UnitPrice); // {n} max",
    "            _logger.LogInformation(\"Loaded {{Count}} rows for {{Id}}\", rows.Count, {arg});",
    "            return new {cls}({arg}, Math.Round(total, 2), rows.Count);",
    "        }}",
]
_TS_BODY = [
    "  /** Fetch the {noun} for `{arg}` and keep it for {n} seconds. */",
    "  async get{cls}({arg}: string, opts: RequestOptions = {{}}): Promise<{cls} | null> {{",
    "    const key = `{noun}:${{{arg}}}`;",
    "    const hit = this.cache.get(key);",
    "    if (hit && hit.expires > Date.now()) return hit.value as {cls};",
    "    const res = await this.http.get<{cls}[]>(`/api/{table}/${{{arg}}}`, {{ ...opts }});",
    "    const rows = res.data.filter((r) => r.active && r.quantity > 0);",
    "    const value: {cls} = {{ id: {arg}, total: rows.reduce((s, r) => s + r.price, 0) }};",
    "    this.cache.set(key, {{ value, expires: Date.now() + {n} * 1000 }});",
    "    return value;",
    "  }}",
]
_LANGS = (("py", "src/inventory/{name}.py", _PY_BODY),
          ("cs", "Services/{cls}/{cls}Service.cs", _CS_BODY),
          ("ts", "web/src/{name}/{name}.service.ts", _TS_BODY))
_NOUNS = ("stock", "order", "invoice", "shipment", "customer", "supplier", "warehouse", "price")


def _code_line(body: list[str], k: int, rng: random.Random, seed: int) -> str:
    noun = _NOUNS[(seed + k) % len(_NOUNS)]
    return body[k % len(body)].format(
        noun=noun, arg=f"{noun}_id" if body is _PY_BODY else f"{noun}Id", table=f"{noun}s",
        cls=noun.title() + ("Report" if seed % 2 else "Summary"), n=rng.randint(5, 900))


def make_diff(min_lines: int = 20_000, seed: int = 7) -> str:
    """A unified diff of Python, C# and TypeScript files of at least ``min_lines`` lines.

    Every file has a git header and several hunks (3 lines of context, changed blocks,
    additions); about one file in eight is new.
    """
    rng = random.Random(seed)
    out: list[str] = []
    file_no = 0
    while len(out) < min_lines:
        lang, pattern, body = _LANGS[file_no % len(_LANGS)]
        noun = _NOUNS[file_no % len(_NOUNS)]
        path = pattern.format(name=f"{noun}_{file_no}", cls=f"{noun.title()}{file_no}")
        new_file = file_no % 8 == 5
        out.append(f"diff --git a/{path} b/{path}")
        if new_file:
            out += ["new file mode 100644", f"index 0000000..{rng.getrandbits(28):07x}",
                    "--- /dev/null", f"+++ b/{path}"]
            lines = [_code_line(body, k, rng, file_no) for k in range(rng.randint(60, 140))]
            out.append(f"@@ -0,0 +1,{len(lines)} @@")
            out += ["+" + line for line in lines]
        else:
            out += [f"index {rng.getrandbits(28):07x}..{rng.getrandbits(28):07x} 100644",
                    f"--- a/{path}", f"+++ b/{path}"]
            old_no = new_no = rng.randint(1, 30)
            for _hunk in range(rng.randint(3, 9)):
                lines, old_len, new_len = _hunk_lines(body, rng, file_no)
                context = f" def {noun}_{rng.randint(0, 99)}(" if lang == "py" else ""
                out.append(f"@@ -{old_no},{old_len} +{new_no},{new_len} @@{context}")
                out += lines
                gap = rng.randint(20, 120)
                old_no += old_len + gap
                new_no += new_len + gap
        file_no += 1
    return "\n".join(out) + "\n"


def _hunk_lines(body: list[str], rng: random.Random, seed: int) -> tuple[list[str], int, int]:
    lines: list[str] = []
    old_len = new_len = 0
    k = rng.randint(0, 50)
    for _block in range(rng.randint(1, 3)):
        for _ in range(3):
            lines.append(" " + _code_line(body, k, rng, seed))
            k += 1
            old_len += 1
            new_len += 1
        removed, added = rng.randint(0, 6), rng.randint(1, 12)
        for _ in range(removed):
            lines.append("-" + _code_line(body, k, rng, seed))
            k += 1
            old_len += 1
        for _ in range(added):
            lines.append("+" + _code_line(body, k + 3, rng, seed + 1))
            k += 1
            new_len += 1
    for _ in range(3):
        lines.append(" " + _code_line(body, k, rng, seed))
        k += 1
        old_len += 1
        new_len += 1
    return lines, old_len, new_len


# ----------------------------------------------------------------------------- the events

ROLES = ("requirements", "developer", "reviewer", "tester")
PHASES = ("requirements", "development", "review", "testing")
TOOLS = ("list_files", "search_repository", "open_file", "propose_patch")


def _spec_data(n: int) -> dict[str, Any]:
    return {
        "feature_id": f"INV-{n}", "risk_level": "medium",
        "summary": "Add a low-stock report listing items below a threshold, lowest first.",
        "in_scope": [f"Inventory.low_stock(threshold) variant {i}" for i in range(6)],
        "out_of_scope": ["Notifications", "Pagination"],
        "affected_components": ["src/inventory/stock.py", "web/src/stock.ts",
                                "Services/Stock/StockService.cs"],
        "acceptance_criteria": [f"criterion {i}: low_stock({i}) is ordered" for i in range(8)],
    }


def _patch_data(diff: str) -> dict[str, Any]:
    return {"summary": "low-stock report across the three services", "diff": diff,
            "files": ["src/inventory/stock.py", "web/src/stock.ts",
                      "Services/Stock/StockService.cs"]}


def _review_data(round_no: int) -> dict[str, Any]:
    issues = [{"severity": "minor", "category": "naming", "file": "src/inventory/stock.py",
               "line": 40 + i, "problem": f"unclear name (round {round_no}, note {i})",
               "recommended_fix": "rename it after what it returns"} for i in range(3)]
    return {"status": "NEEDS_REVISION" if round_no % 3 else "APPROVED", "issues": issues,
            "summary": f"review round {round_no}"}


def _test_result_data(n: int) -> dict[str, Any]:
    return {"status": "failed" if n % 2 else "passed", "exit_code": n % 2, "passed": 40 + n,
            "failed": n % 2, "errors": 0, "skipped": 1,
            "failed_tests": ["tests/test_stock.py::test_low_stock_order"] if n % 2 else [],
            "log_artifact": n, "failure_slice": "E   assert [3, 1] == [1, 3]\n" * 5,
            "command": ["python", "-m", "pytest", "-q"], "duration_s": 4.2}


_STATUSES = ("APPROVED", "NEEDS_HUMAN_REVIEW", "FAILED", "REJECTED", "BLOCKED_BY_POLICY")


def fill_run_list(db: Path, count: int) -> None:
    """A store holding ``count`` finished runs, as a run list after some weeks of use."""
    from workbench.store import RunStore

    store = RunStore(db)
    base = 1_714_554_000.0
    for i in range(count):
        store.create_run(
            f"run-{i:04d}", f"Task {i}: add a low-stock report and tests for threshold {i}",
            f"/home/dev/src/service-{i % 5}", "openai:gpt-4o-mini",
            status=_STATUSES[i % len(_STATUSES)], started_at=base + i * 3600,
            finished_at=base + i * 3600 + 300 + i, prompt_tokens=9000 + i,
            completion_tokens=1200 + i, cost=0.01 * i, branch=f"workbench/run-{i:04d}")
    store.close()


def make_run_events(run_id: str, count: int = 50_000, seed: int = 3) -> list[EventBase]:
    """A long, realistic stored run: ``count`` events with seqs 1..count.

    Agent turns cycle through the four roles: a phase change, model calls, tool call/result
    pairs (with multi-line results), agent messages, and every so often the artifacts
    (spec, patch with a ~300-line diff, review, test plan and result, static checks, log),
    approvals, steering, budgets and an occasional error. Streamed chunks are live only and
    never stored, so there are none.
    """
    rng = random.Random(seed)
    ts = 1_714_554_000.0
    diff = make_diff(300, seed=seed)
    events: list[EventBase] = []

    def add(kind: str, who: str, **payload: Any) -> None:
        nonlocal ts
        ts += rng.uniform(0.01, 0.8)
        # Written in the 0.1.0 payload shape and upgraded as a store of schema 1 would be.
        events.append(build_event(run_id, len(events) + 1, ts, kind, who, payload, version=1))

    add("run_started", "system", task="Add a low-stock report", repo="/home/dev/src/inventory",
        model="openai:gpt-4o-mini", models={r: "openai:gpt-4o-mini" for r in ROLES},
        scripted=False, branch=f"workbench/{run_id}",
        budgets={"max_turns": 100_000, "max_tool_calls": 100_000, "max_tokens": 10**9})
    turn = 0
    artifact_id = 0
    while len(events) < count - 1:
        role = ROLES[turn % len(ROLES)]
        add("phase_changed", "system", phase=PHASES[turn % len(PHASES)], role=role)
        for call in range(rng.randint(2, 5)):
            add("model_call", role, model="openai:gpt-4o-mini",
                prompt_tokens=rng.randint(800, 9000), completion_tokens=rng.randint(20, 900),
                latency_ms=rng.uniform(200, 4000), cost=0.0004, streamed=True,
                finish_reason="tool_calls" if call else "stop", error=None)
            tool = TOOLS[(turn + call) % len(TOOLS)]
            call_id = f"call_{turn}_{call}"
            add("tool_call", role, name=tool, call_id=call_id,
                arguments={"path": f"src/inventory/module_{call}.py", "query": "low_stock"})
            result = "\n".join(f"src/inventory/module_{call}.py:{40 + i}: def low_stock_{i}("
                               f"self, threshold: int) -> list[Item]:" for i in range(12))
            add("tool_result", role, name=tool, call_id=call_id, content=result,
                is_error=rng.random() < 0.05)
        add("agent_message", role, turn=turn, task="continue",
            content=("I looked at the stock module and the web client. " * rng.randint(2, 12))
            + "\n\nNext I will update the tests.")
        add("budget", "system", name="turns", used=turn + 1, limit=100_000)
        if turn % 40 == 0:
            artifact_id += 1
            add("artifact", "requirements", type="spec", artifact_id=artifact_id,
                data=_spec_data(turn))
            add("approval_requested", "system", gate="spec", message="Review the spec")
            add("approval_given", "human", gate="spec", decision="approve", comment="",
                spec=None, rejected_hunks=[])
        if turn % 40 == 10:
            artifact_id += 1
            add("artifact", "developer", type="patch", artifact_id=artifact_id,
                data=_patch_data(diff))
            add("artifact", "system", type="static_checks", artifact_id=artifact_id + 1,
                data={"ok": True, "changes": [{"path": "src/inventory/stock.py",
                                               "qualified_name": "Inventory.low_stock",
                                               "change": "added"}]})
            add("artifact", "reviewer", type="review", artifact_id=artifact_id + 2,
                data=_review_data(turn))
            artifact_id += 2
        if turn % 40 == 20:
            artifact_id += 1
            add("artifact", "tester", type="test_plan", artifact_id=artifact_id,
                data={"targets": ["Inventory.low_stock"], "focus_tests": ["tests/test_stock.py"],
                      "new_tests": [f"tests/test_low_stock.py::test_case_{i}" for i in range(5)]})
            add("artifact", "tester", type="test_result", artifact_id=artifact_id + 1,
                data=_test_result_data(turn))
            add("artifact", "tester", type="log", artifact_id=artifact_id + 2)
            artifact_id += 2
        if turn % 40 == 30:
            add("approval_requested", "system", gate="final", message="Approve the patch")
            add("approval_given", "human", gate="final", decision="request_changes",
                comment="split the report into two functions",
                rejected_hunks=["src/inventory/stock.py#0"])
            add("steer", "human", text="prefer a dataclass", target_role="developer")
        if turn % 97 == 50:
            add("error", "system", message="model call timed out; retrying")
        turn += 1
    del events[count - 1:]
    add("run_finished", "system", status="NEEDS_HUMAN_REVIEW", reason="review rounds exhausted",
        commit="", branch=f"workbench/{run_id}")
    return events


def patch_artifact_rows(events: list[EventBase], seed: int = 3) -> list[tuple[int, str]]:
    """(artifact id, content) of every patch the events name: diffs live in the artifacts
    table, not in the events."""
    content = json.dumps(_patch_data(make_diff(300, seed=seed)))
    return [(int(e.artifact_id), content) for e in events  # type: ignore[attr-defined]
            if e.kind == "artifact" and e.type == "patch"]  # type: ignore[attr-defined]


def chunk_texts(seed: int = 11) -> Iterator[str]:
    """Streamed model text, a few tokens per chunk, as an OpenAI-compatible server sends it."""
    rng = random.Random(seed)
    words = ("the", "stock", "report", "lists", "items", "below", "a", "threshold,", "ordered",
             "by", "quantity;", "I", "will", "update", "`low_stock`", "and", "its", "tests.",
             "\n\n", "def", "low_stock(self,", "threshold:", "int)", "->", "list[Item]:")
    while True:
        yield " ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) + " "
