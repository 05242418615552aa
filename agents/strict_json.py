"""Reading the one JSON object of a model's reply, strictly (rules in :mod:`agents.output`).

Everything that goes wrong, parser errors and ``RecursionError`` included, is a
:class:`JsonRefused` with a one-line reason.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 32
MAX_START_TRIES = 50
"""Unfenced replies: how many ``{`` in the prose are tried as the object's start."""
_OPEN_FENCE_RE = re.compile(r"```[ \t]*([A-Za-z0-9_+.-]*)[^\n`]*\n")
_CLOSE_FENCE_RE = re.compile(r"\s*(?:```|$)")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET_RE = re.compile(r"[\[\]{}]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_YAML_LINE_RE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*\s*:(\s|$)", re.MULTILINE)


class JsonRefused(ValueError):
    """A reply that does not hold exactly one acceptable JSON object; the message says why."""


def _excerpt(text: str, limit: int = 40) -> str:
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonRefused(f"duplicate key {_excerpt(key)}: give each field once")
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number: use a finite number or null")


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)


def _depth(text: str) -> int:
    """How deep ``[``/``{`` nest in ``text``, strings left out (a cheap check before parsing
    that keeps the recursive parser away from 100,000 levels)."""
    brackets = _BRACKET_RE.findall(_STRING_RE.sub("", text))
    return max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0)


def _check_value(value: Any, controls: bool = True) -> str | None:
    """The first problem in a parsed value: too deep, or (with ``controls``) a string with
    control characters."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            return f"the JSON nests deeper than {MAX_DEPTH} levels"
        if isinstance(item, dict):
            for key, sub in item.items():
                stack.append((key, depth, where))
                stack.append((sub, depth + 1, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            stack.extend((sub, depth + 1, f"{where}[{i}]") for i, sub in enumerate(item))
        elif controls and isinstance(item, str) and (bad := _CONTROL_RE.search(item)):
            place = f" in {where[:80]}" if where else ""
            what = "an unpaired surrogate" if bad.group() >= "\ud800" else "control character"
            return (f"{what} U+{ord(bad.group()):04X}{place}: write plain text (tab and "
                    f"newline are fine)")
    return None


def decode(text: str, start: int = 0, controls: bool = True) -> tuple[Any, int]:
    """``raw_decode`` with the caps; any failure is a ``ValueError`` with a short message."""
    if _depth(text[start:]) > MAX_DEPTH:
        raise JsonRefused(f"the JSON nests deeper than {MAX_DEPTH} levels")
    try:
        value, end = _DECODER.raw_decode(text, start)
    except JsonRefused:
        raise
    except json.JSONDecodeError as exc:
        what = exc.msg.removesuffix(" at")
        raise JsonRefused(f"invalid JSON: {what} (line {exc.lineno}, column {exc.colno})"
                          ) from None
    except RecursionError:
        raise JsonRefused(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise JsonRefused(f"invalid JSON: {str(exc).split(';')[0][:120]}") from None
    problem = _check_value(value, controls)
    if problem is not None:
        raise JsonRefused(problem)
    return value, end


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def _fences(text: str) -> tuple[list[tuple[str, int]], bool]:
    """Where each JSON fence's content starts (with its name for messages), and whether the
    reply has a YAML fence. A JSON fence is ```json, or a bare ``` whose text opens an object
    or array; its end is found by parsing, so a ``` inside a JSON string does not cut it."""
    found: list[int] = []
    yaml_fence = False
    pos = 0
    while (m := _OPEN_FENCE_RE.search(text, pos)) is not None:
        lang, body = m.group(1).lower(), m.end()
        first = len(text[body:]) - len(text[body:].lstrip())
        if lang == "json" or (not lang and text[body + first:body + first + 1] in ("{", "[")):
            found.append(body + first)
            try:
                _, end = _DECODER.raw_decode(text, body + first)
            except Exception:  # reported when the block is decoded
                break
            close = _CLOSE_FENCE_RE.match(text, end)
            pos = close.end() if close else end
            continue
        yaml_fence = yaml_fence or lang in ("yaml", "yml")
        close_at = text.find("```", body)
        if close_at == -1:
            break
        pos = close_at + 3
    names = [f"fenced block {n}" if len(found) > 1 else "the fenced block"
             for n in range(1, len(found) + 1)]
    return list(zip(names, found, strict=True)), yaml_fence


def _fenced(text: str, name: str) -> dict[str, Any] | None:
    """The object of the reply's JSON fences (None when it has none)."""
    starts, yaml_fence = _fences(text)
    if not starts:
        if yaml_fence:
            raise JsonRefused(f"YAML is not accepted: reply with one {name} JSON object")
        return None
    found: list[dict[str, Any]] = []
    for where, start in starts:
        try:
            value, end = decode(text, start)
        except JsonRefused as exc:
            raise JsonRefused(f"{where}: {exc}") from None
        if _CLOSE_FENCE_RE.match(text, end) is None:
            rest = text[end:].strip()
            raise JsonRefused(f"{where}: text after the JSON object ({_excerpt(rest)}); send one "
                           f"object only")
        if not isinstance(value, dict):
            raise JsonRefused(f"{where} holds {_kind(value)}, not a JSON object: send the {name} "
                           f"object itself")
        if value not in found:
            found.append(value)
    if len(found) > 1:
        raise JsonRefused(f"the reply holds {len(found)} different JSON objects in its fenced "
                       f"blocks; send exactly one {name}")
    return found[0]


def _bare(text: str, name: str) -> dict[str, Any]:
    """The one object of an unfenced reply: prose may come before it, nothing after it."""
    stripped = text.strip()
    if not stripped:
        raise JsonRefused(f"the reply is empty; expected one {name} JSON object")
    if stripped[0] == "[":
        value, _ = decode(stripped)
        raise JsonRefused(f"the reply is {_kind(value)}, not a JSON object: send the {name} "
                       f"object itself")
    starts = [m.start() for m in re.finditer(r"\{", text)][:MAX_START_TRIES]
    first_error = ""
    for start in starts:
        try:
            value, end = decode(text, start)
        except JsonRefused as exc:
            first_error = first_error or str(exc)
            if "nests deeper" in str(exc):
                raise
            continue
        before = text[:start].rstrip()
        if before.endswith(("[", ",")):
            raise JsonRefused(f"the JSON object is inside another JSON value; send the {name} "
                           f"object alone")
        rest = text[end:].strip()
        if rest.startswith("{"):
            raise JsonRefused(f"the reply holds more than one JSON object; send exactly one {name}")
        if rest:
            raise JsonRefused(f"text after the JSON object ({_excerpt(rest)}): send the object "
                           f"alone, or inside a ```json fence with any prose outside it")
        return dict(value)
    if first_error:
        raise JsonRefused(first_error)
    if _YAML_LINE_RE.search(text):
        raise JsonRefused(f"the reply looks like YAML or plain text; only a JSON object is "
                       f"accepted (expected a {name})")
    raise JsonRefused(f"no JSON object found in the reply (expected a {name})")


def one_object(text: str, name: str) -> dict[str, Any]:
    """The one JSON object of ``text`` (a reply that should hold a ``name``)."""
    found = _fenced(text, name)
    return found if found is not None else _bare(text, name)
