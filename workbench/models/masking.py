"""A model client that masks secrets in everything it sends: every message's text, every
tool result, the arguments of earlier tool calls. Whatever fed the conversation (the task,
a file, test output, a steer), the provider never sees a secret."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from autogen_core import CancellationToken, FunctionCall
from autogen_core.models import (
    AssistantMessage,
    CreateResult,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    SystemMessage,
    UserMessage,
)
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel

from agents.redact import mask_json_text, mask_secrets

from ._delegate import DelegatingClient
from .resilient import ToolChoice


def mask_message(message: LLMMessage) -> LLMMessage:
    """``message`` with its secrets masked (the same object when it holds none)."""
    if isinstance(message, SystemMessage):
        content = mask_secrets(message.content)
        return message if content == message.content else message.model_copy(
            update={"content": content})
    if isinstance(message, UserMessage):
        if isinstance(message.content, str):
            new: Any = mask_secrets(message.content)
        else:  # text parts masked, images passed as they are
            new = [mask_secrets(p) if isinstance(p, str) else p for p in message.content]
        return message if new == message.content else message.model_copy(
            update={"content": new})
    if isinstance(message, AssistantMessage):
        if isinstance(message.content, str):
            new = mask_secrets(message.content)
        else:
            new = [replace(c, arguments=mask_json_text(c.arguments))
                   if isinstance(c, FunctionCall) else c for c in message.content]
        thought = mask_secrets(message.thought) if message.thought else message.thought
        return message.model_copy(update={"content": new, "thought": thought})
    if isinstance(message, FunctionExecutionResultMessage):
        results = [r.model_copy(update={"content": mask_secrets(r.content)})
                   if isinstance(r, FunctionExecutionResult) else r for r in message.content]
        return message.model_copy(update={"content": results})
    return message


class MaskingClient(DelegatingClient):
    """Masks the outgoing messages, then hands the call to the inner client."""

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
        return await self._inner.create(
            [mask_message(m) for m in messages], tools=tools, tool_choice=tool_choice,
            json_output=json_output, extra_create_args=extra_create_args,
            cancellation_token=cancellation_token)

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
        stream = self._inner.create_stream(
            [mask_message(m) for m in messages], tools=tools, tool_choice=tool_choice,
            json_output=json_output, extra_create_args=extra_create_args,
            cancellation_token=cancellation_token)
        try:
            async for item in stream:
                yield item
        finally:
            await stream.aclose()
