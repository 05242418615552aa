"""Secrets are masked before anything reaches a model, the store or the screen (injection
screening is :mod:`agents.injection`).

The masker is :func:`mask_secrets` (see :mod:`agents.secret_scan`); :class:`StreamMasker`
masks text that arrives in chunks; :func:`printable` makes a text safe to print on a
terminal.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from agents.secret_filters import MASK, is_named_value_secret, is_secret_key
from agents.secret_scan import find_secrets, known, mask_text
from agents.secret_stream import StreamMasker

__all__ = ["MASK", "MaskingLogFilter", "StreamMasker", "find_secrets", "install_log_masking",
           "mask_secrets", "mask_value", "printable", "safe_text"]

def mask_secrets(text: str) -> str:
    """``text`` with every secret value replaced by :data:`MASK`; key names stay."""
    return mask_text(text)


def mask_value(value: Any) -> Any:
    """Mask every string inside a JSON-like value; a string under a secret-like key
    (``{"password": "hunter2"}``) is masked whole, the key giving the context the text
    alone lacks."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for k, v in value.items():
            if (isinstance(k, str) and isinstance(v, str) and is_secret_key(k)
                    and is_named_value_secret(v, k, quoted=True)):
                known.add({v})
                out[k] = MASK
            else:
                out[k] = mask_value(v)
        return out
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    return value


# Terminal escape sequences (CSI, OSC, other ESC-introduced), then any other control or
# bidirectional-override character: a model's text must not move the cursor, recolour or
# rewrite the screen, or reorder what a reader sees.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
                      r"|\x1b[@-Z\\-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` without terminal control: escape sequences and control characters other
    than newline and tab are removed, CR and CRLF become a newline."""
    if text.isprintable():
        return text
    text = _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROLS.sub("", text)


def safe_text(text: str) -> str:
    """What may be shown or printed: masked and :func:`printable`."""
    return printable(mask_text(text))


class MaskingLogFilter(logging.Filter):
    """Masks log records (attach to a handler: a filter on a logger misses its children)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report
            return True
        record.msg, record.args = safe_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


def install_log_masking() -> None:
    """Mask what the root logger's handlers (and Python's last-resort handler) write."""
    handlers = [*logging.getLogger().handlers, logging.lastResort]
    for handler in handlers:
        if handler is not None and not any(isinstance(f, MaskingLogFilter)
                                           for f in handler.filters):
            handler.addFilter(MaskingLogFilter())
