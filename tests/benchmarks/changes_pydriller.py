"""PyDriller doing the same work as `workbench changes`, run as its own process.

    python tests/benchmarks/changes_pydriller.py REPO BASE HEAD

HEAD's parent must be BASE (the benchmark repositories have two commits). For every file
the commit modifies, PyDriller's `changed_methods` (lizard on both versions plus the diff);
it prints the number of changed methods.
"""

from __future__ import annotations

import sys

from pydriller import Repository


def main(repo_path: str, base: str, head: str) -> int:
    changed = 0
    for commit in Repository(repo_path, single=head).traverse_commits():
        if base not in commit.parents:
            print(f"{head} is not a child of {base}", file=sys.stderr)
            return 2
        for modified in commit.modified_files:
            changed += len(modified.changed_methods)
    print(changed)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
