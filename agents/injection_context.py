"""Mention versus use: a phrase that documentation, a test or a threat model talks about is
not an instruction to the agent.

A match is a mention when it sits inside an inline quote (``"..."``, backticks, guillemets,
corner brackets) on its line, or when its line or the two lines before it describe an attack
(attackers may write, such as, this test checks that, the detector flags, a threat-model
heading above). It is a use when it is addressed to an agent outside any quote ("Note to the
AI:", "If you are an LLM", ``<|im_start|>system``), even with a cue nearby; and it is no
instruction when a negation comes right before it ("never reveal your system prompt").
"""

from __future__ import annotations

import re

from agents.injection_rules import Phrases, Script
from agents.injection_text import native_view, squashed, word_view

CONTEXT_LINES = 2
HEADING_LINES = 30
MAX_QUOTE = 240
_PAIRS = ('""', "``", "“”", "‘’", "«»", "„“", "„”", "「」", "『』", "‹›")
_QUOTES = [re.compile(f"{re.escape(p[0])}([^{re.escape(p[1])}\n]{{1,{MAX_QUOTE}}})"
                      f"{re.escape(p[1])}") for p in _PAIRS]
_QUOTES.append(re.compile(  # an apostrophe is no quote: 'x' only between non-letters
    rf"(?<![\w])'(?=\S)([^'\n]{{1,{MAX_QUOTE}}}?)(?<=\S)'(?![\w])"))
_TRIPLE = re.compile(r'"""|\'\'\'|```')
_URL = re.compile(r"(?i)(?:https?|ftp)://\S+|www\.\S+|\S+\.example\b\S*")
"""Blanked before looking for cues: ``example.com`` in a link is no "for example"."""
_HEADING = re.compile(r"(?m)^ {0,3}(?:#{1,6}|=+|\*\*)\s*(.+)$")


def _context_start(text: str, start: int, lines: int) -> int:
    pos = text.rfind("\n", 0, start)
    for _ in range(lines):
        if pos <= 0:
            return 0
        pos = text.rfind("\n", 0, pos)
    return pos + 1


def _line_end(text: str, end: int) -> int:
    pos = text.find("\n", end)
    return len(text) if pos < 0 else pos


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Spans of inline quotes (triple quotes and code fences are not inline quotes)."""
    plain = _TRIPLE.sub(lambda m: " " * len(m.group(0)), text)
    regions: list[tuple[int, int]] = []
    for pattern in _QUOTES:
        regions.extend((m.start(), m.end()) for m in pattern.finditer(plain))
    return regions


def _blank(text: str, regions: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in regions:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


_LETTER_RUN = re.compile(r"(?<![^ ])(?:\w ){2,}\w(?![^ ])")


def _joined(words: str) -> str:
    """Letters spelled apart joined again ("d i s r e g a r d" holds no "e g" cue)."""
    return _LETTER_RUN.sub(lambda m: m.group(0).replace(" ", ""), words)


def _views(text: str) -> dict[Script, str]:
    native = native_view(text)
    return {"latin": _joined(word_view(text).text), "native": _joined(native.text),
            "cjk": squashed(native)[0].text}


def _any(patterns: dict[str, tuple[re.Pattern[str], ...]], views: dict[Script, str],
         raw: str = "") -> bool:
    for script, text in views.items():
        if any(p.search(text) for p in patterns.get(script, ())):
            return True
    return bool(raw) and any(p.search(raw) for p in patterns.get("raw", ()))


def _heading_cue(text: str, line_start: int, data: Phrases) -> bool:
    above = text[_context_start(text, line_start, HEADING_LINES):line_start]
    for m in _HEADING.finditer(above):
        heading = word_view(m.group(1)).text
        if any(p.search(heading) for p in data.cues.get("heading", ())):
            return True
    return False


def negated(text: str, start: int, data: Phrases) -> bool:
    """A negation in the two words right before ``start`` ("never", "do not", "nicht")."""
    before = text[_context_start(text, start, 1):start]
    for script, view in (("latin", word_view(before)), ("native", native_view(before))):
        last_two = " ".join(view.text.strip().split(" ")[-2:])
        if data.negators[script].search(last_two):
            return True
    return False


def is_use(text: str, start: int, end: int, data: Phrases, quotes: bool = True) -> bool:
    """Whether the match ``text[start:end]`` reads as an instruction to the agent.
    ``quotes=False``: quoting does not make it a mention (an encoded payload is quoted
    data in code as often as an example in prose)."""
    line_start = text.rfind("\n", 0, start) + 1
    ctx_start = _context_start(text, start, CONTEXT_LINES)
    ctx_end = _line_end(text, end)
    context = text[ctx_start:ctx_end]
    regions = [(a + ctx_start, b + ctx_start) for a, b in quote_regions(context)]
    quoted = quotes and any(a <= start and end <= b for a, b in regions)
    outside = _blank(context, [(a - ctx_start, b - ctx_start) for a, b in regions])
    addressed = _any(data.address, _views(outside), outside)
    cue = _any(data.cues, _views(_URL.sub(" ", context))) or _heading_cue(text, line_start, data)
    if quoted and cue:
        return False
    if addressed:
        return True
    return not (quoted or cue)


def addressed_near(text: str, start: int, end: int, data: Phrases) -> bool:
    """An address to an agent, outside quotes, on the match's line or the lines before."""
    ctx_start = _context_start(text, start, CONTEXT_LINES)
    context = text[ctx_start:_line_end(text, end)]
    outside = _blank(context, quote_regions(context))
    return _any(data.address, _views(outside), outside)
