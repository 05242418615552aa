"""`workbench host` and `workbench worker`: the processes of a distributed deployment (see
:mod:`workbench.distributed`). A run goes to a worker with `workbench run --host ADDR
--worker NAME`."""

from __future__ import annotations

import asyncio
import signal

import click


def _until_signalled(main: object) -> None:
    """Run ``main(stop)`` until SIGINT or SIGTERM sets ``stop``."""

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)  # type: ignore[operator]

    asyncio.run(go())


@click.command()
@click.option("--port", type=int, default=50051, show_default=True)
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="Address to listen on (another one exposes the host to the network).")
def host(port: int, bind: str) -> None:
    """The gRPC host that routes runs to `workbench worker` processes."""
    from workbench.cli import _echo
    from workbench.distributed import serve_host

    address = f"{bind}:{port}"

    async def main(stop: asyncio.Event) -> None:
        serving = asyncio.create_task(serve_host(address, stop))
        await asyncio.sleep(0)
        _echo(f"host listening on {address}")
        await serving

    _until_signalled(main)


@click.command()
@click.option("--host", "host_address", required=True, metavar="ADDR",
              help="The host's address, e.g. 127.0.0.1:50051.")
@click.option("--name", required=True, help="This worker's name (unique on the host).")
def worker(host_address: str, name: str) -> None:
    """A worker: drives the runs the host routes to it, in the store each run names."""
    from workbench.cli import _echo
    from workbench.distributed import HostLost, serve_worker, worker_type

    try:
        worker_type(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--name") from None

    async def main(stop: asyncio.Event) -> None:
        ready = asyncio.Event()
        serving = asyncio.create_task(serve_worker(host_address, name, stop, ready))
        waiting = asyncio.create_task(ready.wait())
        done, _ = await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if waiting in done:
            _echo(f"worker {name} ready on {host_address}")
        else:
            waiting.cancel()
        await serving

    try:
        _until_signalled(main)
    except HostLost as exc:
        raise click.ClickException(f"worker {name}: {exc}") from None
