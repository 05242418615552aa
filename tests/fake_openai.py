"""A tiny OpenAI-compatible chat completions server on 127.0.0.1, for tests.

    replies = [{"tool_calls": [{"name": "add", "arguments": {"a": 1}}]}, "done"]
    with FakeOpenAIServer(replies) as srv:
        client = OpenAIChatCompletionClient(model="m", base_url=srv.base_url, ...)

Each POST /v1/chat/completions consumes the next scripted reply: a string (text), a dict
with ``content`` or ``tool_calls`` (list of {name, arguments, id?}), or
``{"status": 4xx, "error": msg}``.
Streaming (``stream: true``) answers with SSE chunks, tool-call deltas, a usage chunk when
``stream_options.include_usage`` is set, then ``data: [DONE]``. Like OpenAI, it rejects
``stream_options`` on a non-streamed request. Every request body is kept in ``requests``,
its path (with the query) in ``paths``; any path ending in ``/chat/completions`` is served,
Azure's ``/openai/deployments/D/chat/completions?api-version=V`` too.
Usage is deterministic: prompt = len(json of messages) // 4, completion = len(output) // 4.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

Reply = str | dict[str, Any]


@dataclass
class FakeReply:
    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    error: str = ""
    hold: threading.Event | None = None
    """When set, the reply waits for this event (a model call that takes as long as a test
    needs it to)."""
    retry_after: str | None = None
    """Retry-After header sent with an error status."""
    fault: str = ""
    """A broken answer: ``reset`` (TCP reset after a few chunks), ``no_finish`` (the stream
    ends with [DONE] but no finish_reason), ``bad_sse`` (a data line that is not JSON),
    ``bad_body`` (200 with a JSON body that is no completion), ``sse_error`` (an error event
    inside the stream, as llama.cpp's server sends when its tool-call parse fails)."""

    @classmethod
    def of(cls, reply: Reply | FakeReply) -> FakeReply:
        if isinstance(reply, FakeReply):
            return reply
        if isinstance(reply, str):
            return cls(content=reply)
        return cls(
            content=reply.get("content"),
            tool_calls=list(reply.get("tool_calls", [])),
            status=int(reply.get("status", 200)),
            error=str(reply.get("error", "")),
            retry_after=reply.get("retry_after"),
            fault=str(reply.get("fault", "")),
        )

    def calls(self) -> list[dict[str, Any]]:
        """Tool calls in the wire format, arguments as JSON strings."""
        out = []
        for n, call in enumerate(self.tool_calls):
            args = call.get("arguments", {})
            out.append(
                {
                    "id": call.get("id") or f"call_fake_{n}",
                    "type": "function",
                    "function": {
                        "name": call["name"],
                        "arguments": args if isinstance(args, str) else json.dumps(args),
                    },
                }
            )
        return out


def _pieces(text: str, size: int = 16) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def _quiet_disconnects(server: ThreadingHTTPServer, request: Any, address: Any) -> None:
    """A client that gave up (a timeout under test) is no error worth a traceback."""
    import sys

    if not isinstance(sys.exc_info()[1], ConnectionError):
        ThreadingHTTPServer.handle_error(server, request, address)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAIServer
    handle_error = _quiet_disconnects


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return None  # keep test output clean

    def _send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, retry_after: str | None = None) -> None:
        err = {"message": message, "type": "invalid_request_error", "code": None, "param": None}
        data = json.dumps({"error": err}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self) -> None:
        """Close with a TCP RST, as a proxy or server that dies mid-answer does."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server.fake
        fake.paths.append(self.path)
        # Azure puts the API version in the query: /openai/deployments/D/chat/completions?...
        if not self.path.split("?")[0].rstrip("/").endswith("/chat/completions"):
            self._error(404, f"unknown path {self.path}")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        reply = fake._take(body, {k.lower(): v for k, v in self.headers.items()})
        stream = bool(body.get("stream"))
        if body.get("stream_options") is not None and not stream:
            self._error(
                400, "The 'stream_options' parameter is only allowed when 'stream' is true."
            )
            return
        if reply is None:
            self._error(400, "fake server has no scripted response left")
            return
        if reply.hold is not None:
            reply.hold.wait(timeout=60)
        if reply.status != 200:
            self._error(reply.status, reply.error or "scripted error", reply.retry_after)
            return
        if reply.fault == "bad_body":
            self._send_json(200, {"unexpected": "not a chat completion"})
            return
        calls = reply.calls()
        text = reply.content or ""
        out_chars = len(text) + sum(len(json.dumps(c["function"])) for c in calls)
        usage = {
            "prompt_tokens": max(1, len(json.dumps(body.get("messages", []))) // 4),
            "completion_tokens": max(1, out_chars // 4),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        finish = "tool_calls" if calls else "stop"
        model = str(body.get("model", "fake"))
        envelope = fake._envelope(model)
        if not stream:
            message: dict[str, Any] = {"role": "assistant", "content": reply.content}
            if calls:
                message["tool_calls"] = calls
            choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            self._send_json(
                200, {**envelope, "object": "chat.completion", "choices": [choice], "usage": usage}
            )
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for n, (delta, reason) in enumerate(self._deltas(text, calls, finish)):
            if reply.fault == "reset" and n == 2:
                self._reset()
                return
            if reply.fault == "bad_sse" and n == 2:
                self.wfile.write(b"data: {this is not json\n\n")
                continue
            if reply.fault == "sse_error" and n == 2:
                self._event({"error": {"message": "Invalid diff: now finding less tool calls!",
                                       "type": "server_error", "code": 500}})
                self.wfile.flush()
                return
            if reply.fault == "no_finish" and reason is not None:
                break
            chunk = {
                **envelope,
                "choices": [
                    {"index": 0, "delta": delta, "finish_reason": reason, "logprobs": None}
                ],
            }
            if include_usage:
                chunk["usage"] = None
            self._event(chunk)
        if include_usage:
            self._event({**envelope, "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    @staticmethod
    def _deltas(
        text: str, calls: list[dict[str, Any]], finish: str
    ) -> Iterator[tuple[dict[str, Any], str | None]]:
        yield {"role": "assistant", "content": ""}, None
        for piece in _pieces(text):
            yield {"content": piece}, None
        for index, call in enumerate(calls):
            fn = call["function"]
            head = {
                "index": index,
                "id": call["id"],
                "type": "function",
                "function": {"name": fn["name"], "arguments": ""},
            }
            yield {"tool_calls": [head]}, None
            for piece in _pieces(fn["arguments"], 8):
                yield {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}, None
        yield {}, finish

    def _event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()


class FakeOpenAIServer:
    """Scripted OpenAI-compatible server; ``base_url`` is ``http://127.0.0.1:PORT/v1``."""

    def __init__(self, responses: Sequence[Reply | FakeReply]) -> None:
        self._replies = [FakeReply.of(r) for r in responses]
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []  # lower-cased names
        self.paths: list[str] = []  # request paths with their query strings
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("server is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def endpoint(self) -> str:
        """The server root, ``http://127.0.0.1:PORT`` (an Azure endpoint, for one)."""
        return self.base_url.removesuffix("/v1")

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._replies)

    def _take(self, body: dict[str, Any], headers: dict[str, str]) -> FakeReply | None:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self._replies.pop(0) if self._replies else None

    def _envelope(self, model: str) -> dict[str, Any]:
        """Fields shared by every chunk of one response (same id, like OpenAI)."""
        with self._lock:
            self._counter += 1
            return {
                "id": f"chatcmpl-fake{self._counter}",
                "object": "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": model,
            }

    def start(self) -> FakeOpenAIServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        # A short poll interval keeps shutdown (and so each test) fast.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _BaseServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeServerBase
    handle_error = _quiet_disconnects


class FakeServerBase:
    """What the other providers' fakes share: scripted replies taken one per request, every
    request kept (body, lower-cased headers, path), a loopback server in a thread."""

    handler: type[BaseHTTPRequestHandler]

    def __init__(self, responses: Sequence[Reply | FakeReply]) -> None:
        self._replies = [FakeReply.of(r) for r in responses]
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.paths: list[str] = []
        self._server: _BaseServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._server is None:
            raise RuntimeError("server is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._replies)

    def take(self, body: dict[str, Any], headers: dict[str, str], path: str) -> FakeReply | None:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            self.paths.append(path)
            return self._replies.pop(0) if self._replies else None

    def start(self) -> Self:
        server = _BaseServer(("127.0.0.1", 0), self.handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def read_request(handler: BaseHTTPRequestHandler) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body and the lower-cased headers of the request ``handler`` serves."""
    length = int(handler.headers.get("Content-Length") or 0)
    body = json.loads(handler.rfile.read(length) or b"{}")
    return body, {k.lower(): v for k, v in handler.headers.items()}


def send_json(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
