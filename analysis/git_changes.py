"""Changed definitions between two revisions (or a revision and the working tree)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import DeltaStatus, DiffFind, DiffOption, ObjectType

from analysis.changes import compare_data
from analysis.languages import grammar_for_path
from analysis.model import FunctionChange

_SKIPPED_MODES = (0o160000, 0o120000)  # submodules and symlinks have no source to parse
_ABSENT = (DeltaStatus.ADDED, DeltaStatus.UNTRACKED)


class AnalysisError(Exception):
    """A problem the user can fix (bad path, unknown revision); the message is one line."""


@dataclass(frozen=True, slots=True)
class FileNote:
    """Something worth telling about a file that was looked at (it did not parse, ...)."""

    path: str
    message: str


def open_repository(repo_path: str | os.PathLike[str]) -> pygit2.Repository:
    path = os.fspath(repo_path)
    if "\0" in path or not os.path.isdir(path):
        raise AnalysisError(f"not a directory: {path!r}")
    found = pygit2.discover_repository(path)
    if found is None:
        raise AnalysisError(f"not inside a git repository: {path}")
    try:
        return pygit2.Repository(found)
    except pygit2.GitError as error:
        raise AnalysisError(f"cannot open repository at {path}: {error}") from None


def resolve_tree(repo: pygit2.Repository, rev: str) -> pygit2.Tree:
    if rev == "HEAD" and repo.head_is_unborn:
        raise AnalysisError("the repository has no commits yet: there is no HEAD to compare with")
    try:
        obj = repo.revparse_single(rev)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise AnalysisError(f"unknown revision: {rev!r}") from None
    try:
        tree = obj.peel(pygit2.Tree)
    except (ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise AnalysisError(f"not a commit or tree: {rev!r}") from None
    if not isinstance(tree, pygit2.Tree):
        raise AnalysisError(f"not a commit or tree: {rev!r}")
    return tree


def _blob_data(repo: pygit2.Repository, file: pygit2.DiffFile) -> bytes | None:
    if file.mode in _SKIPPED_MODES:
        return None
    try:
        kind, data = repo.read(file.id)  # raw bytes, without building a Blob object
    except KeyError:
        return None
    return data if kind == ObjectType.BLOB else None


def _workdir_data(workdir: Path, file: pygit2.DiffFile) -> bytes | None:
    if file.mode in _SKIPPED_MODES:
        return None
    target = workdir / file.path
    if target.is_symlink() or not target.is_file():
        return None
    try:
        return target.read_bytes()
    except OSError:
        return None


def _relevant(delta: pygit2.DiffDelta) -> bool:
    return (
        grammar_for_path(delta.new_file.path) is not None
        or grammar_for_path(delta.old_file.path) is not None
    )


@dataclass(slots=True)
class ChangeReport:
    """Changed definitions plus notes about files that parsed only partly."""

    changes: list[FunctionChange]
    notes: list[FileNote]


def analyse_revisions(
    repo_path: str | os.PathLike[str],
    base_rev: str = "HEAD",
    head_rev: str | None = None,
    worktree: bool = False,
) -> ChangeReport:
    """Compare `base_rev` with `head_rev`, or with the working tree when `worktree` is set.

    With neither `head_rev` nor `worktree`, the head is HEAD. Untracked files count as added.
    """
    repo = open_repository(repo_path)
    base = resolve_tree(repo, base_rev)
    workdir: Path | None = None
    if worktree:
        if repo.workdir is None:
            raise AnalysisError("a bare repository has no working tree")
        workdir = Path(repo.workdir)
        flags = DiffOption.INCLUDE_UNTRACKED | DiffOption.RECURSE_UNTRACKED_DIRS
        diff = base.diff_to_workdir(flags)
        diff.find_similar(DiffFind.FIND_RENAMES | DiffFind.FIND_FOR_UNTRACKED)
    else:
        head = resolve_tree(repo, head_rev or "HEAD")
        diff = base.diff_to_tree(head)
        diff.find_similar(DiffFind.FIND_RENAMES)
    changes: list[FunctionChange] = []
    notes: list[FileNote] = []
    for delta in diff.deltas:
        if not _relevant(delta):
            continue
        status = delta.status
        old_data = None if status in _ABSENT else _blob_data(repo, delta.old_file)
        if status == DeltaStatus.DELETED:
            new_data = None
        elif workdir is not None:
            new_data = _workdir_data(workdir, delta.new_file)
        else:
            new_data = _blob_data(repo, delta.new_file)
        if old_data == new_data:
            continue
        found, old, new = compare_data(
            delta.old_file.path, old_data, delta.new_file.path, new_data
        )
        for side, version in (("base", old), ("head", new)):
            if version is not None and version.has_error:
                notes.append(
                    FileNote(version.path, f"parse errors in the {side} version; "
                             "definitions are those tree-sitter recovered")
                )
        changes.extend(found)
    changes.sort(key=lambda c: c.path)
    return ChangeReport(changes, notes)


def changed_functions_between(
    repo_path: str | os.PathLike[str],
    base_rev: str = "HEAD",
    head_rev: str | None = None,
    worktree: bool = False,
) -> list[FunctionChange]:
    """Definitions added, deleted or modified between two revisions (see analyse_revisions)."""
    return analyse_revisions(repo_path, base_rev, head_rev, worktree).changes
