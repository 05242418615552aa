"""A model client that hands everything to an inner client; wrappers override what they add."""

from __future__ import annotations

from collections.abc import Sequence

from autogen_core.models import (
    ChatCompletionClient,
    LLMMessage,
    ModelCapabilities,
    ModelInfo,
    RequestUsage,
)
from autogen_core.tools import Tool, ToolSchema


class DelegatingClient(ChatCompletionClient):
    """Subclasses define ``create`` and ``create_stream``."""

    def __init__(self, inner: ChatCompletionClient) -> None:
        self._inner = inner

    @property
    def inner(self) -> ChatCompletionClient:
        return self._inner

    async def close(self) -> None:
        await self._inner.close()

    def actual_usage(self) -> RequestUsage:
        return self._inner.actual_usage()

    def total_usage(self) -> RequestUsage:
        return self._inner.total_usage()

    def count_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        return self._inner.count_tokens(messages, tools=tools)

    def remaining_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        return self._inner.remaining_tokens(messages, tools=tools)

    @property
    def capabilities(self) -> ModelCapabilities:
        return self._inner.capabilities

    @property
    def model_info(self) -> ModelInfo:
        return self._inner.model_info
