"""`workbench export RUN --format ...` (and `--post URL`), and `workbench serve-approvals`: a
small HTTP endpoint on 127.0.0.1 that records decisions sent back by a card, hours later."""

from __future__ import annotations

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

SECRET_ENV = "WORKBENCH_HANDOFF_SECRET"


def _secret(name: str, required: bool) -> str:
    value = os.environ.get(name, "")
    if required and not value:
        raise click.ClickException(f"no signing secret: set {name} (or --secret-env NAME)")
    return value


def _post(url: str, payload: Any, secret: str) -> tuple[int, int]:
    """POST ``payload`` signed; retried on connection errors and 5xx. (status, attempts)."""
    import httpx
    from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

    from workbench.handoff_signing import signed_headers

    body = json.dumps(payload, default=str).encode()
    attempts = 0

    class _Retry(Exception):
        pass

    @retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.2, max=2),
           retry=retry_if_exception_type((httpx.TransportError, _Retry)), reraise=True)
    def send() -> int:
        nonlocal attempts
        attempts += 1
        response = httpx.post(url, content=body, headers=signed_headers(secret, body),
                              timeout=10)
        if response.status_code >= 500:
            raise _Retry(f"HTTP {response.status_code}")
        return response.status_code

    try:
        return send(), attempts
    except (httpx.TransportError, _Retry) as exc:
        raise click.ClickException(f"could not post to {urlsplit(url).netloc} after "
                                   f"{attempts} attempt(s): {exc}") from None


@click.command("export")
@click.argument("run_id")
@click.option("--format", "fmt", type=click.Choice(["pr-body", "json", "webhook", "teams",
                                                    "slack"]), default="pr-body",
              show_default=True, help="What to produce.")
@click.option("--post", "url", default=None, help="POST it (signed) to this URL.")
@click.option("--secret-env", default=SECRET_ENV, show_default=True,
              help="The environment variable that holds the HMAC signing secret.")
@click.pass_context
def export(ctx: click.Context, run_id: str, fmt: str, url: str | None, secret_env: str) -> None:
    """A run's result as a pull-request body, JSON, the webhook payload, a Teams card or a
    Slack message; with --post it is sent, signed, and the delivery is recorded on the run."""
    from agents.fold import fold
    from workbench.cli import _echo, _echo_json, _store
    from workbench.engine.evidence_bundle import build_bundle
    from workbench.handoff import render

    store = _store(ctx)
    record = store.find_run(run_id)
    bundle = build_bundle(fold(store.iter_events(record.run_id)))
    out = render(fmt, bundle, record.repo)
    if url is None:
        _echo(out) if isinstance(out, str) else _echo_json(out)
        return
    if urlsplit(url).scheme not in ("http", "https"):
        raise click.UsageError("--post needs an http(s) URL")
    status, attempts = _post(url, {"text": out} if isinstance(out, str) else out,
                             _secret(secret_env, required=True))
    from workbench.engine.bus import EventBus

    EventBus(store, record.run_id).emit("handoff", "human", format=fmt,
                                        host=urlsplit(url).netloc, status_code=status,
                                        attempts=attempts)
    if status >= 400:
        raise click.ClickException(f"{urlsplit(url).netloc} refused the {fmt}: HTTP {status}")
    _echo(f"posted the {fmt} of {record.run_id} to {urlsplit(url).netloc}: HTTP {status}")


def _handler(db: Path, secret: str) -> type[BaseHTTPRequestHandler]:
    class Decisions(BaseHTTPRequestHandler):
        def _answer(self, code: int, data: dict[str, Any]) -> None:
            body = json.dumps(data).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            from agents.contracts import Decision
            from workbench.handoff_signing import check
            from workbench.store import RunStore

            size = int(self.headers.get("Content-Length") or 0)
            if size > 64_000:
                self._answer(413, {"error": "too large"})
                return
            body = self.rfile.read(size)
            refused = check(secret, dict(self.headers.items()), body, db)
            if refused is not None:
                self._answer(409 if refused == "replayed request" else 401, {"error": refused})
                return
            try:
                data = json.loads(body)
                decision = Decision(str(data["decision"]))
                rid = str(data["run_id"])
            except (ValueError, KeyError, TypeError):
                self._answer(400, {"error": "expected {run_id, decision[, comment]}"})
                return
            from workbench.engine.runner import approve_run
            from workbench.errors import USER_ERRORS

            try:
                approval = approve_run(RunStore(db), rid, decision,
                                       str(data.get("comment") or ""))
            except USER_ERRORS as exc:
                self._answer(422, {"error": str(exc).splitlines()[0]})
                return
            self._answer(200, {"recorded": approval.decision.value, "gate": approval.gate,
                               "run_id": rid})

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: decisions are recorded as events

    return Decisions


@click.command("serve-approvals")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
@click.option("--secret-env", default=SECRET_ENV, show_default=True,
              help="The environment variable that holds the HMAC signing secret.")
@click.pass_context
def serve_approvals(ctx: click.Context, host: str, port: int, secret_env: str) -> None:
    """Record gate decisions that signed requests send back (a card's Approve / Request
    changes / Reject); `workbench resume` then continues the run."""
    from workbench.cli import _echo, _store

    server = ThreadingHTTPServer((host, port), _handler(_store(ctx).path,
                                                        _secret(secret_env, required=True)))
    _echo(f"listening on http://{host}:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
