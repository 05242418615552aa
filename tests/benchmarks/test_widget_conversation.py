"""ConversationView's own costs: appending streamed chunks, and replay jumps in a long run.

Run with: pytest tests/benchmarks/test_widget_conversation.py -q -s --override-ini addopts=

Widget level, in one headless 120x40 app, alternating with the baseline, fastest run of each
compared (key delay under a live stream, and opening a stored run in the whole app, are
measured by the app-level benchmarks beside this file):

* chunks: 500 ``append_chunk`` calls (the text is only recorded; a timer redraws it in
  batches); baseline: 500 ``Log.write`` calls with the same text;
* replay jumps in a realistic run of 50,000 events (``make_run_events``): folding the events
  into a ``RunState`` (``RunState.from_events``; baseline: a plain list of each event's fields);
  ``ConversationView.load`` and drawing the screen in a freshly mounted widget (it measures
  the wrapped height of every item once), then a jump back to event 45,000 (heights known);
  baseline for both: a ``Log`` cleared and given the first line of each item's text.

Targets (ratios to the baseline in the same run): chunk appends no slower than Log writes;
fold within 20x of the list build; first load within 25x of the Log (the Log wraps nothing);
a replay jump within 3x of the Log.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Log
from tui_bench_support import make_run_events, ms

from agents.events import RunEvent
from agents.run_state import ConversationItem, RunState
from widgets.conversation import ConversationView

SIZE = (120, 40)
RUNS = 5
CHUNKS = 500
EVENTS = 50_000
JUMP_TO = 45_000
CHUNK_RATIO = 1.0
FOLD_RATIO = 20.0
FIRST_LOAD_RATIO = 25.0
JUMP_RATIO = 3.0


class ConversationOrLog(App[None]):
    """The ConversationView and the baseline Log; each gets the whole screen in turn."""

    CSS = "ConversationView, Log { height: 1fr; } .-hidden { display: none; }"

    def compose(self) -> ComposeResult:
        yield ConversationView(id="conversation")
        yield Log(id="log", auto_scroll=False, classes="-hidden")

    def show(self, name: str) -> None:
        self.query_one(ConversationView).set_class(name != "conversation", "-hidden")
        self.query_one(Log).set_class(name != "log", "-hidden")


def _timed(action: Callable[..., object], *args: Any) -> float:
    gc.collect()
    start = time.perf_counter()
    action(*args)
    return time.perf_counter() - start


def _screen(widget: ConversationView | Log) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


def _list_build(events: list[RunEvent]) -> list[tuple[object, ...]]:
    return [(e.seq, e.kind, e.role, e.payload) for e in events]


def _load_and_draw(view: ConversationView, run: RunState) -> list[str]:
    view.load(run)
    return _screen(view)


def _write_and_draw(log: Log, lines: list[str]) -> list[str]:
    log.clear()
    log.write_lines(lines, scroll_end=True)
    return _screen(log)


def _report(name: str, ours: list[float], base: list[float], base_name: str,
            target: float) -> float:
    ratio = min(ours) / min(base)
    print(f"{name}: {ms(min(ours))} (runs {' '.join(ms(t) for t in ours)}); {base_name} "
          f"{ms(min(base))} (runs {' '.join(ms(t) for t in base)}); ratio {ratio:.2f}x "
          f"(target <= {target}x)")
    return ratio


async def test_chunk_appends_within_target_of_a_log() -> None:
    app = ConversationOrLog()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        log = app.query_one(Log)
        ours: list[float] = []
        base: list[float] = []
        for run in range(RUNS):
            app.show("conversation")
            await pilot.pause()

            def append(view: ConversationView = view) -> None:
                for _ in range(CHUNKS):
                    view.append_chunk("developer", "tok ")

            ours.append(_timed(append))
            await pilot.pause(0.1)
            assert "tok tok tok" in "\n".join(_screen(view))
            view.add_item(ConversationItem("developer", "message", f"turn {run}", seq=run))
            app.show("log")
            log.clear()
            await pilot.pause()

            def write(log: Log = log) -> None:
                for _ in range(CHUNKS):
                    log.write("tok ")

            base.append(_timed(write))
    print()
    ratio = _report(f"{CHUNKS} chunks: append_chunk", ours, base, "Log.write", CHUNK_RATIO)
    assert ratio <= CHUNK_RATIO


async def test_replay_jumps_within_target_of_a_list_and_a_log() -> None:
    events = make_run_events("bench", EVENTS)
    app = ConversationOrLog()
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(Log)
        fold: list[float] = []
        fold_base: list[float] = []
        first: list[float] = []
        jump: list[float] = []
        first_base: list[float] = []
        jump_base: list[float] = []
        for _ in range(RUNS):
            fold.append(_timed(RunState.from_events, events))
            fold_base.append(_timed(_list_build, events))
            whole = RunState.from_events(events)
            back = RunState.from_events(events[:JUMP_TO])

            app.show("conversation")
            await app.query_one(ConversationView).remove()
            view = ConversationView(id="conversation")  # nothing measured yet
            await app.mount(view, before=log)
            await pilot.pause()
            first.append(_timed(_load_and_draw, view, whole))
            await pilot.pause()
            jump.append(_timed(_load_and_draw, view, back))
            assert len(view.items) == len(back.items)
            assert back.items[-1].text[:40] in "\n".join(_screen(view))

            whole_lines = [(item.text.splitlines() or [""])[0] for item in whole.items]
            app.show("log")
            log.clear()
            await pilot.pause()
            first_base.append(_timed(_write_and_draw, log, whole_lines))
            jump_base.append(_timed(_write_and_draw, log, whole_lines[:len(back.items)]))
            await pilot.pause()
    print(f"\nrun of {EVENTS} events, {len(whole.items)} conversation items; "
          f"jump back to event {JUMP_TO}")
    fold_ratio = _report("fold RunState.from_events", fold, fold_base, "list of event fields",
                         FOLD_RATIO)
    first_ratio = _report("first load + draw (fresh widget)", first, first_base,
                          "Log.write_lines + draw", FIRST_LOAD_RATIO)
    jump_ratio = _report("load + draw, replay jump", jump, jump_base, "Log.write_lines + draw",
                         JUMP_RATIO)
    assert fold_ratio <= FOLD_RATIO
    assert first_ratio <= FIRST_LOAD_RATIO
    assert jump_ratio <= JUMP_RATIO
