"""The bundled demo: a copy of the sample repository in a fresh git repo, and its task."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pygit2

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
SAMPLE_REPO = DEMO_DATA / "sample_repo"
DEMO_MODEL = "scripted:demo"


def demo_task() -> str:
    return (DEMO_DATA / "task.md").read_text(encoding="utf-8").strip()


def prepare_demo_repo(parent: Path | None = None) -> Path:
    """Copy the sample into a new directory and commit it on ``main``; the demo can run again."""
    root = Path(tempfile.mkdtemp(prefix="workbench-demo-", dir=parent))
    shutil.copytree(SAMPLE_REPO, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
        "__pycache__", ".pytest_cache", "*.pyc"))
    repo = pygit2.init_repository(str(root), initial_head="main")
    repo.index.add_all()
    repo.index.write()
    tree = repo.index.write_tree()
    sig = pygit2.Signature("Workbench Demo", "demo@workbench.localhost")
    repo.create_commit("HEAD", sig, sig, "Initial import of the inventory sample", tree, [])
    return root
