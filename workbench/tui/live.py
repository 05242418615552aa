"""A live run for the TUI: the engine runs on its own thread and event loop; the screen hears
about it only through events, and acts through the run's control object (thread-safe)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from agents.contracts import Approval
from agents.events import EventBase
from workbench.engine.base import RunOutcome
from workbench.engine.control import RunControl
from workbench.engine.pipeline import Pipeline


class LiveRun:
    def __init__(
        self,
        pipeline: Pipeline,
        on_event: Callable[[EventBase], None],
        on_done: Callable[[RunOutcome | None, str], None],
    ) -> None:
        self.pipeline = pipeline
        self.control: RunControl = pipeline.control
        self._on_done = on_done
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[RunOutcome] | None = None
        self._lock = threading.Lock()
        self._stop_requested = False
        self._thread = threading.Thread(target=self._main, name=f"run-{pipeline.run_id}",
                                        daemon=True)
        pipeline.bus.subscribe(on_event)

    @property
    def run_id(self) -> str:
        return self.pipeline.run_id

    def start(self) -> None:
        if not self._thread.is_alive() and self._loop is None:
            self._thread.start()

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self.control.bind(loop)
        try:
            with self._lock:
                self._task = loop.create_task(self.pipeline.run())
                if self._stop_requested:
                    # stop() came before the task existed: cancel once it has begun, so the
                    # pipeline records the interruption instead of never starting at all.
                    loop.call_soon(self._task.cancel)
            outcome = loop.run_until_complete(self._task)
            self._on_done(outcome, "")
        except asyncio.CancelledError:
            self._on_done(None, "interrupted; resume it from the run list (R)")
        except Exception as exc:  # the engine records its own errors; this is a last resort
            self._on_done(None, f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:  # stop() must not schedule on a closing loop
                loop.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def stopping(self) -> bool:
        """Asked to stop; the engine may still be recording its interruption."""
        return self._stop_requested

    def stop(self) -> None:
        """Cancel the run; its events so far stay in the store and `resume` continues it.
        The engine records ``run_interrupted`` on its own thread: :meth:`join` waits for it."""
        with self._lock:
            self._stop_requested = True
            loop, task = self._loop, self._task
            if loop is not None and task is not None and not loop.is_closed():
                loop.call_soon_threadsafe(task.cancel)

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the engine thread; True once it has ended."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    # human actions ------------------------------------------------------------------------
    def answer_gate(self, approval: Approval) -> None:
        self.control.resolve(approval)

    def steer(self, text: str, target: str = "next") -> None:
        """``target``: "next" (the next agent turn) or a role's name (its next turn)."""
        self.pipeline.steer(text, target)

    def set_step_mode(self, on: bool) -> None:
        self.control.set_step_mode(on)

    def continue_step(self) -> None:
        self.control.continue_step()

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()
