"""Asking a provider for a contract in its structured-output mode.

An agent role that answers with a contract (a FeatureSpec, a ReviewResult) and uses no tools
gets the contract's JSON schema sent with every call, in the form its provider takes:
OpenAI-compatible servers (OpenAI, Azure, Gemini, vLLM, llama.cpp's server, LM Studio) a
non-strict ``json_schema`` response format (strict mode refuses optional fields), Ollama its
``format`` schema. Providers with no such mode (Anthropic, scripted, replay) rely on the
prompt alone. The engine validates the reply either way.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Literal

from autogen_core import CancellationToken
from autogen_core.models import ChatCompletionClient, CreateResult, LLMMessage
from autogen_core.tools import Tool, ToolSchema
from pydantic import BaseModel

from ._delegate import DelegatingClient

OPENAI_STYLE = frozenset({"openai", "azure", "gemini"})
SCHEMA_STYLE = frozenset({"ollama"})


def structured_mode(provider: str) -> str | None:
    """``response_format``, ``json_output`` or ``None`` (prompt only) for a provider."""
    if provider in OPENAI_STYLE:
        return "response_format"
    if provider in SCHEMA_STYLE:
        return "json_output"
    return None


class StructuredOutputClient(DelegatingClient):
    """Adds ``contract``'s schema to every tool-less call of ``inner``."""

    def __init__(self, inner: ChatCompletionClient, contract: type[BaseModel], mode: str) -> None:
        super().__init__(inner)
        self._contract, self._mode = contract, mode

    def _args(
        self, tools: Sequence[Tool | ToolSchema], json_output: bool | type[BaseModel] | None,
        extra: Mapping[str, Any],
    ) -> tuple[bool | type[BaseModel] | None, Mapping[str, Any]]:
        if tools or json_output is not None or "response_format" in extra:
            return json_output, extra
        if self._mode == "json_output":
            return self._contract, extra
        schema = {"name": self._contract.__name__, "strict": False,
                  "schema": self._contract.model_json_schema()}
        return None, {**extra, "response_format": {"type": "json_schema", "json_schema": schema}}

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
        json_output, extra = self._args(tools, json_output, extra_create_args)
        return await self._inner.create(
            messages, tools=tools, tool_choice=tool_choice, json_output=json_output,
            extra_create_args=extra, cancellation_token=cancellation_token)

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
        json_output, extra = self._args(tools, json_output, extra_create_args)
        async for item in self._inner.create_stream(
            messages, tools=tools, tool_choice=tool_choice, json_output=json_output,
            extra_create_args=extra, cancellation_token=cancellation_token,
        ):
            yield item
