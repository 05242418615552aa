"""Find and mask the secrets in a text: provider shapes, values of secret-like names,
high-entropy tokens, and any value already found once (a password read from ``.env`` is
masked when test output repeats it bare)."""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from agents.secret_filters import (
    MASK,
    is_high_entropy_secret,
    is_key_shaped,
    is_low_variety,
    is_named_value_secret,
    is_secret_key,
)
from agents.secret_patterns import (
    ASSIGNMENT,
    ENTROPY_CANDIDATE,
    KEYWORDS,
    LONG_TOKEN,
    OWN_RULES,
    Rule,
    detect_secrets_rules,
)

Span = tuple[int, int]

_KNOWN_MIN = 8
_KNOWN_MAX = 512
_CACHE_MAX_CHARS = 32 * 1024
_KEYWORD_LINE = re.compile(r"(?i)api_?key|auth_?key|service_?key|account_?key|db_?key"
                           r"|database_?key|priv(?:ate)?_?key|client_?key|db_?pass"
                           r"|database_?pass|key_?pass|passw(?:or)?d|pwd|secret|contrase")

# The name a value is assigned to: the last identifier before its separator.
_KEY_BEFORE = re.compile(r"(?P<key>[\w.-]+)[\"'`\]]*\s*(?::=|=>|[!=]=?=?|:|\()?\s*[\"'`]?$")


class _Known:
    """Secret values seen so far in this process (bounded), masked wherever they recur."""

    def __init__(self) -> None:
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self.pattern: re.Pattern[str] | None = None

    def add(self, values: set[str]) -> None:
        fresh = {v for v in values if len(v) >= _KNOWN_MIN and v not in self._values}
        if not fresh:
            return
        with self._lock:
            for value in fresh:
                self._values[value] = None
            while len(self._values) > _KNOWN_MAX:
                self._values.popitem(last=False)
            ordered = sorted(self._values, key=len, reverse=True)
            self.pattern = re.compile("|".join(map(re.escape, ordered)))
        _mask_cached.cache_clear()  # an earlier result may now miss a value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.pattern = None
        _mask_cached.cache_clear()


known = _Known()


def _group_span(rule: Rule, match: re.Match[str]) -> Span | None:
    if rule.group == -1:
        for index in range(1, (match.re.groups or 0) + 1):
            if match.group(index):
                return match.span(index)
        return None
    return match.span(rule.group)


def _basic_credentials(value: str) -> bool:
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def _accept(rule: Rule, value: str) -> bool:
    name = rule.name
    if name == "sk_key":
        return is_key_shaped(value)
    if name == "basic_credentials":
        return _basic_credentials(value)
    if name == "bearer_token" and not re.search(r"\d", value):
        return False
    if name == "ds:JwtTokenDetector":
        from detect_secrets.plugins.jwt import JwtTokenDetector

        return bool(JwtTokenDetector.is_formally_valid(value))
    if rule.named:
        return is_named_value_secret(value, quoted=False)
    return not is_low_variety(value)


_MULTILINE_REACH = 64 * 1024


def _lines_with(text: str, lower: str, words: tuple[str, ...],
                multiline: bool = False) -> list[Span]:
    """The lines that contain one of ``words`` (lowercase: case-blind), merged; found with
    ``str.find``, which is fast. ``multiline``: from such a line on, up to 64 KB."""
    if len(lower) != len(text):  # lowercasing moved the offsets: scan it all
        return [(0, len(text))]
    lines: list[Span] = []
    for word in words:
        hay = lower if word.islower() else text
        at = hay.find(word)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            if multiline:
                end = min(len(text), at + _MULTILINE_REACH)
            lines.append((start, end))
            at = hay.find(word, end)
    lines.sort()
    merged: list[Span] = []
    for start, end in lines:
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@lru_cache(maxsize=1)
def _plan() -> tuple[tuple[tuple[str, tuple[Rule, ...]], ...], tuple[Rule, ...]]:
    """Rules grouped by anchor (each anchor tested once per text), and the line rules."""
    by_anchor: dict[str, list[Rule]] = {}
    line_rules: list[Rule] = []
    for rule in (*OWN_RULES, *detect_secrets_rules()):
        if not rule.anchors:
            line_rules.append(rule)
        for anchor in rule.anchors:
            by_anchor.setdefault(anchor, []).append(rule)
    return tuple((a, tuple(r)) for a, r in by_anchor.items()), tuple(line_rules)


def _rule_spans(text: str, lower: str, lines: list[Span], spans: list[Span]) -> None:
    anchored, line_rules = _plan()
    present = {a for a, _ in anchored if a in (lower if a.islower() else text)}
    chosen: dict[str, Rule] = {}
    for anchor, rules in anchored:
        if anchor in present:
            for rule in rules:
                chosen.setdefault(rule.pattern.pattern, rule)
    whole = [(0, len(text))]
    # a one- or two-letter anchor is everywhere: those rules (fast ones) scan the whole text
    work = [(r, whole if any(len(a) <= 2 for a in r.anchors) else _lines_with(
        text, lower, tuple(a for a in r.anchors if a in present), r.multiline))
        for r in chosen.values()]
    work += [(r, lines) for r in line_rules]
    for rule, ranges in work:
        for pos, endpos in ranges:
            for match in rule.pattern.finditer(text, pos, endpos):
                span = _group_span(rule, match)
                if (span is not None and span[1] > span[0]
                        and _accept(rule, text[span[0]:span[1]])):
                    spans.append(span)


def _prose_follows(text: str, end: int) -> bool:
    """``token: good enough for…``: a bare word followed by more words is prose."""
    return bool(_PROSE.match(text, end))


_PROSE = re.compile(r" [A-Za-z]+[ ,.]")


def _assignment_spans(text: str, lines: list[Span], spans: list[Span]) -> None:
    for pos, endpos in lines:
        for m in ASSIGNMENT.finditer(text, pos, endpos):
            key = m["key"].lstrip("-")
            if not is_secret_key(key):
                continue
            quoted = m["q"] is not None
            sep = m["sep"]
            if sep not in ("=", ":", ":=", "=>") and not quoted:
                continue  # a comparison with a variable
            before = text[max(0, m.start() - 40):m.start()].rstrip(" \t")
            code_style = bool(m["sp1"]) or before[-1:] in ("(", ",")
            group = "qv" if quoted else "uv"
            value = m[group]
            if not quoted and value.isalpha() and _prose_follows(text, m.end(group)):
                continue
            if is_named_value_secret(value, key, sep, code_style=code_style, quoted=quoted):
                spans.append(m.span(group))


def _keyword_spans(text: str, lines: list[Span], spans: list[Span]) -> None:
    """detect-secrets' keyword detector, on the lines that name a secret."""
    from detect_secrets.plugins.keyword import KeywordDetector

    detector = _keyword_detector(KeywordDetector)
    for pos, endpos in lines:
        offset = pos
        for line in text[pos:endpos].splitlines(keepends=True):
            if len(line) < 4000 and ('"' in line or "'" in line) and _KEYWORD_LINE.search(line):
                for value in detector.analyze_string(line):
                    at = line.find(value) if value else -1
                    key = _KEY_BEFORE.search(line, 0, max(at, 0))
                    if (at >= 0 and key is not None and is_secret_key(key["key"])
                            and is_named_value_secret(value.strip(), quoted=True)):
                        spans.append((offset + at, offset + at + len(value)))
            offset += len(line)


@lru_cache(maxsize=1)
def _keyword_detector(cls: type) -> Any:
    return cls()


def _entropy_spans(text: str, spans: list[Span]) -> None:
    last_end = -1
    for token in LONG_TOKEN.finditer(text):
        if token.start() < last_end:
            continue  # its line was scanned
        start = text.rfind("\n", 0, token.start()) + 1
        end = text.find("\n", token.end())
        last_end = len(text) if end < 0 else end
        for m in ENTROPY_CANDIDATE.finditer(text, start, last_end):
            key = m["key"]
            group = "qv" if m["q"] is not None else "uv"
            if not is_secret_key(key) and is_high_entropy_secret(m[group], key):
                spans.append(m.span(group))


def _merge(spans: list[Span], text: str) -> list[Span]:
    protected = [(m.start(), m.end()) for m in re.finditer(re.escape(MASK), text)]
    merged: list[Span] = []
    for start, end in sorted(spans):
        if any(s < end and start < e for s, e in protected):
            continue  # already masked: masking is idempotent
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_secrets(text: str) -> list[Span]:
    """The spans of ``text`` that are secret values, sorted and disjoint."""
    spans: list[Span] = []
    lower = text.lower()
    lines = _lines_with(text, lower, KEYWORDS)
    _rule_spans(text, lower, lines, spans)
    if lines:
        _assignment_spans(text, lines, spans)
        _keyword_spans(text, lines, spans)
    _entropy_spans(text, spans)
    if spans:
        known.add({text[s:e] for s, e in spans})
    pattern = known.pattern
    if pattern is not None:
        spans.extend(m.span() for m in pattern.finditer(text))
    return _merge(spans, text) if spans else []


def apply_mask(text: str, spans: list[Span]) -> str:
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(MASK)
        last = end
    parts.append(text[last:])
    return "".join(parts)


@lru_cache(maxsize=256)
def _mask_cached(text: str) -> str:
    return apply_mask(text, find_secrets(text))


def mask_text(text: str) -> str:
    """``text`` with every secret value replaced by :data:`MASK` (names kept)."""
    if len(text) < 8:
        return text
    if len(text) <= _CACHE_MAX_CHARS:
        return _mask_cached(text)
    return apply_mask(text, find_secrets(text))
