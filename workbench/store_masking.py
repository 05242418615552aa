"""Secrets are masked on every write to the store: events, artifacts and run rows.

The masker (:mod:`agents.redact`) is imported on first use: a command that only reads rows
masked on write never loads its rules.

Event rows record which masking they had (``events.masked``: the :data:`MASKING_REVISION`
they were written with, 0 for rows an older Workbench wrote unmasked), so readers that must
not print a secret (``workbench show``) mask only the rows that need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents.events import EventBase

MASKING_REVISION = 1
"""Raise it when the masker learns what rows written earlier may still hold."""

_MASKED_RUN_TEXT = ("task", "reason", "branch")
MASKED_RUN_COLUMNS = (*_MASKED_RUN_TEXT, "config")
"""The run columns that can hold a secret."""


def masked_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Run fields as stored: text masked, the config JSON masked value by value."""
    from agents.redact import mask_secrets

    out = dict(fields)
    for name in _MASKED_RUN_TEXT:
        if isinstance(out.get(name), str):
            out[name] = mask_secrets(out[name])
    if isinstance(out.get("config"), str):
        out["config"] = mask_content(out["config"])
    return out


def mask_content(content: str) -> str:
    """A text or JSON body as stored (see :func:`agents.redact.mask_json_text`)."""
    from agents.redact import mask_json_text

    return mask_json_text(content)


def mask_event(event: EventBase) -> EventBase:
    """``event`` with the secrets of its payload masked (the same object when none)."""
    from agents.redact import mask_value

    payload = event.payload()
    masked = mask_value(payload)
    if masked == payload:
        return event
    return event.model_copy(update={k: v for k, v in masked.items() if v != payload.get(k)})


def mask_payload(payload: Any, revision: int) -> Any:
    """A payload read back, masked unless its row was masked by the current revision."""
    if revision >= MASKING_REVISION:
        return payload
    from agents.redact import mask_value

    return mask_value(payload)
