"""Injection screening: text that tries to give the agents instructions.

Every text that enters a prompt (the task, files read, search hits, test and tool output) is
screened by :func:`screen`. Matching sees through the usual disguises (see
:mod:`agents.injection_text`), decodes base64, hex, percent-encoded, tag-character and ROT13
text and screens it too, and knows phrase families in English, German, French, Spanish,
Portuguese, Italian, Russian, Chinese and Japanese (``injection_phrases.yaml``). A phrase that
documentation quotes or describes is a mention, not an attack (:mod:`agents.injection_context`).

A finding never blocks anything by itself: the engine records it (``injection_suspected``),
shows it, and sends the text on only as fenced data.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from agents.injection_context import addressed_near, is_use, negated
from agents.injection_decode import decode_spans, rot13
from agents.injection_rules import Phrases, Rule, phrases
from agents.injection_text import View, line_starts, native_view, squashed, word_view

MAX_SCREENED = 200_000
"""Characters screened per text (tool output is capped well below this)."""
EXCERPT = 100
MAX_DEPTH = 2
_BREAK = re.compile(r"(?<![.!?])[.!?;](?![.!?])\s|[。！？；]|\n[ \t]*\n")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Finding:
    """One suspected injection: where (``task``, ``path:line``, ``tool:CALL_ID``), which
    phrase family (``ignore_instructions``), in which language and disguise, and the text."""

    source: str
    rule: str
    language: str
    technique: str
    excerpt: str
    line: int = 1

    @property
    def label(self) -> str:
        """``ignore_instructions (de, base64)``."""
        how = self.language + ("" if self.technique == "plain" else f", {self.technique}")
        return f"{self.rule} ({how})"

    @property
    def key(self) -> str:
        """What makes two findings the same (a prompt sent twice is flagged once)."""
        return f"{self.source}|{self.label}|{self.excerpt}"


@dataclass(frozen=True)
class _Hit:
    rule: Rule
    start: int
    end: int
    technique: str


def _excerpt(text: str, start: int, end: int) -> str:
    piece = _SPACE.sub(" ", text[start:end]).strip()
    piece = "".join(c for c in piece if c.isprintable())
    return piece if len(piece) <= EXCERPT else piece[: EXCERPT - 1] + "…"


def _bounded(view: View, keep: list[int], start: int, end: int) -> bool:
    """A squashed match starts and ends at word boundaries of the word view."""
    first, last = keep[start], keep[end - 1]
    return (first == 0 or view.text[first - 1] == " ") and (
        last + 1 >= len(view.text) or view.text[last + 1] == " ")


def _gapped(view: View, first: int, last: int) -> bool:
    """Letters spelled apart: three or more words of one or two letters in the span."""
    return sum(1 for w in view.text[first:last + 1].split(" ") if 0 < len(w) <= 2) >= 3


def _split(text: str, view: View, first: int, last: int) -> bool:
    """A word broken by punctuation alone ("ign*ore", "ig.no.re"): two words of the span
    with no white space between them in the original."""
    for k in range(first, last + 1):
        if view.text[k] == " " and k > first and not any(
                c.isspace() for c in text[view.src[k - 1] + 1:view.src[k + 1]]):
            return True
    return False


_IDENTIFIER = re.compile(r"[\w.]*_[\w.]*")


def _identifier(text: str, a: int, b: int) -> bool:
    """The match lies inside one snake_case name (``allow_merge_without_review``): code."""
    left = a
    while left > 0 and (text[left - 1].isalnum() or text[left - 1] in "_."):
        left -= 1
    right = b
    while right < len(text) and (text[right].isalnum() or text[right] in "_."):
        right += 1
    return _IDENTIFIER.fullmatch(text, left, right) is not None


def _view_hits(text: str, view: View, rules: list[Rule], technique: str) -> list[_Hit]:
    hits: list[_Hit] = []
    flat, keep = squashed(view)
    for rule in rules:
        for m in rule.words.finditer(view.text):
            a, b = view.span(m.start(), m.end())
            if not _BREAK.search(text, a, b) and not _identifier(text, a, b):
                hits.append(_Hit(rule, a, b, technique))
        if rule.squashed is None:
            continue
        for m in rule.squashed.finditer(flat.text):
            if m.end() == m.start() or not _bounded(view, keep, m.start(), m.end()):
                continue
            a, b = flat.span(m.start(), m.end())
            first, last = keep[m.start()], keep[m.end() - 1]
            if _gapped(view, first, last) or (
                    _split(text, view, first, last) and not _BREAK.search(text, a, b)
                    and not _identifier(text, a, b)):
                hits.append(_Hit(rule, a, b, "spaced"))
    return hits


def _cjk_hits(text: str, view: View, rules: list[Rule], technique: str) -> list[_Hit]:
    flat, _ = squashed(view)
    hits: list[_Hit] = []
    for rule in rules:
        for m in rule.words.finditer(flat.text):
            a, b = flat.span(m.start(), m.end())
            hits.append(_Hit(rule, a, b, technique))
    return hits


def _hits(text: str, data: Phrases, technique: str, latin_only: bool = False) -> list[_Hit]:
    latin = [r for r in data.rules if r.script == "latin" and (
        not latin_only or r.language == "en")]
    hits = _view_hits(text, word_view(text), latin, technique)
    hits += [_Hit(r, m.start(), m.end(), technique) for r in data.rules if r.script == "raw"
             for m in r.words.finditer(text)]
    if not latin_only and not text.isascii():
        native = native_view(text)
        hits += _view_hits(text, native, [r for r in data.rules if r.script == "native"],
                           technique)
        hits += _cjk_hits(text, native, [r for r in data.rules if r.script == "cjk"],
                          technique)
    return hits


def _judged(text: str, hits: list[_Hit], data: Phrases) -> list[_Hit]:
    """The hits that read as instructions; weak families only beside a strong one or an
    address to an agent."""
    used = [h for h in hits if not (h.rule.negatable and negated(text, h.start, data))
            and is_use(text, h.start, h.end, data)]
    strong = any(h.rule.strong for h in used)
    return [h for h in used if h.rule.strong or strong
            or addressed_near(text, h.start, h.end, data)]


def _screen(text: str, data: Phrases, technique: str, depth: int) -> list[tuple[int, _Hit,
                                                                              str]]:
    """(offset in ``text``, hit, excerpt) for every use found in ``text`` or decoded in it."""
    found = [(h.start, h, _excerpt(text, h.start, h.end))
             for h in _judged(text, _hits(text, data, technique), data)]
    if depth >= MAX_DEPTH:
        return found
    for span in decode_spans(text):
        if not is_use(text, span.start, span.end, data, quotes=False):
            continue  # an encoded example that the text quotes or describes
        for _, hit, excerpt in _screen(span.text, data, span.technique, depth + 1):
            found.append((span.start, hit, excerpt))
    rotated = rot13(text)
    for h in _judged(rotated, _hits(rotated, data, "rot13", latin_only=True), data):
        if is_use(text, h.start, h.end, data):
            found.append((h.start, h, _excerpt(rotated, h.start, h.end)))
    return found


def screen(text: str, source: str, first_line: int | None = None) -> list[Finding]:
    """The suspected injections in ``text``, at most one per line and phrase family.

    ``source`` names where the text comes from (``task``, ``tool:CALL_ID``). With
    ``first_line`` the text is the part of a file starting at that line, and each finding's
    source is ``source:LINE`` (``inventory/stock.py:12``)."""
    text = text[:MAX_SCREENED]
    starts = line_starts(text)
    findings: dict[tuple[int, str], Finding] = {}
    for offset, hit, excerpt in sorted(_screen(text, phrases(), "plain", 0),
                                       key=lambda f: (f[0], f[1].technique != "plain")):
        line = bisect_right(starts, offset)
        where = source if first_line is None else f"{source}:{first_line + line - 1}"
        key = (line, hit.rule.family)
        if key not in findings:
            findings[key] = Finding(where, hit.rule.family, hit.rule.language, hit.technique,
                                    excerpt, line)
    return list(findings.values())
