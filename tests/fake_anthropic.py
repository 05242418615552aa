"""A tiny Anthropic Messages API server on 127.0.0.1, for tests.

    replies = [{"tool_calls": [{"name": "add", "arguments": {"a": 1}}]}, "ok"]
    with FakeAnthropicServer(replies) as srv:
        client = AnthropicChatCompletionClient(model="m", base_url=srv.endpoint, api_key="k")

Each POST /v1/messages takes the next scripted reply (as in :mod:`tests.fake_openai`: a
string, ``{"content"| "tool_calls"}``, or ``{"status": 5xx, "error": msg}``).
Non-streamed requests get one ``message`` JSON; ``stream: true`` gets the SSE events of the
real API: message_start (input usage), per block content_block_start / content_block_delta
(``text_delta`` for text, ``input_json_delta`` pieces for a tool_use block's input) /
content_block_stop, then message_delta (stop_reason, output usage) and message_stop.
Errors use the API's ``{"type": "error", "error": {...}}`` body. Usage is deterministic:
input = len(json of system + messages) // 4, output = len(output) // 4 (each at least 1).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fake_openai import FakeReply, FakeServerBase, read_request, send_json

_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                429: "rate_limit_error", 529: "overloaded_error"}


def _pieces(text: str, size: int) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def _blocks(reply: FakeReply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.content:
        blocks.append({"type": "text", "text": reply.content})
    for n, call in enumerate(reply.tool_calls):
        blocks.append({"type": "tool_use", "id": call.get("id") or f"toolu_fake_{n}",
                       "name": call["name"], "input": call.get("arguments", {})})
    return blocks


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return None

    def _error(self, status: int, message: str) -> None:
        kind = _ERROR_TYPES.get(status, "api_error")
        send_json(self, status, {"type": "error", "error": {"type": kind, "message": message}})

    def do_POST(self) -> None:  # noqa: N802
        fake: FakeAnthropicServer = self.server.fake
        body, headers = read_request(self)
        if self.path.split("?")[0].rstrip("/") != "/v1/messages":
            self._error(404, f"unknown path {self.path}")
            return
        reply = fake.take(body, headers, self.path)
        if reply is None:
            self._error(400, "fake server has no scripted response left")
            return
        if reply.hold is not None:
            reply.hold.wait(timeout=60)
        if reply.status != 200:
            self._error(reply.status, reply.error or "scripted error")
            return
        blocks = _blocks(reply)
        prompt = json.dumps([body.get("system", ""), body.get("messages", [])])
        usage = {"input_tokens": max(1, len(prompt) // 4),
                 "output_tokens": max(1, len(json.dumps(blocks)) // 4)}
        stop = "tool_use" if reply.tool_calls else "end_turn"
        message = {"id": fake.next_id(), "type": "message", "role": "assistant",
                   "model": str(body.get("model", "fake")), "content": blocks,
                   "stop_reason": stop, "stop_sequence": None, "usage": usage}
        if not body.get("stream"):
            send_json(self, 200, message)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        start = {**message, "content": [], "stop_reason": None,
                 "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1}}
        self._event("message_start", {"message": start})
        self._event("ping", {})
        for index, block in enumerate(blocks):
            self._block(index, block)
        self._event("message_delta", {"delta": {"stop_reason": stop, "stop_sequence": None},
                                      "usage": {"output_tokens": usage["output_tokens"]}})
        self._event("message_stop", {})

    def _block(self, index: int, block: dict[str, Any]) -> None:
        if block["type"] == "text":
            self._event("content_block_start", {"index": index,
                                                "content_block": {"type": "text", "text": ""}})
            for piece in _pieces(block["text"], 16):
                self._event("content_block_delta", {
                    "index": index, "delta": {"type": "text_delta", "text": piece}})
        else:
            head = {**block, "input": {}}
            self._event("content_block_start", {"index": index, "content_block": head})
            for piece in _pieces(json.dumps(block["input"]), 8):
                self._event("content_block_delta", {
                    "index": index, "delta": {"type": "input_json_delta", "partial_json": piece}})
        self._event("content_block_stop", {"index": index})

    def _event(self, kind: str, payload: dict[str, Any]) -> None:
        data = json.dumps({"type": kind, **payload})
        self.wfile.write(f"event: {kind}\ndata: {data}\n\n".encode())
        self.wfile.flush()


class FakeAnthropicServer(FakeServerBase):
    """Scripted Anthropic server; ``endpoint`` is its base URL (``http://127.0.0.1:PORT``)."""

    handler = _Handler

    def __init__(self, responses: Any) -> None:
        super().__init__(responses)
        self._counter = 0

    def next_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"msg_fake{self._counter}"
