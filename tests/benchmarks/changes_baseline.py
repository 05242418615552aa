"""The plain-tool baseline for `workbench changes`, run as its own process.

    python tests/benchmarks/changes_baseline.py REPO BASE HEAD

`git diff` of the two revisions (with rename detection, as `changes` does), then a bare
tree-sitter parse of both versions of every changed file in an analysed language. It
prints the number of files parsed. Nothing of Workbench is imported: the grammars and the
suffix table are the same wheels and suffixes `changes` uses.
"""

from __future__ import annotations

import subprocess
import sys

import pygit2
import tree_sitter_c_sharp
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript
from tree_sitter import Language, Parser

_LANGUAGES = {
    "python": tree_sitter_python.language,
    "csharp": tree_sitter_c_sharp.language,
    "typescript": tree_sitter_typescript.language_typescript,
    "tsx": tree_sitter_typescript.language_tsx,
    "javascript": tree_sitter_javascript.language,
}
_SUFFIXES = {
    ".py": "python", ".pyi": "python", ".cs": "csharp", ".ts": "typescript",
    ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx", ".js": "javascript",
    ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
}
_ZERO = "0" * 40


def _grammar(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith((".d.ts", ".d.mts", ".d.cts")) or "." not in name[1:]:
        return None
    return _SUFFIXES.get(name[name.rfind(".") :])


def main(repo_path: str, base: str, head: str) -> int:
    # One git process: the patch (what a diff costs) and the raw lines naming the blobs.
    out = subprocess.run(
        ["git", "-C", repo_path, "diff", "-M", "--raw", "-p", "--no-color", "--no-ext-diff",
         "--full-index", "--no-abbrev", base, head],
        check=True, capture_output=True,
    ).stdout
    repo = pygit2.Repository(repo_path)
    parsers: dict[str, Parser] = {}
    parsed = 0
    for line in out.split(b"\n"):
        if not line.startswith(b":"):
            if line.startswith(b"diff --git"):
                break  # the raw section comes first
            continue
        meta, *paths = line.decode("utf-8", "surrogateescape").split("\t")
        _, _, old_id, new_id, _ = meta.split(" ")
        for blob_id, path in ((old_id, paths[0]), (new_id, paths[-1])):
            grammar = _grammar(path)
            if grammar is None or blob_id == _ZERO:
                continue
            parser = parsers.get(grammar)
            if parser is None:
                parser = parsers[grammar] = Parser(Language(_LANGUAGES[grammar]()))
            parser.parse(repo.read(blob_id)[1])
            parsed += 1
    print(parsed)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
