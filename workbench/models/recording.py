"""A wrapper that measures every model call: tokens, latency, cost, outcome.

The engine turns each :class:`ModelCallRecord` into a ``model_call`` event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from autogen_core import CancellationToken
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel

from . import pricing
from ._delegate import DelegatingClient


@dataclass
class ModelCallRecord:
    """One model call, as the ``model_call`` event payload records it."""

    model: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    cost: float
    streamed: bool
    finish_reason: str
    error: str | None = None
    sampling: dict[str, Any] = field(default_factory=dict)
    """max_tokens, temperature and seed the call was made with."""

    def as_payload(self) -> dict[str, Any]:
        return asdict(self)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.CancelledError | GeneratorExit):
        return "cancelled"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


class RecordingChatCompletionClient(DelegatingClient):
    """Delegates to ``inner`` and reports each call to ``on_call`` (also failed ones)."""

    def __init__(
        self,
        inner: ChatCompletionClient,
        model_label: str,
        on_call: Callable[[ModelCallRecord], None],
        sampling: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(inner)
        self._sampling = dict(sampling or {})
        self._label = model_label
        self._on_call = on_call

    @property
    def model_label(self) -> str:
        return self._label

    def _report(
        self, started: float, streamed: bool, result: CreateResult | None, exc: BaseException | None
    ) -> None:
        latency_ms = (time.perf_counter() - started) * 1000
        prompt = result.usage.prompt_tokens if result else 0
        completion = result.usage.completion_tokens if result else 0
        self._on_call(
            ModelCallRecord(
                model=self._label,
                prompt_tokens=prompt,
                completion_tokens=completion,
                latency_ms=latency_ms,
                cost=pricing.cost(self._label, prompt, completion),
                streamed=streamed,
                finish_reason=result.finish_reason if result else "error",
                error=None if exc is None else _describe(exc),
                sampling=dict(self._sampling),
            )
        )

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        started = time.perf_counter()
        try:
            result = await self._inner.create(
                messages,
                tools=tools,
                tool_choice=tool_choice,
                json_output=json_output,
                extra_create_args=extra_create_args,
                cancellation_token=cancellation_token,
            )
        except BaseException as exc:
            self._report(started, False, None, exc)
            raise
        self._report(started, False, result, None)
        return result

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        started = time.perf_counter()
        reported = False
        try:
            async for item in self._inner.create_stream(
                messages,
                tools=tools,
                tool_choice=tool_choice,
                json_output=json_output,
                extra_create_args=extra_create_args,
                cancellation_token=cancellation_token,
            ):
                if isinstance(item, CreateResult):
                    # Report before handing the result on: latency ends at the final result.
                    reported = True
                    self._report(started, True, item, None)
                yield item
        except BaseException as exc:
            if not reported:
                reported = True
                self._report(started, True, None, exc)
            raise
        if not reported:
            self._report(started, True, None, RuntimeError("stream ended without a final result"))
