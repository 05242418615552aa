"""Log records are masked before any handler writes them. The masker is imported by the
first record, so installing the filter at start-up costs nothing."""

from __future__ import annotations

import logging


class MaskingLogFilter(logging.Filter):
    """Masks log records (attach to a handler: a filter on a logger misses its children)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report
            return True
        from agents.redact import safe_text
        from agents.secret_scan import mask_text

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
