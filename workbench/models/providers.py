"""One client builder per provider; each SDK is imported only when its provider is used.

Every client is built with the SDK's own retries off and ``timeout_s`` as its request timeout
(:mod:`workbench.models.resilient` retries, so every attempt is recorded), sends the run's
sampling settings where the provider takes them, and counts tokens locally: the SDKs'
``count_tokens`` fetch tiktoken's BPE files from the internet on first use.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncGenerator, Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from autogen_core import FunctionCall
from autogen_core.models import ChatCompletionClient, CreateResult, LLMMessage, ModelFamily
from autogen_core.models import ModelInfo as _ModelInfo
from autogen_core.tools import Tool, ToolSchema

from .errors import ModelSpecError
from .settings import CallSettings

if TYPE_CHECKING:
    from .registry import ModelSpec

# Local OpenAI-compatible servers ignore the key, but the client insists on one.
PLACEHOLDER_API_KEY = "not-needed"
GEMINI_BASE_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"
OLLAMA_HOST = "http://127.0.0.1:11434"
AZURE_API_VERSION = "2024-10-21"
AZURE_SCOPE = "https://cognitiveservices.azure.com/.default"
DEFAULT_CONTEXT_WINDOW = 128_000

GENERIC_MODEL_INFO: _ModelInfo = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "structured_output": True,
    "family": ModelFamily.UNKNOWN,
}


def estimate_tokens(messages: Sequence[LLMMessage], tools: Sequence[Tool | ToolSchema] = ()) -> int:
    """About four characters a token: good enough for context budgeting, and offline."""
    chars = sum(len(str(message.content)) for message in messages)
    for tool in tools:
        schema = tool.schema if isinstance(tool, Tool) else tool
        chars += len(json.dumps(schema, default=str))
    return max(1, chars // 4)


class LocalTokenCount:
    """Mixin: ``count_tokens``/``remaining_tokens`` without tiktoken (no download)."""

    context_window: int = DEFAULT_CONTEXT_WINDOW

    def count_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        return estimate_tokens(messages, tools)

    def remaining_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []
    ) -> int:
        return max(0, self.context_window - estimate_tokens(messages, tools))


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _key(spec: ModelSpec, env: str, why: str = "") -> str:
    """The API key from ``spec.key_env`` or ``env``; a one-line error when it is unset."""
    name = spec.key_env or env
    value = _env(name)
    if not value:
        raise ModelSpecError(f"{name} is not set (needed for {spec.text}{why})")
    return value


def _info(known: Callable[[str], Any], model: str, fallback: _ModelInfo) -> _ModelInfo | None:
    """``None`` when autogen knows the model (it keeps its own info), else ``fallback``."""
    try:
        known(model)
    except (KeyError, ValueError):
        return dict(fallback)  # type: ignore[return-value]
    return None


def _finish(client: ChatCompletionClient, spec: ModelSpec) -> ChatCompletionClient:
    if isinstance(client, LocalTokenCount):
        client.context_window = spec.context_window or DEFAULT_CONTEXT_WINDOW
    return client


# OpenAI-compatible: openai, azure, gemini -------------------------------------------------
@cache
def _openai_classes() -> tuple[type[ChatCompletionClient], type[ChatCompletionClient]]:
    from autogen_ext.models.openai import (
        AzureOpenAIChatCompletionClient,
        OpenAIChatCompletionClient,
    )

    class UsageStream:
        """Streams always ask for the final usage chunk; set per stream, not in the
        constructor, because the API rejects stream_options on non-streamed calls."""

        def create_stream(
            self, messages: Sequence[LLMMessage], **kwargs: Any
        ) -> AsyncGenerator[str | CreateResult, None]:
            extra = kwargs.get("extra_create_args") or {}
            if kwargs.get("include_usage") is None and "stream_options" not in extra:
                kwargs["include_usage"] = True
            parent: Any = super()
            stream: AsyncGenerator[str | CreateResult, None] = parent.create_stream(
                messages, **kwargs
            )
            return stream

    class OpenAIClient(LocalTokenCount, UsageStream, OpenAIChatCompletionClient):
        pass

    class AzureClient(LocalTokenCount, UsageStream, AzureOpenAIChatCompletionClient):
        pass

    return OpenAIClient, AzureClient


def _openai_info(model: str) -> _ModelInfo | None:
    from autogen_ext.models.openai._model_info import get_info

    return _info(get_info, model, GENERIC_MODEL_INFO)


def _openai_args(spec: ModelSpec, settings: CallSettings, model: str) -> dict[str, Any]:
    args: dict[str, Any] = {
        "model": model, "max_retries": 0, "timeout": settings.timeout_s,
        **settings.create_args(),
    }
    info = _openai_info(model)
    if info is not None:  # local and proxied models need an explicit info
        args["model_info"] = info
    return args


def openai_client(spec: ModelSpec, settings: CallSettings) -> ChatCompletionClient:
    name = spec.key_env or "OPENAI_API_KEY"
    api_key = _env(name)
    if not api_key:
        if not spec.base_url:
            raise ModelSpecError(
                f"{name} is not set (needed for {spec.text}; "
                "a local server needs only a base URL)"
            )
        api_key = PLACEHOLDER_API_KEY
    args = _openai_args(spec, settings, spec.name)
    args["api_key"] = api_key
    if spec.base_url:
        args["base_url"] = spec.base_url
    return _finish(_openai_classes()[0](**args), spec)


def gemini_client(spec: ModelSpec, settings: CallSettings) -> ChatCompletionClient:
    args = _openai_args(spec, settings, spec.name)
    args["api_key"] = _key(spec, "GEMINI_API_KEY")
    args["base_url"] = spec.base_url or _env("GEMINI_BASE_URL") or GEMINI_BASE_URL
    # Gemini's OpenAI-compatible endpoint has no use for the per-message "name" field.
    args["include_name_in_message"] = False
    return _finish(_openai_classes()[0](**args), spec)


def _entra_token_provider() -> Callable[[], Any]:
    """An async bearer-token provider from azure-identity's default credential chain
    (environment, managed identity, Azure CLI...). The credential is synchronous: it runs
    in a worker thread so a token refresh never blocks the event loop."""
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError as exc:  # pragma: no cover - azure-identity ships with the azure extra
        raise ModelSpecError(
            "AZURE_OPENAI_API_KEY is not set and azure-identity is not installed"
        ) from exc
    sync_provider = get_bearer_token_provider(DefaultAzureCredential(), AZURE_SCOPE)

    async def provider() -> str:
        return await asyncio.to_thread(sync_provider)

    return provider


def azure_client(spec: ModelSpec, settings: CallSettings) -> ChatCompletionClient:
    endpoint = spec.base_url or _env("AZURE_OPENAI_ENDPOINT")
    if not endpoint:
        raise ModelSpecError(
            f"AZURE_OPENAI_ENDPOINT is not set (needed for {spec.text}, "
            "e.g. https://NAME.openai.azure.com)"
        )
    args = _openai_args(spec, settings, spec.name)
    args.update(
        azure_endpoint=endpoint,
        azure_deployment=spec.name,
        api_version=_env("AZURE_OPENAI_API_VERSION") or AZURE_API_VERSION,
    )
    api_key = _env(spec.key_env or "AZURE_OPENAI_API_KEY")
    if api_key:
        args["api_key"] = api_key
    else:  # no key: Microsoft Entra ID
        args["azure_ad_token_provider"] = _entra_token_provider()
    return _finish(_openai_classes()[1](**args), spec)


# Anthropic ---------------------------------------------------------------------------------
@cache
def _anthropic_class() -> type[ChatCompletionClient]:
    from autogen_ext.models.anthropic import AnthropicChatCompletionClient

    class AnthropicClient(LocalTokenCount, AnthropicChatCompletionClient):
        pass

    return AnthropicClient


def anthropic_client(spec: ModelSpec, settings: CallSettings) -> ChatCompletionClient:
    from autogen_ext.models.anthropic._model_info import get_info

    args: dict[str, Any] = {
        "model": spec.name, "api_key": _key(spec, "ANTHROPIC_API_KEY"),
        "max_retries": 0, "timeout": settings.timeout_s,
        **settings.create_args(seed=False),  # the Messages API takes no seed
    }
    base_url = spec.base_url or _env("ANTHROPIC_BASE_URL")
    if base_url:
        args["base_url"] = base_url
    info = _info(get_info, spec.name, {**GENERIC_MODEL_INFO, "structured_output": False})
    if info is not None:
        args["model_info"] = info
    return _finish(_anthropic_class()(**args), spec)


# Ollama ------------------------------------------------------------------------------------
def _numbered(result: CreateResult, next_id: Callable[[], str]) -> CreateResult:
    """Unique tool call ids and a function_calls finish: autogen's Ollama client gives every
    call of a response (and of a stream) the same id, which would mix up their results."""
    if not isinstance(result.content, list):
        return result
    calls = [FunctionCall(id=next_id(), name=c.name, arguments=c.arguments)
             for c in result.content]
    return result.model_copy(update={"content": calls, "finish_reason": "function_calls",
                                     "thought": result.thought or None})


@cache
def _ollama_class() -> type[ChatCompletionClient]:
    from autogen_ext.models.ollama import OllamaChatCompletionClient
    from ollama import AsyncClient

    class OllamaClient(LocalTokenCount, OllamaChatCompletionClient):
        def __init__(self, *, timeout_s: float, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            # autogen passes only the host on: give the SDK the request timeout too.
            self._client = AsyncClient(host=kwargs["host"], timeout=timeout_s)
            self._calls = 0

        def _next_id(self) -> str:
            self._calls += 1
            return f"call_{self._calls}"

        async def create(self, messages: Sequence[LLMMessage], **kwargs: Any) -> CreateResult:
            result = await super().create(messages, **kwargs)
            return _numbered(result, self._next_id)

        async def create_stream(
            self, messages: Sequence[LLMMessage], **kwargs: Any
        ) -> AsyncGenerator[str | CreateResult, None]:
            async for item in super().create_stream(messages, **kwargs):
                yield _numbered(item, self._next_id) if isinstance(item, CreateResult) else item

    return OllamaClient


def ollama_host(spec: ModelSpec) -> str:
    host = spec.base_url or _env("OLLAMA_HOST") or OLLAMA_HOST
    return host if "://" in host else f"http://{host}"


def ollama_client(spec: ModelSpec, settings: CallSettings) -> ChatCompletionClient:
    from autogen_ext.models.ollama._model_info import get_info

    options: dict[str, Any] = {}
    if settings.max_tokens is not None:
        options["num_predict"] = settings.max_tokens
    if settings.temperature is not None:
        options["temperature"] = settings.temperature
    if settings.seed is not None:
        options["seed"] = settings.seed
    if spec.context_window:
        options["num_ctx"] = spec.context_window
    args: dict[str, Any] = {
        "model": spec.name, "host": ollama_host(spec), "options": options,
        "timeout_s": settings.timeout_s,
    }
    info = _info(get_info, spec.name, GENERIC_MODEL_INFO)
    if info is not None:
        args["model_info"] = info
    return _finish(_ollama_class()(**args), spec)


BUILDERS: dict[str, Callable[[ModelSpec, CallSettings], ChatCompletionClient]] = {
    "openai": openai_client,
    "azure": azure_client,
    "gemini": gemini_client,
    "anthropic": anthropic_client,
    "ollama": ollama_client,
}
