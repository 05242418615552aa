"""Masking text that arrives in chunks: a secret split across two chunks is still caught.

The masker holds back a bounded tail that could still be the start of a secret: the last
``hold`` characters, widened to the start of the unbroken token they are in, and any
secret found that reaches the end of what has arrived (it may go on). The rest is masked
and released. ``flush`` releases what is held, masked, at the end of the stream.
"""

from __future__ import annotations

from agents.secret_scan import apply_mask, find_secrets

HOLD = 512
"""Characters always held back: a key name, its separator and a value fit in it."""
MAX_HELD = 64 * 1024
"""Beyond this, held text is released masked even if a secret might still grow."""


class StreamMasker:
    def __init__(self, hold: int = HOLD, max_held: int = MAX_HELD) -> None:
        self._pending = ""
        self._hold = hold
        self._max_held = max_held

    @property
    def pending(self) -> int:
        """Characters held back, not yet released."""
        return len(self._pending)

    def feed(self, chunk: str) -> str:
        """Add ``chunk``; return the masked text that is now safe to release."""
        raw = self._pending + chunk
        if len(raw) <= self._hold:
            self._pending = raw
            return ""
        spans = find_secrets(raw)
        cut = self._cut(raw, spans)
        if cut <= 0:
            if len(raw) <= self._max_held:
                self._pending = raw
                return ""
            cut = len(raw)  # a bound on memory: release it masked
        self._pending = raw[cut:]
        return apply_mask(raw[:cut], [(s, min(e, cut)) for s, e in spans if s < cut])

    def flush(self) -> str:
        """Release everything held, masked (the stream ended)."""
        raw, self._pending = self._pending, ""
        return apply_mask(raw, find_secrets(raw)) if raw else ""

    def _cut(self, raw: str, spans: list[tuple[int, int]]) -> int:
        cut = len(raw) - self._hold
        # never split an unbroken token: it may be a secret whose end has not arrived
        while cut > 0 and not raw[cut - 1].isspace():
            cut -= 1
        for start, end in spans:
            if start < cut < end or (end >= len(raw) and start < cut):
                cut = start  # a secret across the cut, or one still growing at the end
        return cut
