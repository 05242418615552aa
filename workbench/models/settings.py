"""How each model call is made: sampling, limits, timeouts and retries.

One value per run (from config, stored on the run), handed to every client the registry
builds. Provider SDKs are built with their own retries off (``max_retries=0``) and
``timeout_s`` as their request timeout: :mod:`workbench.models.resilient` owns retries, so
every attempt is recorded.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class CallSettings:
    max_tokens: int | None = 4096
    """Completion tokens per call (``None``: the provider's default)."""
    temperature: float | None = 0.0
    """Sampling temperature; 0 makes runs as repeatable as the provider allows."""
    seed: int | None = 7
    """Sampling seed, sent to providers that take one (OpenAI-compatible servers, Ollama)."""
    timeout_s: float = 120.0
    """Whole-request timeout of a non-streamed call, and the SDK's own request timeout."""
    first_token_timeout_s: float = 45.0
    """A streamed call with nothing received for this long is cut and retried."""
    idle_timeout_s: float = 60.0
    """A stream that goes silent this long between chunks is cut and retried."""
    max_attempts: int = 5
    """Attempts per model call (the first one included) before the run parks WAITING."""
    backoff_base_s: float = 1.0
    """First retry delay; doubles each attempt, with full jitter."""
    backoff_cap_s: float = 30.0
    """Longest delay between attempts, Retry-After included."""

    def create_args(self, *, seed: bool = True) -> dict[str, Any]:
        """Sampling arguments for an OpenAI-style request (``None`` values left out)."""
        out: dict[str, Any] = {}
        if self.max_tokens is not None:
            out["max_tokens"] = self.max_tokens
        if self.temperature is not None:
            out["temperature"] = self.temperature
        if seed and self.seed is not None:
            out["seed"] = self.seed
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> CallSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})
