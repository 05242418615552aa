"""Which installed dependency folders of the checkout a run's sandbox is shown."""

from __future__ import annotations

from pathlib import Path

from workbench.worktree_deps import shared_dependencies


def _package(root: Path, rel: str = ".", installed: bool = False) -> None:
    folder = root / rel
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text("{}\n")
    if installed:
        (folder / "node_modules" / "left-pad").mkdir(parents=True)


def test_installed_folders_beside_the_worktrees_packages_are_shared(tmp_path: Path) -> None:
    checkout, worktree = tmp_path / "checkout", tmp_path / "wt"
    for root in (checkout, worktree):
        _package(root, installed=root is checkout)
        _package(root, "packages/web", installed=root is checkout)
        _package(root, "packages/api")  # nothing installed there
    (checkout / "docs").mkdir()
    shared = shared_dependencies(checkout, worktree)
    assert [(s.relative_to(checkout.resolve()), t.relative_to(worktree.resolve()))
            for s, t in shared.pairs] == [
        (Path("node_modules"), Path("node_modules")),
        (Path("packages/web/node_modules"), Path("packages/web/node_modules"))]
    wt = worktree.resolve()
    assert shared.host_path(wt / "node_modules/left-pad") == (
        checkout.resolve() / "node_modules/left-pad")
    assert shared.host_path(wt / "src/a.ts") == wt / "src/a.ts"
    shared.mount_points()
    assert (worktree / "packages/web/node_modules").is_dir()
    assert shared_dependencies(checkout, worktree).pairs == shared.pairs  # empty: still shared


def test_nothing_is_shared_where_the_worktree_has_its_own_or_none_is_installed(
        tmp_path: Path) -> None:
    checkout, worktree = tmp_path / "checkout", tmp_path / "wt"
    _package(checkout, installed=True)
    _package(worktree, installed=True)  # its own
    assert shared_dependencies(checkout, worktree).pairs == ()
    assert shared_dependencies(checkout, checkout).pairs == ()
    outside = tmp_path / "elsewhere"
    (outside / "x").mkdir(parents=True)
    other, wt2 = tmp_path / "c2", tmp_path / "w2"
    _package(other)
    _package(wt2)
    (other / "node_modules").symlink_to(outside)  # points out of the checkout
    assert shared_dependencies(other, wt2).pairs == ()
