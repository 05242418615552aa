"""Text made safe to print on a terminal (kept apart from the masker so printing a stored,
already masked text loads no secret rules)."""

from __future__ import annotations

import re

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
