"""Random line edits: the focused pass and the incremental parse agree with the full ones."""

from __future__ import annotations

import random

import pytest

from analysis._regions import edit_tree, hunks_between
from analysis.changes import compare_data, compare_versions
from analysis.definitions import ParsedFile, parse_file
from analysis.languages import parse
from tests.analysis.cases_csharp import CASES as CSHARP
from tests.analysis.cases_python import CASES as PYTHON
from tests.analysis.cases_typescript import CASES as TYPESCRIPT
from tests.analysis.corpus import Case

EDITS_PER_LANGUAGE = 250


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    if len(lines) < 3:
        return text + "\n// x\n"
    start = rng.randrange(len(lines))
    end = min(len(lines), start + rng.randint(1, 6))
    chunk = lines[start:end]
    operation = rng.choice(["delete", "copy", "move", "edit", "indent", "rename", "blank"])
    if operation == "delete":
        del lines[start:end]
    elif operation == "copy":
        at = rng.randrange(len(lines))
        lines[at:at] = chunk
    elif operation == "move":
        del lines[start:end]
        at = rng.randrange(len(lines) + 1)
        lines[at:at] = chunk
    elif operation == "edit":
        line = lines[start]
        cut = rng.randrange(len(line) + 1)
        lines[start] = line[:cut] + rng.choice(["1", " ", "x", "()", "  "]) + line[cut:]
    elif operation == "indent":
        lines[start:end] = [("    " + line) if line else line for line in chunk]
    elif operation == "rename":
        words = [w for w in lines[start].replace("(", " ").split() if w.isidentifier()]
        if words:
            word = rng.choice(words)
            lines = [line.replace(word, word + "2") for line in lines]
    else:
        lines.insert(start, "")
    return "\n".join(lines)


def _clean(path: str, text: str) -> ParsedFile | None:
    parsed = parse_file(path, text.encode())
    return None if parsed is None or parsed.has_error else parsed


def _pairs(cases: list[Case], seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    texts = [
        (c.path, t) for c in cases for t in (c.before, c.after) if t and _clean(c.path, t)
    ]
    pairs = []
    attempts = 0
    while len(pairs) < EDITS_PER_LANGUAGE and attempts < EDITS_PER_LANGUAGE * 20:
        attempts += 1
        path, text = rng.choice(texts)
        mutated = text
        for _ in range(rng.randint(1, 3)):
            mutated = _mutate(mutated, rng)
        if mutated != text and _clean(path, mutated) is not None:
            pairs.append((path, text, mutated))
    return pairs


@pytest.mark.parametrize(
    ("cases", "seed"), [(PYTHON, 1), (CSHARP, 2), (TYPESCRIPT, 3)], ids=["py", "cs", "ts"]
)
def test_focused_pass_equals_full_pass_on_random_edits(cases: list[Case], seed: int) -> None:
    pairs = _pairs(cases, seed)
    assert len(pairs) >= EDITS_PER_LANGUAGE // 2  # enough edits kept the file parseable
    for path, before, after in pairs:
        for old_text, new_text in ((before, after), (after, before)):
            old, new = _clean(path, old_text), _clean(path, new_text)
            assert old is not None and new is not None
            focused = compare_versions(old, new, focused=True)
            full = compare_versions(old, new, focused=False)
            assert focused == full, (path, old_text, new_text)


@pytest.mark.parametrize(
    ("cases", "seed"), [(PYTHON, 4), (CSHARP, 5), (TYPESCRIPT, 6)], ids=["py", "cs", "ts"]
)
def test_incremental_parse_equals_a_fresh_parse(cases: list[Case], seed: int) -> None:
    for path, before, after in _pairs(cases, seed)[:100]:
        old = parse_file(path, before.encode())
        assert old is not None
        source = after.encode()
        hunks = hunks_between(old.source, source)
        incremental = parse(source, old.grammar, edit_tree(old.tree, old.source, source, hunks))
        fresh = parse(source, old.grammar)
        assert str(incremental.root_node) == str(fresh.root_node)
        assert str(old.tree.root_node) == str(parse(old.source, old.grammar).root_node)


def test_trailing_comment_placement_does_not_change_spans() -> None:
    """A fresh and an incremental parse attach a comment after `f` to different nodes."""
    before = (
        "const a = 1\n"
        "const f = (x) => x.toLowerCase()\n"
        "  .replace(/^\\W+/g, '') // c1\n"
        "  .replace(/\\//g, '') // c2\n"
        "  .replace(/\\W+/g, '-') // c3\n"
        "\n"
        "const d = () => 2\n"
    )
    after = before.replace("const a = 1", "const ab = 1")
    found, old, new = compare_data("m.js", before.encode(), "m.js", after.encode())
    assert found == []
    assert old is not None and new is not None
    spans = [(d.qualified_name, d.start_line, d.end_line) for d in new.extraction().definitions]
    assert spans == [("f", 2, 5), ("d", 7, 7)]
