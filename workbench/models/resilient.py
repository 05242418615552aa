"""Model calls that survive a flaky provider: timeouts, retries with backoff, a non-streamed
second try for a stream that cannot be read, and a clear end when the provider stays down.

    Resilient -> Recording -> Timed -> provider client

``Timed`` cuts a call that gives nothing for too long, ``Recording`` reports every attempt
(a ``model_call`` event, its error and usage), and ``Resilient`` decides what happens next,
reporting each retry before it waits. When every attempt failed, or the provider refused the
request, :class:`ProviderUnavailable` ends the turn; the engine parks the run so ``resume``
continues once the provider is back.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import ChatCompletionClient, CreateResult, LLMMessage
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel

from ._delegate import DelegatingClient
from .errors import ModelSpecError, ProviderUnavailable, ScriptExhausted
from .faults import BadReply, Fault, ModelTimeout, classify
from .settings import CallSettings

ToolChoice = Tool | Literal["auto", "required", "none"]


@dataclass(frozen=True)
class RetryNotice:
    """One failed attempt that will be tried again (the ``model_retry`` event)."""

    attempt: int
    max_attempts: int
    kind: str
    error: str
    delay_s: float
    streamed_next: bool


class TimedClient(DelegatingClient):
    """Raises :class:`ModelTimeout` when a call gives nothing for too long."""

    def __init__(self, inner: ChatCompletionClient, settings: CallSettings) -> None:
        super().__init__(inner)
        self._settings = settings

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        kwargs: dict[str, Any] = dict(
            tools=tools, tool_choice=tool_choice, json_output=json_output,
            extra_create_args=extra_create_args, cancellation_token=cancellation_token)
        limit = self._settings.timeout_s
        try:
            return await asyncio.wait_for(self._inner.create(messages, **kwargs), limit)
        except TimeoutError:
            raise ModelTimeout(f"no reply within {limit:g} s") from None

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        kwargs: dict[str, Any] = dict(
            tools=tools, tool_choice=tool_choice, json_output=json_output,
            extra_create_args=extra_create_args, cancellation_token=cancellation_token)
        stream = self._inner.create_stream(messages, **kwargs)
        first, idle = self._settings.first_token_timeout_s, self._settings.idle_timeout_s
        got_any = False
        try:
            while True:
                limit = idle if got_any else first
                try:
                    item = await asyncio.wait_for(anext(stream), limit)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    what = "between chunks" if got_any else "before the first token"
                    raise ModelTimeout(f"stream silent for {limit:g} s {what}") from None
                got_any = True
                yield item
        finally:
            await stream.aclose()


def _broken_call(calls: list[FunctionCall]) -> str | None:
    for call in calls:
        try:
            value = json.loads(call.arguments or "{}")
        except json.JSONDecodeError:
            return f"tool call {call.name or '?'} has arguments that are not valid JSON"
        if not isinstance(value, dict):
            return f"tool call {call.name or '?'} has arguments that are not a JSON object"
        if not call.name:
            return "a tool call has no tool name"
    return None


def check_reply(result: CreateResult, streamed: bool) -> None:
    """Raise :class:`BadReply` for a reply that must not be used as it is."""
    content = result.content
    if isinstance(content, list):
        broken = _broken_call(content)
        if broken:
            raise BadReply(broken, parse=True)
    if streamed and result.finish_reason == "unknown":
        raise BadReply("the stream ended without a finish reason (cut short)", parse=True)
    if isinstance(content, str) and not content.strip() and not result.thought:
        raise BadReply("the model sent an empty reply")


class ResilientClient(DelegatingClient):
    """Retries failed calls of ``inner`` (a recording client) under ``settings``."""

    def __init__(
        self,
        inner: ChatCompletionClient,
        settings: CallSettings,
        on_retry: Callable[[RetryNotice], None],
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(inner)
        self._settings = settings
        self._on_retry = on_retry
        self._rng = rng or random.Random()

    def _delay(self, attempt: int, fault: Fault) -> float:
        s = self._settings
        if fault.retry_after_s is not None:  # the server said when: wait that long
            return min(fault.retry_after_s, s.backoff_cap_s * 4)
        ceiling = min(s.backoff_cap_s, s.backoff_base_s * 2 ** (attempt - 1))
        return self._rng.uniform(ceiling / 2, ceiling)

    async def _failed(self, attempt: int, exc: BaseException, streaming: bool) -> bool:
        """Report the failed attempt and wait before the next one, or raise when the call
        must give up. Returns whether the next attempt streams (not after a stream that
        could not be read)."""
        if isinstance(exc, ScriptExhausted | ModelSpecError | ProviderUnavailable):
            raise exc
        fault = classify(exc)
        if not fault.retryable or attempt >= self._settings.max_attempts:
            kind = "refused" if not fault.retryable else "unavailable"
            tries = "" if not fault.retryable else f" after {attempt} attempts"
            raise ProviderUnavailable(f"{fault.message}{tries}", kind=kind) from exc
        streamed_next = streaming and not fault.parse
        delay = self._delay(attempt, fault)
        self._on_retry(RetryNotice(attempt, self._settings.max_attempts, fault.kind,
                                   fault.message, round(delay, 2), streamed_next))
        await asyncio.sleep(delay)
        return streamed_next

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        kwargs: dict[str, Any] = dict(
            tools=tools, tool_choice=tool_choice, json_output=json_output,
            extra_create_args=extra_create_args, cancellation_token=cancellation_token)
        attempt = 0
        while True:
            attempt += 1
            try:
                result: CreateResult = await self._inner.create(messages, **kwargs)
                check_reply(result, streamed=False)
                return result
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - classified, reported, retried
                await self._failed(attempt, exc, streaming=False)

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        kwargs: dict[str, Any] = dict(
            tools=tools, tool_choice=tool_choice, json_output=json_output,
            extra_create_args=extra_create_args, cancellation_token=cancellation_token)
        attempt, streamed = 0, True
        while True:
            attempt += 1
            try:
                if not streamed:  # a stream could not be read: ask for the whole reply
                    result: CreateResult = await self._inner.create(messages, **kwargs)
                    check_reply(result, streamed=False)
                    yield result
                    return
                async for item in self._inner.create_stream(messages, **kwargs):
                    if isinstance(item, CreateResult):
                        check_reply(item, streamed=True)
                    yield item
                return
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception as exc:  # noqa: BLE001 - classified, reported, retried
                streamed = await self._failed(attempt, exc, streaming=streamed)
