"""Added, deleted and modified definitions between two versions of a file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analysis._focused import focused_definitions
from analysis._regions import Hunk, edit_tree, hunks_between
from analysis.definitions import ParsedFile, is_binary, normalised, parse_file
from analysis.languages import grammar_for_path, normalise_source, parse
from analysis.model import Definition, FunctionChange, Kind

FULL_PASS_SHARE = 0.25  # of both versions' bytes in hunks, past which everything is compared


@dataclass(slots=True)
class _Group:
    """All definitions sharing one qualified name in one file version (overloads, get+set)."""

    kind: Kind
    start_line: int
    end_line: int
    texts: list[bytes] = field(default_factory=list)


def _groups(definitions: Iterable[Definition], source: bytes) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for definition in sorted(definitions, key=lambda d: d.start_byte):
        text = source[definition.start_byte : definition.end_byte]
        group = groups.get(definition.qualified_name)
        if group is None:
            groups[definition.qualified_name] = _Group(
                definition.kind, definition.start_line, definition.end_line, [text]
            )
        else:
            group.start_line = min(group.start_line, definition.start_line)
            group.end_line = max(group.end_line, definition.end_line)
            group.texts.append(text)
    return groups


def _same_text(old: _Group, new: _Group) -> bool:
    if old.texts == new.texts:
        return True
    if len(old.texts) != len(new.texts):
        return False
    # Overloads that only swapped places are a move, not a modification.
    return sorted(map(normalised, old.texts)) == sorted(map(normalised, new.texts))


def _all_definitions(parsed: ParsedFile | None) -> list[Definition]:
    return [] if parsed is None else list(parsed.extraction().definitions)


def compare_versions(
    old: ParsedFile | None,
    new: ParsedFile | None,
    focused: bool = True,
    hunks: list[Hunk] | None = None,
) -> list[FunctionChange]:
    """Definitions that differ between two versions of one file (either side may be absent).

    With `focused`, only the parts near git's hunks are examined when both versions parse
    cleanly with the same grammar; the result is the same as comparing everything.
    """
    side = new if new is not None else old
    if side is None:
        return []
    if old is not None and new is not None and old.source == new.source:
        return []
    path = side.path
    old_path = old.path if old is not None and new is not None and old.path != new.path else None
    parse_error = any(v is not None and v.has_error for v in (old, new))
    pair = None
    if (
        focused
        and old is not None
        and new is not None
        and not parse_error
        and old.grammar == new.grammar
    ):
        if hunks is None:
            hunks = hunks_between(old.source, new.source)
        if not _mostly_changed(hunks, len(old.source), len(new.source)):
            pair = focused_definitions(old, new, hunks)
    if pair is None:
        pair = (_all_definitions(old), _all_definitions(new))
    old_groups = _groups(pair[0], old.source) if old is not None else {}
    new_groups = _groups(pair[1], new.source) if new is not None else {}
    language = side.language
    changes: list[FunctionChange] = []
    for name, group in new_groups.items():
        before = old_groups.get(name)
        if before is None:
            changes.append(
                FunctionChange(
                    path, language, group.kind, name, "added",
                    new_start=group.start_line, new_end=group.end_line,
                    old_path=old_path, parse_error=parse_error,
                )
            )
        elif not _same_text(before, group):
            changes.append(
                FunctionChange(
                    path, language, group.kind, name, "modified",
                    before.start_line, before.end_line, group.start_line, group.end_line,
                    old_path=old_path, parse_error=parse_error,
                )
            )
    for name, group in old_groups.items():
        if name not in new_groups:
            changes.append(
                FunctionChange(
                    path, language, group.kind, name, "deleted",
                    old_start=group.start_line, old_end=group.end_line,
                    old_path=old_path, parse_error=parse_error,
                )
            )
    changes.sort(key=_line_order)
    return changes


def _mostly_changed(hunks: list[Hunk], old_size: int, new_size: int) -> bool:
    """Hunks covering much of the file (a rebuilt bundle, say): visiting every definition
    once costs less than following the hunks, and gives the same answer."""
    changed = sum(h.new_end - h.new_start + h.old_end - h.old_start for h in hunks)
    return changed > FULL_PASS_SHARE * (old_size + new_size)


def _line_order(change: FunctionChange) -> tuple[int, int]:
    line = change.new_start if change.new_start is not None else change.old_start
    return (line or 0, 0 if change.change != "deleted" else 1)


def compare_data(
    old_path: str, old_data: bytes | None, new_path: str, new_data: bytes | None
) -> tuple[list[FunctionChange], ParsedFile | None, ParsedFile | None]:
    """Changed definitions between two versions given as bytes (None: the file is absent).

    Also returns both parsed versions (None when absent, binary or in another language).
    The new version is parsed incrementally from the old tree when both use one grammar.
    """
    old = None if old_data is None else parse_file(old_path, old_data)
    if old is None or new_data is None or grammar_for_path(new_path) != old.grammar:
        new = None if new_data is None else parse_file(new_path, new_data)
        return compare_versions(old, new), old, new
    source = normalise_source(new_data)
    if is_binary(source):
        return compare_versions(old, None), old, None
    hunks = hunks_between(old.source, source)
    tree = parse(source, old.grammar, edit_tree(old.tree, old.source, source, hunks))
    new = ParsedFile(new_path, old.grammar, source, tree)
    return compare_versions(old, new, hunks=hunks), old, new


def _as_bytes(text: str | bytes | None) -> bytes | None:
    if text is None or isinstance(text, bytes):
        return text
    return text.encode("utf-8")


def changed_functions_for_diff(
    old_text_by_path: Mapping[str, str | bytes | None],
    new_text_by_path: Mapping[str, str | bytes | None],
    renames: Mapping[str, str] | None = None,
) -> list[FunctionChange]:
    """Changed definitions between in-memory file versions, keyed by path.

    A path missing (or None) on one side is an added or deleted file; `renames` maps an old
    path to its new one, so a moved file is compared with its former self. Paths in other
    languages and binary contents are skipped.
    """
    moved = dict(renames or {})
    pairs = [(old, new) for old, new in moved.items()]
    taken = set(moved) | set(moved.values())
    paths = sorted((set(old_text_by_path) | set(new_text_by_path)) - taken)
    pairs += [(path, path) for path in paths]
    changes: list[FunctionChange] = []
    for old_path, new_path in sorted(pairs, key=lambda pair: pair[1]):
        old_data = _as_bytes(old_text_by_path.get(old_path))
        new_data = _as_bytes(new_text_by_path.get(new_path))
        if old_data == new_data and old_path == new_path:
            continue
        changes.extend(compare_data(old_path, old_data, new_path, new_data)[0])
    return changes
