"""The dependencies a user installed in their checkout, shown to the run's sandbox.

A run works in its own git worktree, which holds only tracked files: the ``node_modules``
the user installed beside a ``package.json`` is not there, so ``tsc``, ESLint and
``npm test`` would find nothing. The sandbox binds each such folder of the checkout,
read-only, at the same place in the worktree (an empty folder there is its mount point;
git keeps no empty folders, so no diff ever shows it). Host-side checks read the
checkout's folder directly (:meth:`SharedDependencies.host_path`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEPENDENCY_DIR = "node_modules"
MAX_DEPTH = 3  # packages/NAME/package.json in a monorepo is depth 2
_SKIP = frozenset({".git", DEPENDENCY_DIR, ".venv", "venv", "__pycache__", "dist", "build"})


@dataclass(frozen=True)
class SharedDependencies:
    """(folder in the checkout, where the sandbox shows it in the worktree) pairs."""

    pairs: tuple[tuple[Path, Path], ...] = ()

    def host_path(self, path: Path) -> Path:
        """Where ``path`` (under the worktree) really is on the host: in the checkout when a
        shared folder holds it."""
        for source, target in self.pairs:
            if path == target or target in path.parents:
                return source / path.relative_to(target)
        return path

    def mount_points(self) -> None:
        """Create the (empty) folders the sandbox mounts over."""
        for _source, target in self.pairs:
            target.mkdir(parents=True, exist_ok=True)


def _package_dirs(root: Path, depth: int = 0) -> Iterator[Path]:
    if (root / "package.json").is_file():
        yield root
    if depth >= MAX_DEPTH:
        return
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return
    for child in children:
        if child.name not in _SKIP and not child.name.startswith("."):
            yield from _package_dirs(child, depth + 1)


def _empty_or_missing(path: Path) -> bool:
    if path.is_symlink() or path.is_file():
        return False
    try:
        return not path.exists() or not any(path.iterdir())
    except OSError:
        return False


def shared_dependencies(checkout: Path, worktree: Path) -> SharedDependencies:
    """Each ``node_modules`` folder of ``checkout`` beside a ``package.json`` that the
    worktree has too (up to :data:`MAX_DEPTH` folders down), where the worktree has none of
    its own. Nothing when the checkout is the worktree."""
    checkout, worktree = checkout.resolve(), worktree.resolve()
    if checkout == worktree:
        return SharedDependencies()
    pairs: list[tuple[Path, Path]] = []
    for package in _package_dirs(worktree):
        rel = package.relative_to(worktree)
        source = (checkout / rel / DEPENDENCY_DIR).resolve()
        target = package / DEPENDENCY_DIR
        inside = source == checkout or checkout in source.parents
        if inside and source.is_dir() and _empty_or_missing(target):
            pairs.append((source, target))
    return SharedDependencies(tuple(pairs))
