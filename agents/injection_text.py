"""Views of a text for injection matching, each with a map back to the original characters.

An attack hides its words: look-alike letters, leetspeak, zero-width or Unicode tag
characters, accents, letters spaced out or split by punctuation. Every view below undoes one
family of those tricks, character by character, and keeps for each output character the index
of the original one, so a match can be reported with the original line and excerpt and judged
in its original context (quotes, the sentence around it).

- :func:`word_view`: Latin-script matching. NFKD with marks dropped, look-alikes and
  leetspeak mapped to ASCII letters, case folded, every run of non-letters one space.
- :func:`native_view`: the same for other scripts (Cyrillic, CJK), without the Latin mapping
  (which would turn Russian into look-alike Latin).
- :func:`squashed`: a view without its spaces, for words spelled with gaps or punctuation.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

# Cyrillic, Greek and other letters that look like Latin ones (after lower-casing).
_LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y",
    "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "γ": "y", "ς": "s", "μ": "u",
    "ı": "i", "ɩ": "i", "ɑ": "a", "ʏ": "y", "ſ": "s", "ℓ": "l", "օ": "o", "ս": "u",
    "ց": "g", "ɪ": "i", "ᴏ": "o", "ᴀ": "a", "ᴇ": "e", "ɴ": "n", "ʀ": "r", "ꜱ": "s",
}
_LEET = {"1": "i", "0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
# Latin letters that look like Cyrillic ones, for Latin letters slipped into Russian words.
_TO_CYRILLIC = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х",
                "k": "к", "m": "м", "t": "т", "h": "н", "b": "в", "i": "і"}

TAG_FIRST, TAG_LAST = 0xE0000, 0xE007F
"""Unicode tag characters: invisible, and able to spell ASCII text (U+E0041 is a hidden A)."""


def invisible(ch: str) -> bool:
    """Characters that draw nothing: zero-width, bidi and other format characters, tags,
    variation selectors, the combining grapheme joiner."""
    cp = ord(ch)
    if TAG_FIRST <= cp <= TAG_LAST or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    return cp == 0x034F or unicodedata.category(ch) == "Cf"


@dataclass
class View:
    """``text`` with ``src[i]`` the index in the original of ``text[i]``."""

    text: str
    src: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]`` (end exclusive)."""
        return self.src[start], self.src[max(start, end - 1)] + 1


def _build(text: str, mapper: Callable[[str], str]) -> View:
    """Map every character (letters stay letters, anything else becomes one space)."""
    out: list[str] = []
    src: list[int] = []
    space = True
    for i, ch in enumerate(text):
        for c in mapper(ch):
            if c != " ":
                out.append(c)
                src.append(i)
                space = False
            elif not space:
                out.append(" ")
                src.append(i)
                space = True
    return View("".join(out), src)


@cache
def _latin(ch: str) -> str:
    if invisible(ch):
        return ""
    low = unicodedata.normalize("NFKC", ch).casefold()
    mapped = "".join(_LOOKALIKES.get(c, _LEET.get(c, c)) for c in low)
    if not mapped.isascii():
        decomposed = unicodedata.normalize("NFKD", mapped)
        mapped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isalpha() else " " for c in mapped)


@cache
def _native(ch: str) -> str:
    if invisible(ch):
        return ""
    mapped = unicodedata.normalize("NFKC", ch).casefold().replace("ё", "е")
    return "".join(c if c.isalpha() else " " for c in mapped)


def word_view(text: str) -> View:
    """Latin-script words, one space between them (see the module docstring)."""
    return _build(text, _latin)


def _cyrillic(word: str) -> str:
    """A mostly Cyrillic word with Latin look-alikes mapped to Cyrillic."""
    cyr = sum(1 for c in word if "\u0400" <= c <= "\u04ff")
    if cyr * 2 <= len(word):
        return word
    return "".join(_TO_CYRILLIC.get(c, c) for c in word)


def native_view(text: str) -> View:
    """Words of any script (NFKC, case folded, ``ё`` as ``е``), one space between them;
    Latin look-alikes inside Cyrillic words are read as Cyrillic."""
    view = _build(text, _native)
    if not any("\u0400" <= c <= "\u04ff" for c in view.text):
        return view
    fixed = " ".join(_cyrillic(w) for w in view.text.split(" "))
    return View(fixed, view.src)


def squashed(view: View) -> tuple[View, list[int]]:
    """``view`` without its spaces, and for each character its index in ``view``."""
    keep = [i for i, c in enumerate(view.text) if c != " "]
    return View("".join(view.text[i] for i in keep), [view.src[i] for i in keep]), keep


def line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, c in enumerate(text) if c == "\n")
    return starts
