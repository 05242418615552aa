"""A tiny Ollama server (``/api/chat``) on 127.0.0.1, for tests.

    with FakeOllamaServer(["hello"]) as srv:
        client = OllamaChatCompletionClient(model="qwen2.5-coder", host=srv.endpoint)

Each POST /api/chat takes the next scripted reply (as in :mod:`tests.fake_openai`).
``stream: true`` (the client's default) answers with NDJSON lines like Ollama: text pieces in
``message.content``, tool calls whole in one ``message.tool_calls`` line (arguments as an
object), then a ``done: true`` line with ``done_reason`` and the usage counts
``prompt_eval_count`` / ``eval_count``. ``stream: false`` gets one JSON object. Errors are
``{"error": msg}`` with the scripted status.
Usage: prompt = len(json of messages) // 4, eval = len(output) // 4 (each at least 1).
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fake_openai import FakeServerBase, read_request, send_json

_CREATED = "2025-01-01T00:00:00.000000Z"


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return None

    def do_POST(self) -> None:  # noqa: N802
        fake: FakeOllamaServer = self.server.fake
        body, headers = read_request(self)
        if self.path.rstrip("/") != "/api/chat":
            send_json(self, 404, {"error": f"unknown path {self.path}"})
            return
        reply = fake.take(body, headers, self.path)
        if reply is None:
            send_json(self, 400, {"error": "fake server has no scripted response left"})
            return
        if reply.hold is not None:
            reply.hold.wait(timeout=60)
        if reply.status != 200:
            send_json(self, reply.status, {"error": reply.error or "scripted error"})
            return
        model = str(body.get("model", "fake"))
        text = reply.content or ""
        calls = [{"function": {"name": c["name"], "arguments": c.get("arguments", {})}}
                 for c in reply.tool_calls]
        done = {
            "model": model, "created_at": _CREATED, "done": True, "done_reason": "stop",
            "total_duration": 1_000_000, "load_duration": 1_000, "prompt_eval_duration": 1_000,
            "eval_duration": 1_000,
            "prompt_eval_count": max(1, len(json.dumps(body.get("messages", []))) // 4),
            "eval_count": max(1, (len(text) + len(json.dumps(calls))) // 4),
        }
        if body.get("stream") is False:
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if calls:
                message["tool_calls"] = calls
            send_json(self, 200, {**done, "message": message})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        for i in range(0, len(text), 16):
            self._line({"model": model, "created_at": _CREATED, "done": False,
                        "message": {"role": "assistant", "content": text[i : i + 16]}})
        if calls:
            self._line({"model": model, "created_at": _CREATED, "done": False,
                        "message": {"role": "assistant", "content": "", "tool_calls": calls}})
        self._line({**done, "message": {"role": "assistant", "content": ""}})

    def _line(self, payload: dict[str, Any]) -> None:
        self.wfile.write(json.dumps(payload).encode() + b"\n")
        self.wfile.flush()


class FakeOllamaServer(FakeServerBase):
    """Scripted Ollama server; ``endpoint`` is its host URL (``http://127.0.0.1:PORT``)."""

    handler = _Handler
