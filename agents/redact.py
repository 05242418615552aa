"""Secrets are masked before anything reaches a model, the store or the screen; text that looks
like an attempt to give the agents instructions is flagged (repo text is data, not orders)."""

from __future__ import annotations

import re
from typing import Any

MASK = "[secret masked]"

_SECRET_PATTERNS = [
    re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"),  # OpenAI / Anthropic keys
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),  # GitHub tokens
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),  # Slack tokens
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(
        r"(?i)\b((?:api[_-]?key|secret|password|passwd|token|access[_-]?key)\s*[:=]\s*)"
        r"(['\"]?)([^\s'\"]{8,})\2"
    ),
]

_INJECTION = re.compile(
    r"(?i)(ignore (?:all |any )?(?:the )?(?:previous|prior|above) instructions"
    r"|disregard (?:the |your )?(?:system|previous) (?:prompt|instructions)"
    r"|you are now (?:a|an|in) "
    r"|new instructions for the (?:ai|assistant|agent)"
    r"|approve this (?:change|patch) without review)"
)


def mask_secrets(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        if pattern.groups >= 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
        else:
            text = pattern.sub(MASK, text)
    return text


def mask_value(value: Any) -> Any:
    """Mask every string inside a JSON-like value."""
    if isinstance(value, str):
        return mask_secrets(value) if len(value) >= 8 else value
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    return value


def suspected_injection(text: str) -> str | None:
    """The phrase that looks like an instruction aimed at the agents, if any."""
    match = _INJECTION.search(text)
    return match.group(0) if match else None
