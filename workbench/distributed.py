"""Runs beyond one process: AutoGen Core's gRPC runtime routes a run to a worker.

One host (``workbench host``: autogen-ext's ``GrpcWorkerAgentRuntimeHost``) and N workers
(``workbench worker --name N``), each registering the agent type ``workbench_worker_N``. A
run is created in the store as usual, then sent as a :class:`RunAssignment` to a worker,
which drives it with the same engine as an in-process run (``open_pipeline``) and answers
with a :class:`RunReport`. The store is shared: every event a worker records is in the
run's store at once, where ``show``, the run list and a watching app read it.

Sandbox commands can go to a build worker too (``sandbox.build_host`` and
``build_worker``: :mod:`workbench.remote_build`). Not yet: a host that picks a free worker
by itself.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autogen_core import (
    AgentId,
    MessageContext,
    RoutedAgent,
    message_handler,
    try_get_known_serializers_for_type,
)

from workbench.remote_build import BuildRequest, BuildResult, run_build

WORKER_TYPE = "workbench_worker_{name}"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass
class RunAssignment:
    """Drive run ``run_id`` of the store at ``db`` (a path every worker can open)."""

    run_id: str
    db: str
    auto_approve: bool = False


@dataclass
class RunReport:
    run_id: str
    status: str
    reason: str
    worker: str


@dataclass
class Ping:
    """Is the worker there? The host drops a message to an unknown agent type without a
    word, so a dispatcher asks first, with a deadline."""


@dataclass
class Pong:
    worker: str


class WorkerMissing(RuntimeError):
    """No worker of that name answered through the host."""


PING_TIMEOUT_S = 15.0


def first_line(exc: BaseException) -> str:
    """An error in one line: a gRPC error's details, else its text, else its type."""
    details = getattr(exc, "details", None)
    lines = str(details() if callable(details) else exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def worker_type(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"bad worker name {name!r}: letters, digits, - and _ (at most 40)")
    return WORKER_TYPE.format(name=name)


class RunWorker(RoutedAgent):
    """Drives the runs the host routes to it, one at a time."""

    def __init__(self, name: str, driving: _Driving | None = None) -> None:
        super().__init__(f"workbench worker {name}")
        self._name = name
        self._one = asyncio.Lock()
        self._driving = driving or _Driving()

    @message_handler
    async def on_assignment(self, message: RunAssignment, ctx: MessageContext) -> RunReport:
        from workbench.engine.runner import open_pipeline
        from workbench.store import RunStore

        async with self._one:
            with self._driving:
                try:
                    engine = open_pipeline(RunStore(message.db), message.run_id,
                                           auto_approve=message.auto_approve or None)
                    engine.worker = self._name
                    outcome = await engine.run()
                except Exception as exc:  # noqa: BLE001 - to the dispatcher, in one line
                    return RunReport(message.run_id, "FAILED", first_line(exc), self._name)
        return RunReport(outcome.run_id, outcome.status.value, outcome.reason, self._name)

    @message_handler
    async def on_ping(self, message: Ping, ctx: MessageContext) -> Pong:
        return Pong(self._name)

    @message_handler
    async def on_build(self, message: BuildRequest, ctx: MessageContext) -> BuildResult:
        """A sandbox command of a run driven elsewhere (not behind the run lock: a run
        here may send its own commands to this worker)."""
        return await run_build(message)


def _serializers(runtime: object) -> None:
    for cls in (RunAssignment, RunReport, Ping, Pong, BuildRequest, BuildResult):
        runtime.add_message_serializer(  # type: ignore[attr-defined]
            try_get_known_serializers_for_type(cls))


async def serve_host(address: str, stop: asyncio.Event) -> None:
    from autogen_ext.runtimes.grpc import GrpcWorkerAgentRuntimeHost

    host = GrpcWorkerAgentRuntimeHost(address=address)
    host.start()
    try:
        await stop.wait()
    finally:
        await host.stop()


class HostLost(RuntimeError):
    """The worker cannot reach its host, or the host stopped answering."""


HEARTBEAT_S = 5.0


async def serve_worker(host_address: str, name: str, stop: asyncio.Event,
                       ready: asyncio.Event | None = None, heartbeat_s: float = HEARTBEAT_S,
                       deadline_s: float = PING_TIMEOUT_S,
                       answered: Callable[[], None] | None = None) -> None:
    """Serve until ``stop``. Every ``heartbeat_s`` the worker pings itself through the host
    (AutoGen's runtime does not notice a host that went away); a host that does not answer
    within ``deadline_s`` raises :class:`HostLost`, once a run being driven here has ended
    (its events are in the store, not with the host). ``answered`` runs after each
    heartbeat the host answered."""
    from autogen_ext.runtimes.grpc import GrpcWorkerAgentRuntime

    kind = worker_type(name)
    runtime = GrpcWorkerAgentRuntime(host_address=host_address)
    try:
        await runtime.start()
    except Exception as exc:  # noqa: BLE001 - gRPC's errors, in one line
        raise HostLost(f"cannot reach the host at {host_address}: {first_line(exc)}") from None
    driving = _Driving()
    lost: HostLost | None = None
    try:
        _serializers(runtime)
        await RunWorker.register(runtime, kind, lambda: RunWorker(name, driving))
        if ready is not None:
            ready.set()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), heartbeat_s)
            except TimeoutError:
                try:
                    await _ping(runtime, name, deadline_s)
                except Exception as exc:  # noqa: BLE001 - a deadline or a broken channel
                    await driving.idle.wait()
                    lost = HostLost(f"the host at {host_address} stopped answering: "
                                    f"{first_line(exc)}")
                    raise lost from None
                if answered is not None:
                    answered()
    finally:
        try:
            await runtime.stop()
        except Exception:
            if lost is None:
                raise
            # closing the channel to a host that went away fails: the loss is the news


class _Driving:
    """How many runs this worker is driving; ``idle`` is set while none."""

    def __init__(self) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()

    def __enter__(self) -> None:
        self.count += 1
        self.idle.clear()

    def __exit__(self, *_: object) -> None:
        self.count -= 1
        if not self.count:
            self.idle.set()


async def send_build(host_address: str, worker: str, request: BuildRequest) -> BuildResult:
    """One sandbox command on a build worker (asked first whether it is there)."""
    from autogen_ext.runtimes.grpc import GrpcWorkerAgentRuntime

    runtime = GrpcWorkerAgentRuntime(host_address=host_address)
    await runtime.start()
    try:
        _serializers(runtime)
        await _ping(runtime, worker)
        reply = await runtime.send_message(request, AgentId(worker_type(worker), "build"))
    finally:
        await runtime.stop()
    if not isinstance(reply, BuildResult):
        raise RuntimeError(f"unexpected reply {type(reply).__name__}")
    return reply


async def _ping(runtime: Any, name: str, deadline_s: float = PING_TIMEOUT_S) -> None:
    try:
        await asyncio.wait_for(runtime.send_message(
            Ping(), AgentId(worker_type(name), "ping")), deadline_s)
    except TimeoutError:
        raise WorkerMissing(f"no worker {name!r} answered through the host within "
                            f"{deadline_s:.0f} s") from None


async def dispatch(host_address: str, assignments: Sequence[tuple[RunAssignment, str]]
                   ) -> list[RunReport]:
    """Send each run to its worker (in parallel) and wait for their reports."""
    from autogen_ext.runtimes.grpc import GrpcWorkerAgentRuntime

    runtime = GrpcWorkerAgentRuntime(host_address=host_address)
    await runtime.start()
    try:
        _serializers(runtime)
        for name in sorted({w for _, w in assignments}):
            await _ping(runtime, name)
        replies = await asyncio.gather(*(
            runtime.send_message(a, AgentId(worker_type(w), a.run_id)) for a, w in assignments))
    finally:
        await runtime.stop()
    return [r if isinstance(r, RunReport) else RunReport(a.run_id, "FAILED",
                                                         f"unexpected reply {r!r}", w)
            for r, (a, w) in zip(replies, assignments, strict=True)]
