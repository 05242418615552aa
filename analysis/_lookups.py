"""Looking up other definitions that share a name with a changed one."""

from __future__ import annotations

import re
from bisect import bisect_right

from analysis._regions import Regions
from analysis._tokens import Finder
from analysis.definitions import ParsedFile

_AFTER_ALL = 1 << 62
_MAX_LOOKUPS = 2000  # past this many name occurrences, a full pass is cheaper
_PLAIN_NAME = re.compile(r"^[\w$#]+$")


def add_key(keys: dict[str, set[str] | None], key: str, parent: str | None) -> None:
    """Record that definitions named by token `key` inside scopes named `parent` matter."""
    if parent is None or parent == "default" or not _PLAIN_NAME.match(parent):
        keys[key] = None  # top level, or a scope named otherwise: look at every occurrence
    elif key not in keys:
        keys[key] = {parent}
    else:
        scopes = keys[key]
        if scopes is not None:
            scopes.add(parent)


def wanted_names(keys: dict[str, set[str] | None]) -> set[str]:
    """Every name `lookup_ranges` may look for: the keys and the scopes they sit in."""
    return keys.keys() | {scope for scopes in keys.values() if scopes for scope in scopes}


def lookup_ranges(
    parsed: ParsedFile,
    finder: Finder,
    keys: dict[str, set[str] | None],
    examined: Regions,
    headers: list[tuple[int, int]],
    scope_spans: dict[str, list[tuple[int, int]]],
) -> list[tuple[int, int]] | None:
    """Byte ranges of the name tokens that may name another definition of a reported name.

    `finder` tells where names occur in `parsed`. `keys` maps a name token to the names of
    the scopes such definitions sit in (None: look everywhere). Tokens already examined, or
    inside the header of a definition already seen, need no lookup. None when there are too
    many to be worth it.
    """
    source = parsed.source
    lookups: list[tuple[int, int]] = []
    for key, scopes in keys.items():
        allowed: list[tuple[int, int]] | None = None
        if scopes is not None:
            allowed = []
            for scope in scopes:
                spans = scope_spans.get(scope)
                if spans is None:
                    spans = parsed.spans_named(scope, finder.occurrences(scope))
                    scope_spans[scope] = spans
                allowed += spans
            if not allowed:
                continue  # no scope of that name on this side, so no member either
        length = len(key.encode("utf-8"))
        for low, high in [(0, len(source))] if allowed is None else allowed:
            for position in finder.occurrences(key, low, high):
                end = position + length
                if (
                    not _in_known_header(headers, position)
                    and parsed.may_name_definition(position, end)
                    and not examined.covers(position, end)
                ):
                    lookups.append((position, end))
    return None if len(lookups) > _MAX_LOOKUPS else lookups


def _in_known_header(headers: list[tuple[int, int]], position: int) -> bool:
    index = bisect_right(headers, (position, _AFTER_ALL)) - 1
    return index >= 0 and position < headers[index][1]
