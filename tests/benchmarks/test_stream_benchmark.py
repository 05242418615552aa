"""500 streamed chunks per second leave key handling responsive.

Run with: pytest tests/benchmarks/test_stream_benchmark.py -q -s --override-ini addopts=

A thread posts streamed model text to the screen at 500 chunks/s for 3 s (a finished message
every 250 chunks, as the engine posts them: thread-safe ``post_message``), while another
thread presses up/down every 20 ms the way the terminal driver delivers keys. Measured: the
delay from each key press until the focused conversation's action handler runs; baseline =
the same keys with no stream, in the same run, in a fresh interpreter (one app per process,
as in use). Two set-ups:

* ``ConversationView``: the widget alone under a screen that appends each chunk;
* ``RunScreen``: the live run screen of WorkbenchApp, fed ``model_chunk`` and
  ``agent_message`` EventBases through ``RunScreen.post_event``, the engine's own path.

Targets: key delay p95 under 50 ms while streaming, and within two frames (33 ms) of the
p95 without the stream.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import events, on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer
from tui_bench_support import (
    GcWatch,
    chunk_texts,
    emit,
    make_run_events,
    ms,
    percentile,
    run_isolated,
)

from agents.events import EventBase, make_event
from agents.run_state import ConversationItem, RunState
from widgets.conversation import ConversationView
from workbench.config import load_settings
from workbench.store import RunStore
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.run import LiveRunScreen

SIZE = (160, 48)
RATE = 500
SECONDS = 3.0
TURN_CHUNKS = 250
KEY_EVERY = 0.020
HISTORY_EVENTS = 2_000
P95_TARGET = 0.050
FRAME = 1 / 60


class Chunk(Message):
    def __init__(self, role: str, text: str) -> None:
        super().__init__()
        self.role = role
        self.text = text


class Said(Message):
    def __init__(self, role: str, text: str) -> None:
        super().__init__()
        self.role = role
        self.text = text


class StreamScreen(Screen[None]):
    """A conversation pane fed chunk messages (what RunScreen does, minus the other panes)."""

    def __init__(self, history: RunState) -> None:
        super().__init__()
        self.history = history

    def on_mount(self) -> None:
        self.query_one(ConversationView).load(self.history)

    def compose(self) -> ComposeResult:
        yield ConversationView(id="conversation")
        yield Footer()

    @on(Chunk)
    def _chunk(self, message: Chunk) -> None:
        self.query_one(ConversationView).append_chunk(message.role, message.text)

    @on(Said)
    def _said(self, message: Said) -> None:
        self.query_one(ConversationView).add_item(
            ConversationItem(message.role, "message", message.text))


def _settle_heap() -> None:
    gc.collect()
    gc.freeze()


class StreamApp(App[None]):
    def __init__(self, history: RunState) -> None:
        super().__init__()
        self.history = history

    def on_mount(self) -> None:
        self.push_screen(StreamScreen(self.history))
        # The same heap policy as WorkbenchApp after its first frame.
        self.call_after_refresh(_settle_heap)


@dataclass
class Probe:
    """Key press and handler times of one phase."""

    sent: list[float] = field(default_factory=list)
    handled: list[float] = field(default_factory=list)
    chunks: int = 0

    def delays(self) -> list[float]:
        assert len(self.handled) == len(self.sent), "a key was lost"
        return [h - s for s, h in zip(self.sent, self.handled, strict=True)]


def _instrument(view: ConversationView) -> list[Probe]:
    """Time every up/down handler call and count chunks, into the current probe."""
    current: list[Probe] = [Probe()]
    select, append = view.action_select, view.append_chunk

    def timed_select(delta: int) -> None:
        current[0].handled.append(time.perf_counter())
        select(delta)

    def counted_append(role: str, text: str) -> None:
        current[0].chunks += 1
        append(role, text)

    view.action_select = timed_select  # type: ignore[method-assign]
    view.append_chunk = counted_append  # type: ignore[method-assign]
    return current


def _press_keys(app: App[None], probe: Probe, stop: threading.Event) -> None:
    """Like the terminal driver: keys arrive from another thread, on real time.

    A key counts as pressed at its scheduled time: while the process is held up (the GIL
    busy, a GC pass) the user keeps typing and the terminal buffers the keys.
    """
    down = True
    next_at = time.perf_counter()
    while not stop.is_set():
        next_at += KEY_EVERY
        time.sleep(max(0.0, next_at - time.perf_counter()))
        probe.sent.append(next_at)
        app.post_message(events.Key("down" if down else "up", None))
        down = not down


def _stream(chunk: Callable[[str, str], None], said: Callable[[str, str], None],
            stop: threading.Event) -> None:
    """RATE chunks a second, on real time; a finished message every TURN_CHUNKS."""
    texts = chunk_texts()
    roles = ("developer", "reviewer", "tester", "requirements")
    turn: list[str] = []
    sent = 0
    start = time.perf_counter()
    while not stop.is_set():
        due = int((time.perf_counter() - start) * RATE)
        while sent < due:
            role = roles[(sent // TURN_CHUNKS) % len(roles)]
            text = next(texts)
            chunk(role, text)
            turn.append(text)
            sent += 1
            if sent % TURN_CHUNKS == 0:
                said(role, "".join(turn))
                turn.clear()
        time.sleep(0.001)


async def _phase(app: App[None], probes: list[Probe], stream: tuple[Callable[[str, str], None],
                 Callable[[str, str], None]] | None) -> tuple[Probe, GcWatch]:
    probe = probes[0] = Probe()
    stop = threading.Event()
    threads = [threading.Thread(target=_press_keys, args=(app, probe, stop), daemon=True)]
    if stream is not None:
        threads.append(threading.Thread(target=_stream, args=(*stream, stop), daemon=True))
    with GcWatch() as watch:
        for thread in threads:
            thread.start()
        await asyncio.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join()
        await asyncio.sleep(0.3)  # let the last keys through
    return probe, watch


def _report(name: str, base: Probe, streamed: Probe, watch: GcWatch) -> tuple[float, float]:
    quiet, busy = base.delays(), streamed.delays()
    p95_quiet, p95_busy = percentile(quiet, 95), percentile(busy, 95)
    full = watch.full_passes()
    in_gc = [watch.paused(s, h) for s, h in zip(streamed.sent, streamed.handled, strict=True)]
    without_gc = [d - g for d, g in zip(busy, in_gc, strict=True)]
    print(f"{name}: no stream: key delay p50 {ms(percentile(quiet, 50))} p95 {ms(p95_quiet)} "
          f"max {ms(max(quiet))} ({len(quiet)} keys)")
    print(f"{name}: {streamed.chunks / SECONDS:.0f} chunks/s: key delay "
          f"p50 {ms(percentile(busy, 50))} p95 {ms(p95_busy)} max {ms(max(busy))} "
          f"({len(busy)} keys); p95 ratio {p95_busy / p95_quiet:.1f}x, "
          f"+{ms(p95_busy - p95_quiet)}")
    print(f"{name}:   full GC passes while streaming: {len(full)}, longest "
          f"{ms(max(full, default=0.0))}; keys held up by GC: {sum(1 for g in in_gc if g)}; "
          f"with GC time taken out: p95 {ms(percentile(without_gc, 95))} "
          f"max {ms(max(without_gc))}")
    return p95_quiet, p95_busy


def _check(name: str, streamed: Probe, p95_quiet: float, p95_busy: float) -> list[str]:
    problems = []
    if streamed.chunks < RATE * SECONDS * 0.95:
        problems.append(f"{name}: only {streamed.chunks} chunks were delivered")
    if p95_busy >= P95_TARGET:
        problems.append(f"{name}: p95 {ms(p95_busy)} >= {ms(P95_TARGET)}")
    if p95_busy > p95_quiet + 2 * FRAME:
        problems.append(f"{name}: p95 {ms(p95_busy)} > quiet p95 {ms(p95_quiet)} + two frames")
    return problems


async def _conversation_view() -> tuple[Probe, Probe, GcWatch]:
    app = StreamApp(RunState.from_events(make_run_events("bench", HISTORY_EVENTS)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(ConversationView)
        view.focus()
        probes = _instrument(view)
        await pilot.pause()
        base, _ = await _phase(app, probes, None)
        stream = (lambda role, text: screen.post_message(Chunk(role, text)),
                  lambda role, text: screen.post_message(Said(role, text)))
        streamed, watch = await _phase(app, probes, stream)
        assert view.items[-1].kind == "message", "the streamed turns did not arrive"
    return base, streamed, watch


async def _run_screen(tmp_path: Path) -> tuple[Probe, Probe, GcWatch]:
    store = RunStore(tmp_path / "runs.db")
    store.create_run("live", "Add a low-stock report", "/home/dev/src/inventory",
                     "openai:gpt-4o-mini", status="RUNNING")
    store.append_many(make_run_events("live", HISTORY_EVENTS)[:-1])  # still running
    app = WorkbenchApp(store, load_settings())
    screen = LiveRunScreen(store, "live")
    seq = [HISTORY_EVENTS]

    def event(kind: str, role: str, **payload: object) -> EventBase:
        seq[0] += 1
        return make_event(kind, run_id="live", seq=seq[0], role=role, **payload)

    stream = (lambda role, text: screen.post_event(event("model_chunk", role, text=text)),
              lambda role, text: screen.post_event(event("agent_message", role, content=text,
                                                         turn=seq[0], task="continue")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(screen)
        await pilot.pause()
        view = screen.query_one(ConversationView)
        view.focus()
        probes = _instrument(view)
        await pilot.pause()
        base, _ = await _phase(app, probes, None)
        streamed, watch = await _phase(app, probes, stream)
        assert view.items[-1].kind == "message", "the streamed turns did not arrive"
    store.close()
    return base, streamed, watch


async def measure(tmp_path: Path) -> dict[str, Any]:
    problems: list[str] = []
    gc.collect()
    print(f"{len(gc.get_objects())} objects tracked by the GC before the test")
    base, streamed, watch = await _conversation_view()
    problems += _check("ConversationView", streamed, *_report("ConversationView", base,
                                                              streamed, watch))
    base, streamed, watch = await _run_screen(tmp_path)
    problems += _check("RunScreen", streamed, *_report("RunScreen (live)", base, streamed,
                                                       watch))
    return {"problems": problems}


def test_streaming_500_chunks_per_second_keeps_keys_responsive(tmp_path: Path) -> None:
    env = {"WORKBENCH_CONFIG": str(tmp_path / "config.yaml"),
           "WORKBENCH_DB": str(tmp_path / "runs.db"),
           "WORKBENCH_DATA_DIR": str(tmp_path / "data")}
    print()
    problems = run_isolated(Path(__file__), str(tmp_path), env=env)["problems"]
    assert not problems, "; ".join(problems)


if __name__ == "__main__":
    emit(asyncio.run(measure(Path(sys.argv[1]))))
