"""What went wrong with a model call, in words a user can act on, and whether to retry.

Provider SDKs raise different classes for the same fault (OpenAI, Anthropic, Ollama, httpx
underneath); they are told apart by what they carry (an HTTP status, a Retry-After header,
a transport error) rather than by importing every SDK.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Literal

FaultKind = Literal["timeout", "rate_limit", "server", "connection", "stream", "refused", "reply"]


class ModelTimeout(TimeoutError):
    """A model call gave nothing within its first-token, idle or whole-call timeout."""


class BadReply(RuntimeError):
    """The call returned, but the reply cannot be used (cut stream, empty, broken tool call)."""

    def __init__(self, message: str, *, parse: bool = False) -> None:
        super().__init__(message)
        self.parse = parse
        """True when a non-streamed attempt may read it right (a streamed parse fault)."""


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    message: str
    retryable: bool
    retry_after_s: float | None = None
    parse: bool = False
    """A fault of reading a stream: the next attempt goes without streaming."""
    status: int | None = None


def _status(exc: BaseException) -> int | None:
    for name in ("status_code", "status"):
        value = getattr(exc, name, None)
        if isinstance(value, int) and 100 <= value < 600:
            return value
    response = getattr(exc, "response", None)
    value = getattr(response, "status_code", None)
    return value if isinstance(value, int) else None


def retry_after(exc: BaseException) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header on the error's response."""
    headers: Any = getattr(getattr(exc, "response", None), "headers", None)
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms:
            return max(0.0, float(ms) / 1000)
        raw = headers.get("retry-after")
    except (AttributeError, TypeError, ValueError):
        return None
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _text(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    message = ""
    if isinstance(body, dict):
        err = body.get("error", body)
        message = str(err.get("message", "")) if isinstance(err, dict) else str(err)
    message = message or str(exc) or type(exc).__name__
    return " ".join(message.split())[:240]


def _transport(exc: BaseException) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    markers = ("Connection", "Transport", "Protocol", "ReadError", "NetworkError", "Incomplete")
    return isinstance(exc, ConnectionError) or any(m in n for n in names for m in markers)


def classify(exc: BaseException) -> Fault:
    """The fault behind ``exc``; anything unknown is retried (a provider's garbage must not
    end a run) and named by its class."""
    name = type(exc).__name__
    if isinstance(exc, ModelTimeout | asyncio.TimeoutError) or "Timeout" in name:
        return Fault("timeout", str(exc) or "the model did not answer in time", True)
    if isinstance(exc, BadReply):
        return Fault("reply", str(exc), True, parse=exc.parse)
    status = _status(exc)
    if status == 429:
        return Fault("rate_limit", f"rate limited (HTTP 429): {_text(exc)}", True,
                     retry_after_s=retry_after(exc), status=status)
    if status is not None and (status >= 500 or status in (408, 409)):
        return Fault("server", f"server error (HTTP {status}): {_text(exc)}", True,
                     retry_after_s=retry_after(exc), status=status)
    if status is not None and status >= 400:
        return Fault("refused", f"provider refused the request (HTTP {status}): {_text(exc)}",
                     False, status=status)
    if _transport(exc):
        return Fault("connection", f"connection failed: {name}: {_text(exc)}", True)
    if isinstance(exc, json.JSONDecodeError | ValueError | KeyError | IndexError | TypeError):
        return Fault("stream", f"unreadable reply: {name}: {_text(exc)}", True, parse=True)
    # e.g. openai.APIError raised for an error event inside a stream
    return Fault("stream", f"{name}: {_text(exc)}", True, parse=True)
