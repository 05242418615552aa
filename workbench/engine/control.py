"""Human control of a live run: gates (Futures the UI or CLI resolves), steering, step mode, pause.

Every public method is safe to call from another thread (the TUI runs the engine in a worker).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from agents.contracts import Approval


class WaitingForApproval(Exception):
    """Raised in headless mode without auto-approve: the run parks at the gate."""

    def __init__(self, gate: str) -> None:
        super().__init__(f"waiting for approval at the {gate} gate")
        self.gate = gate


GateHandler = Callable[[str, dict[str, object]], Awaitable[Approval]]


class RunControl:
    """The engine awaits gates and checkpoints here; humans act through the same object."""

    def __init__(self, *, interactive: bool, auto_approve: bool = False) -> None:
        self.interactive = interactive
        self.auto_approve = auto_approve
        self.step_mode = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate: asyncio.Future[Approval] | None = None
        self._running = asyncio.Event()
        self._running.set()
        self._step = asyncio.Event()
        self._one_turn = False
        self._steers: list[tuple[str, str]] = []

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def _call(self, fn: Callable[[], None]) -> None:
        if self._loop is None or self._loop.is_closed():
            fn()
        else:
            self._loop.call_soon_threadsafe(fn)

    # gates --------------------------------------------------------------------------------
    @property
    def gate_open(self) -> bool:
        return self._gate is not None and not self._gate.done()

    async def wait_for_approval(self, gate: str) -> Approval:
        loop = asyncio.get_running_loop()
        self._gate = loop.create_future()
        try:
            return await self._gate
        finally:
            self._gate = None

    def resolve(self, approval: Approval) -> None:
        def _set() -> None:
            if self._gate is not None and not self._gate.done():
                self._gate.set_result(approval)

        self._call(_set)

    # steering -----------------------------------------------------------------------------
    def steer(self, text: str, target: str = "next") -> None:
        """A message for the next turn (``target`` "next") or for the next turn of a role."""
        self._steers.append((text, target))

    def restore_steers(self, pending: list[tuple[str, str]]) -> None:
        """Steers recorded but not delivered before the run stopped (a resumed run)."""
        if not self._steers:
            self._steers = list(pending)

    def take_steers(self, role: str) -> list[str]:
        """The messages for a turn of ``role``: those for the next turn and those addressed
        to it; messages for other roles wait for theirs."""
        taken = [text for text, target in self._steers if target in ("next", role)]
        self._steers = [(t, target) for t, target in self._steers
                        if target not in ("next", role)]
        return taken

    # step mode and pause ------------------------------------------------------------------
    def set_step_mode(self, on: bool) -> None:
        self.step_mode = on
        if not on:
            self._call(self._step.set)

    def continue_step(self) -> None:
        """Go on past the step gate; while paused, run exactly one turn and pause again."""
        def _go() -> None:
            if not self._running.is_set():
                self._one_turn = True
                self._running.set()
            self._step.set()

        self._call(_go)

    def pause(self) -> None:
        self._call(self._running.clear)

    def resume(self) -> None:
        def _go() -> None:
            self._one_turn = False
            self._running.set()

        self._call(_go)

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def turn_done(self) -> None:
        """After every agent turn (engine loop): the one turn asked for while paused is
        done, so the run is paused again."""
        if self._one_turn:
            self._one_turn = False
            self._running.clear()

    async def checkpoint(self, after_turn: bool) -> None:
        """Called between agent turns: honours pause and, after a turn, step mode."""
        if after_turn and self.step_mode:
            self._step.clear()
            await self._step.wait()
        await self._running.wait()
