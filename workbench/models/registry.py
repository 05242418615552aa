"""Provider strings (``openai:gpt-4o-mini``, ``scripted:FILE``) -> AutoGen model clients."""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from autogen_core import CancellationToken
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelFamily,
    ModelInfo,
)
from autogen_core.tools import Tool, ToolSchema
from autogen_ext.models.openai import OpenAIChatCompletionClient
from autogen_ext.models.openai._model_info import get_info
from pydantic import BaseModel

from agents.contracts import AGENT_ROLES

from .errors import ModelSpecError
from .scripted import SCRIPT_ROLES, ScriptedChatCompletionClient, load_script
from .settings import CallSettings

AVAILABLE_PROVIDERS: tuple[str, ...] = ("scripted", "openai")
PLANNED_PROVIDERS: tuple[str, ...] = ("azure", "anthropic", "ollama", "llamacpp", "replay")
ROLE_NAMES: tuple[str, ...] = tuple(str(r) for r in AGENT_ROLES)
DEMO_SCRIPT = Path(__file__).resolve().parent.parent / "demo_data" / "demo_script.yaml"
# Local OpenAI-compatible servers ignore the key, but the client insists on one.
PLACEHOLDER_API_KEY = "not-needed"

_SPEC_HINT = "expected PROVIDER:MODEL, e.g. openai:gpt-4o-mini or scripted:FILE"
_UNKNOWN_MODEL_INFO: ModelInfo = {
    "vision": False,
    "function_calling": True,
    "json_output": True,
    "structured_output": True,
    "family": ModelFamily.UNKNOWN,
}


@dataclass(frozen=True)
class ModelSpec:
    """A parsed provider string; ``name`` is the model, or the script's absolute path."""

    provider: str
    name: str
    base_url: str | None = None

    @property
    def is_scripted(self) -> bool:
        return self.provider == "scripted"

    @property
    def text(self) -> str:
        """The canonical provider string, e.g. ``openai:gpt-4o-mini``."""
        return f"{self.provider}:{self.name}"

    @property
    def label(self) -> str:
        """What the UI shows; scripted models are always marked as such."""
        if self.is_scripted:
            return f"scripted: {Path(self.name).name} (SCRIPTED)"
        at = f" @ {self.base_url}" if self.base_url else ""
        return f"{self.text}{at}"


def _check_base_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ModelSpecError(f"base URL {url!r} must start with http:// or https://")
    return url


def parse_model_spec(text: str, base_url: str | None = None) -> ModelSpec:
    """Parse ``PROVIDER:MODEL``; ``base_url`` (or OPENAI_BASE_URL) applies to openai only."""
    raw = text.strip()
    if not raw:
        raise ModelSpecError(f"empty model spec ({_SPEC_HINT})")
    provider, sep, name = raw.partition(":")
    provider, name = provider.strip().lower(), name.strip()
    if not sep:
        raise ModelSpecError(f"model spec {raw!r} has no provider ({_SPEC_HINT})")
    if provider in PLANNED_PROVIDERS:
        raise ModelSpecError(
            f"model provider {provider!r} is not available yet "
            f"(available: {', '.join(AVAILABLE_PROVIDERS)})"
        )
    if provider not in AVAILABLE_PROVIDERS:
        known = ", ".join(AVAILABLE_PROVIDERS + PLANNED_PROVIDERS)
        raise ModelSpecError(
            f"unknown model provider {provider!r} in {raw!r} (expected one of: {known})"
        )
    if not name:
        what = "FILE" if provider == "scripted" else "MODEL"
        raise ModelSpecError(f"missing model name in {raw!r} (expected {provider}:{what})")
    if provider == "scripted":
        path = DEMO_SCRIPT if name == "demo" else Path(name).expanduser().resolve()
        load_script(path)  # fail now, with a one-line error, not mid-run
        return ModelSpec("scripted", str(path))
    url = (base_url or os.environ.get("OPENAI_BASE_URL") or "").strip() or None
    return ModelSpec("openai", name, _check_base_url(url) if url else None)


def parse_role_models(pairs: Sequence[str]) -> dict[str, str]:
    """``["developer=openai:gpt-4o-mini", ...]`` -> ``{"developer": "openai:gpt-4o-mini"}``."""
    out: dict[str, str] = {}
    for pair in pairs:
        role, sep, spec = pair.partition("=")
        role, spec = role.strip().lower(), spec.strip()
        if not sep or not role or not spec:
            raise ModelSpecError(
                f"bad role model {pair!r} (expected ROLE=PROVIDER:MODEL, "
                "e.g. developer=openai:gpt-4o-mini)"
            )
        if role not in ROLE_NAMES:
            raise ModelSpecError(
                f"unknown role {role!r} in {pair!r} (expected one of: {', '.join(ROLE_NAMES)})"
            )
        if role in out:
            raise ModelSpecError(f"role {role!r} is given a model twice")
        parse_model_spec(spec)
        out[role] = spec
    return out


def role_specs(
    default: str, overrides: Mapping[str, str] | None = None, base_url: str | None = None
) -> dict[str, ModelSpec]:
    """The model spec of every agent role: its override if any, else ``default``."""
    chosen = overrides or {}
    return {role: parse_model_spec(chosen.get(role, default), base_url) for role in ROLE_NAMES}


class UsageStreamingOpenAIClient(OpenAIChatCompletionClient):
    """OpenAI client whose streams always ask for the final usage chunk.

    Set per stream, not in the constructor: the API rejects stream_options on non-streamed calls.
    """

    def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
        max_consecutive_empty_chunk_tolerance: int = 0,
        include_usage: bool | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        if include_usage is None and "stream_options" not in extra_create_args:
            include_usage = True
        return super().create_stream(
            messages,
            tools=tools,
            tool_choice=tool_choice,
            json_output=json_output,
            extra_create_args=extra_create_args,
            cancellation_token=cancellation_token,
            max_consecutive_empty_chunk_tolerance=max_consecutive_empty_chunk_tolerance,
            include_usage=include_usage,
        )


def _known_to_autogen(model: str) -> bool:
    try:
        get_info(model)
    except ValueError:
        return False
    return True


def _openai_client(spec: ModelSpec, settings: CallSettings) -> ChatCompletionClient:
    api_key = os.environ.get("OPENAI_API_KEY", "").strip()
    if not api_key:
        if not spec.base_url:
            raise ModelSpecError(
                f"OPENAI_API_KEY is not set (needed for {spec.text}; "
                "a local server needs only a base URL)"
            )
        api_key = PLACEHOLDER_API_KEY
    kwargs: dict[str, Any] = {
        "model": spec.name, "api_key": api_key, "max_retries": 0, "timeout": settings.timeout_s,
        **settings.create_args(),
    }
    if spec.base_url:
        kwargs["base_url"] = spec.base_url
    # autogen knows OpenAI's own models; anything else (local, proxied) needs an explicit info.
    if not _known_to_autogen(spec.name):
        kwargs["model_info"] = dict(_UNKNOWN_MODEL_INFO)
    return UsageStreamingOpenAIClient(**kwargs)


def create_client(
    spec: ModelSpec, role: str, start_index: int = 0, settings: CallSettings | None = None
) -> ChatCompletionClient:
    """A fresh client for one agent role; ``start_index`` resumes a scripted run. SDK
    retries are off: :mod:`workbench.models.resilient` retries, recording each attempt."""
    settings = settings or CallSettings()
    if role not in SCRIPT_ROLES:
        raise ModelSpecError(f"unknown role {role!r} (expected one of: {', '.join(SCRIPT_ROLES)})")
    if spec.provider == "scripted":
        return ScriptedChatCompletionClient(load_script(spec.name), role, start_index)
    if spec.provider == "openai":
        return _openai_client(spec, settings)
    raise ModelSpecError(f"model provider {spec.provider!r} is not available yet")
