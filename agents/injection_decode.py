"""Encoded text inside a text: base64, hex, percent-encoding, Unicode tag characters, ROT13.

Each decoder returns the spans it decoded (original offsets) with the decoded text, which is
screened like any other text. Only decodings that read as text are kept (mostly printable,
with letters and spaces): a git SHA, a hash or binary data decodes to noise and is left out.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from dataclasses import dataclass
from urllib.parse import unquote

from agents.injection_text import TAG_FIRST, TAG_LAST

_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"(?i)(?<![0-9a-z])(?:(?:\\x|0x)?[0-9a-f]{2}[ :,-]?){8,}(?![0-9a-z])")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2}){6,}")
_TAGS = re.compile(f"[{chr(TAG_FIRST)}-{chr(TAG_LAST)}]+")
MIN_DECODED = 8


@dataclass(frozen=True)
class Decoded:
    start: int
    end: int
    text: str
    technique: str


def reads_as_text(text: str) -> bool:
    """Mostly printable, some letters and at least one space: words, not noise."""
    if len(text) < MIN_DECODED or " " not in text.strip():
        return False
    printable = sum(1 for c in text if c.isprintable() or c in "\n\t")
    letters = sum(1 for c in text if c.isalpha())
    return printable >= 0.95 * len(text) and letters >= 0.5 * len(text.replace(" ", ""))


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _base64(span: str) -> str | None:
    raw = span.replace("-", "+").replace("_", "/")
    try:
        data = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _utf8(data)


def _hex(span: str) -> str | None:
    digits = re.sub(r"(?i)\\x|0x|[ :,-]", "", span)
    if len(digits) % 2:
        return None
    try:
        return _utf8(bytes.fromhex(digits))
    except ValueError:
        return None


def decode_spans(text: str) -> list[Decoded]:
    """Every encoded span of ``text`` that decodes to readable text."""
    found: list[Decoded] = []
    for pattern, decode, name in ((_BASE64, _base64, "base64"), (_HEX, _hex, "hex"),
                                  (_PERCENT, unquote, "percent-encoding")):
        for m in pattern.finditer(text):
            decoded = decode(m.group(0))
            if decoded is not None and reads_as_text(decoded):
                found.append(Decoded(m.start(), m.end(), decoded, name))
    for m in _TAGS.finditer(text):
        hidden = "".join(chr(ord(c) - TAG_FIRST) for c in m.group(0)
                         if 0x20 <= ord(c) - TAG_FIRST <= 0x7E)
        if len(hidden) >= MIN_DECODED:
            found.append(Decoded(m.start(), m.end(), hidden, "unicode tags"))
    return found


def rot13(text: str) -> str:
    """ROT13 of the whole text (same length, so offsets carry over)."""
    return codecs.encode(text, "rot13")
