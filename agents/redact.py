"""Secrets are masked before anything reaches a model, the store or the screen (injection
screening is :mod:`agents.injection`).

The masker is :func:`mask_secrets` (see :mod:`agents.secret_scan`); :class:`StreamMasker`
masks text that arrives in chunks; :func:`printable` makes a text safe to print on a
terminal.
"""

from __future__ import annotations

import json
from typing import Any

from agents.log_masking import MaskingLogFilter, install_log_masking
from agents.secret_filters import MASK, is_named_value_secret, is_secret_key
from agents.secret_scan import find_secrets, known, mask_text
from agents.secret_stream import StreamMasker
from agents.terminal_text import printable

__all__ = ["MASK", "MaskingLogFilter", "StreamMasker", "find_secrets", "install_log_masking",
           "mask_json_text", "mask_secrets", "mask_value", "printable", "safe_text"]


def mask_secrets(text: str) -> str:
    """``text`` with every secret value replaced by :data:`MASK`; key names stay."""
    return mask_text(text)


def mask_value(value: Any) -> Any:
    """Mask every string inside a JSON-like value; a string under a secret-like key
    (``{"password": "hunter2"}``) is masked whole, the key giving the context the text
    alone lacks."""
    kind = type(value)  # the exact types first: this walks every saved agent state
    if kind is str:
        return mask_text(value)
    if kind is dict:
        out: dict[Any, Any] = {}
        for k, v in value.items():
            if type(v) in _SCALARS:
                out[k] = v
            elif isinstance(v, str):
                if (isinstance(k, str) and is_secret_key(k)
                        and is_named_value_secret(v, k, quoted=True)):
                    known.add({v})
                    out[k] = MASK
                else:
                    out[k] = mask_text(v)
            else:
                out[k] = mask_value(v)
        return out
    if kind is list or kind is tuple:
        return [mask_value(v) for v in value]
    if kind in _SCALARS:
        return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return mask_value(dict(value))
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    return value


_SCALARS = frozenset({int, float, bool, type(None)})


def mask_json_text(text: str) -> str:
    """A text that may be JSON, masked: JSON value by value (masking its text could cut
    through an escape), re-encoded only when something was masked; other text as text."""
    try:
        data = json.loads(text)
    except ValueError:
        return mask_text(text)
    masked = mask_value(data)
    return text if masked == data else json.dumps(masked)


def safe_text(text: str) -> str:
    """What may be shown or printed: masked and :func:`printable`."""
    return printable(mask_text(text))
