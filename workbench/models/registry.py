"""Provider strings (``openai:gpt-4o-mini``, ``anthropic:MODEL``, ``scripted:FILE``...) ->
AutoGen model clients.

Parsing is cheap: no SDK is imported here. :func:`create_client` hands each provider to its
builder in :mod:`workbench.models.providers` (or :mod:`workbench.models.replay`), which
imports that provider's SDK on first use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from agents.contracts import AGENT_ROLES

from .errors import ModelSpecError
from .scripted import SCRIPT_ROLES, ScriptedChatCompletionClient, load_script
from .settings import CallSettings

if TYPE_CHECKING:
    from autogen_core.models import ChatCompletionClient

AVAILABLE_PROVIDERS: tuple[str, ...] = (
    "scripted", "openai", "azure", "anthropic", "ollama", "gemini", "replay",
)
# Known, but refused with a pointer to what works instead.
REFUSED_PROVIDERS: dict[str, str] = {
    "llamacpp": (
        "embedded GGUF models are not supported in this version: serve {name} with llama.cpp's "
        "server (llama-server -m {name} --port 8080) and use openai:MODEL with "
        "--base-url http://127.0.0.1:8080/v1"
    ),
}
ROLE_NAMES: tuple[str, ...] = tuple(str(r) for r in AGENT_ROLES)
DEMO_SCRIPT = Path(__file__).resolve().parent.parent / "demo_data" / "demo_script.yaml"

_SPEC_HINT = "expected PROVIDER:MODEL, e.g. openai:gpt-4o-mini or scripted:FILE"
_WHAT = {"scripted": "FILE", "azure": "DEPLOYMENT", "replay": "RUN_ID"}


@dataclass(frozen=True)
class ModelSpec:
    """A parsed provider string; ``name`` is the model (the deployment for azure, the run id
    for replay, the script's absolute path for scripted)."""

    provider: str
    name: str
    base_url: str | None = None
    """Where the provider is served, when not its default (any provider but scripted)."""
    key_env: str | None = None
    """Environment variable holding the API key, when not the provider's usual one."""
    context_window: int | None = None
    """Tokens of context, from config; used for local token budgeting only."""
    db: str | None = None
    """replay only: the run store holding the recorded run (default: the usual store)."""

    @property
    def is_scripted(self) -> bool:
        return self.provider == "scripted"

    @property
    def is_replay(self) -> bool:
        return self.provider == "replay"

    @property
    def text(self) -> str:
        """The canonical provider string, e.g. ``openai:gpt-4o-mini``."""
        return f"{self.provider}:{self.name}"

    @property
    def label(self) -> str:
        """What the UI shows; scripted models and replays are always marked as such."""
        if self.is_scripted:
            return f"scripted: {Path(self.name).name} (SCRIPTED)"
        if self.is_replay:
            return f"replay: {self.name} (REPLAY)"
        at = f" @ {self.base_url}" if self.base_url else ""
        return f"{self.text}{at}"


def _check_base_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ModelSpecError(f"base URL {url!r} must start with http:// or https://")
    return url


def split_spec(text: str) -> tuple[str, str]:
    """``" OpenAI:m "`` -> ``("openai", "m")``, checked; the model part may hold colons
    (``ollama:qwen2.5-coder:7b``)."""
    raw = text.strip()
    if not raw:
        raise ModelSpecError(f"empty model spec ({_SPEC_HINT})")
    provider, sep, name = raw.partition(":")
    provider, name = provider.strip().lower(), name.strip()
    if not sep:
        raise ModelSpecError(f"model spec {raw!r} has no provider ({_SPEC_HINT})")
    if provider in REFUSED_PROVIDERS:
        raise ModelSpecError(REFUSED_PROVIDERS[provider].format(name=name or "MODEL.gguf"))
    if provider not in AVAILABLE_PROVIDERS:
        known = ", ".join(AVAILABLE_PROVIDERS)
        raise ModelSpecError(
            f"unknown model provider {provider!r} in {raw!r} (expected one of: {known})"
        )
    if not name:
        what = _WHAT.get(provider, "MODEL")
        raise ModelSpecError(f"missing model name in {raw!r} (expected {provider}:{what})")
    return provider, name


def parse_model_spec(
    text: str,
    base_url: str | None = None,
    *,
    server: str | None = None,
    key_env: str | None = None,
    context_window: int | None = None,
    db: str | None = None,
) -> ModelSpec:
    """Parse ``PROVIDER:MODEL``.

    ``base_url`` (or OPENAI_BASE_URL) is the OpenAI-compatible server of ``openai:`` specs
    only (one URL given for a whole run must not send another provider's calls there).
    ``server`` is where this one model is served, whatever its provider (a named model's
    ``base_url``, see :func:`workbench.models.routing.resolve`); without it, the other
    providers read their own variables (AZURE_OPENAI_ENDPOINT, ANTHROPIC_BASE_URL,
    OLLAMA_HOST, GEMINI_BASE_URL) when the client is built.
    """
    provider, name = split_spec(text)
    if provider == "scripted":
        path = DEMO_SCRIPT if name == "demo" else Path(name).expanduser().resolve()
        load_script(path)  # fail now, with a one-line error, not mid-run
        return ModelSpec("scripted", str(path))
    if provider == "replay":
        return ModelSpec("replay", name, db=db)
    url = server
    if provider == "openai" and not url:
        url = base_url or os.environ.get("OPENAI_BASE_URL")
    url = (url or "").strip() or None
    return ModelSpec(
        provider, name, _check_base_url(url) if url else None, key_env, context_window
    )


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
        if role not in (*ROLE_NAMES, "selector"):  # selector: who speaks next in group mode
            raise ModelSpecError(
                f"unknown role {role!r} in {pair!r} (expected one of: "
                f"{', '.join(ROLE_NAMES)}, selector)"
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


def create_client(
    spec: ModelSpec, role: str, start_index: int = 0, settings: CallSettings | None = None
) -> ChatCompletionClient:
    """A fresh client for one agent role; ``start_index`` resumes a scripted run or a replay.
    SDK retries are off: :mod:`workbench.models.resilient` retries, recording each attempt."""
    settings = settings or CallSettings()
    if role not in SCRIPT_ROLES:
        raise ModelSpecError(f"unknown role {role!r} (expected one of: {', '.join(SCRIPT_ROLES)})")
    if spec.provider == "scripted":
        return ScriptedChatCompletionClient(load_script(spec.name), role, start_index)
    if spec.provider == "replay":
        from .replay import replay_client

        return replay_client(spec, role, start_index)
    from .providers import BUILDERS

    builder = BUILDERS.get(spec.provider)
    if builder is None:
        raise ModelSpecError(f"model provider {spec.provider!r} is not available")
    return builder(spec, settings)
