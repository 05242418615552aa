"""`workbench serve`: the same app in a browser, through textual-serve.

Each browser tab gets its own ``workbench`` process (the run list, or the demo with ``--demo``)
with this process's environment, so ``WORKBENCH_DB``, ``WORKBENCH_CONFIG`` and the data dir are
the ones the terminal app would use. The server has no login: whoever reaches the port drives
the app and its runs, hence loopback by default and ``--public`` to bind anything else.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from textual_serve.server import Server

# The page textual-serve renders asks a font host for Roboto Mono; the same font ships in its
# static folder, so the page is served with that file instead and makes no third-party request.
_FONT_LINK = re.compile(r"<link[^>]*fonts\.googleapis\.com[^>]*>", re.DOTALL)
_LOCAL_FONT = ("<style>@font-face {{ font-family: 'Roboto Mono'; "
               "src: url('{static}fonts/RobotoMono-VariableFont_wght.ttf'); }}</style>")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def app_command(db: Path | None, demo: bool) -> str:
    """The shell command textual-serve starts for each browser session: this interpreter
    running ``workbench`` (``demo`` with ``demo``), on the store this command was given."""
    argv = [sys.executable, "-m", "workbench"]
    if db is not None:
        argv += ["--db", str(db.expanduser().resolve())]
    if demo:
        argv.append("demo")
    return shlex.join(argv)


def local_page(html: str, static_url: str) -> str:
    """textual-serve's page with the remote font link replaced by the bundled font."""
    return _FONT_LINK.sub(lambda _m: _LOCAL_FONT.format(static=static_url), html, count=1)


def make_server(command: str, host: str, port: int, public_url: str | None) -> Server:
    """A textual-serve server for ``command`` whose page loads nothing from other hosts and
    that ends its browser sessions' apps when it stops."""
    import asyncio

    from aiohttp import web
    from textual_serve.server import Server

    class WorkbenchServer(Server):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.sessions: set[asyncio.Task[object]] = set()

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            response = await super().handle_index(request)
            if not isinstance(response, web.Response):  # the template renders a whole page
                return response
            static = f"{self.public_url}/static/"
            return web.Response(text=local_page(response.text or "", static),
                                content_type="text/html", charset="utf-8")

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            task = asyncio.current_task()
            if task is not None:
                self.sessions.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions.discard(task)

        async def on_shutdown(self, app: web.Application) -> None:
            # aiohttp waits up to a minute for open handlers: an open tab would hold ctrl+c
            # that long. Cancelled, a session tells its app to quit and waits for it to end
            # (a run it was driving is then marked interrupted, as on quitting the app).
            for task in list(self.sessions):
                task.cancel()

    return WorkbenchServer(command, host=host, port=port, title="Workbench",
                           public_url=public_url)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; other than loopback needs --public.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--demo", is_flag=True, help="Each browser session starts the bundled demo run.")
@click.option("--public", is_flag=True,
              help="Allow a non-loopback --host: anyone who reaches it drives the app (no login).")
@click.option("--public-url", default=None, metavar="URL",
              help="The address browsers use, when it is not http://HOST:PORT (a proxy, or a "
                   "--host of 0.0.0.0).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, demo: bool, public: bool,
          public_url: str | None) -> None:
    """Serve the app to a browser (textual-serve): open http://HOST:PORT; each tab runs its
    own app on the same run store and config."""
    if not is_loopback(host):
        if not public:
            raise click.UsageError(
                f"--host {host} would let anyone who reaches this machine drive Workbench and "
                "its runs (there is no login); add --public to do it anyway")
        click.secho(f"WARNING: serving Workbench on {host}:{port} with no login: anyone who "
                    "reaches this address can start, approve and apply runs", err=True,
                    fg="red", bold=True)
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        raise click.ClickException(
            "textual-serve is not installed: pip install textual-serve") from None
    db: Path | None = ctx.ensure_object(dict).get("db")
    server = make_server(app_command(db, demo), host, port, public_url)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise click.ClickException(
            f"cannot listen on {host}:{port}: "
            f"{os.strerror(exc.errno).lower() if exc.errno else exc}") from None
