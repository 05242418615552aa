"""The bundled demo: a copy of the sample repository in a fresh git repo, and its task."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pygit2

from workbench.store import RunStore

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


async def record_demo_run(
    store: RunStore, run_id: str, until: str = "done", parent: Path | None = None,
    mode: str = "pipeline",
) -> str:
    """Run the demo headless into ``store`` and stop at ``until``: "spec" (waiting at the spec
    gate), "final" (waiting at the final gate) or "done" (approved and committed).
    Used by the screenshots command and the screen tests."""
    from workbench.engine.config import RunConfig
    from workbench.engine.runner import approve_run, create_pipeline, open_pipeline

    repo = prepare_demo_repo(parent)
    config = RunConfig(task=demo_task(), repo=str(repo), model=DEMO_MODEL, mode=mode)
    await create_pipeline(store, config, run_id=run_id).run()
    for gate in ("spec", "final"):
        if until == gate:
            return run_id
        approve_run(store, run_id)
        await open_pipeline(store, run_id).run()
    return run_id


def freeze_times(store: RunStore, run_id: str, start: float = 1_714_554_000.0) -> None:
    """Give a recorded run fixed timestamps and durations, for reproducible pictures."""
    db = store.db
    db.execute("UPDATE events SET ts = ? + seq * 0.5 WHERE run_id = ?", [start, run_id])
    db.execute(
        "UPDATE events SET payload = json_set(payload, '$.latency_ms', 12.5) "
        "WHERE run_id = ? AND kind = 'model_call'", [run_id])
    db.execute(
        "UPDATE events SET payload = json_set(payload, '$.data.duration_s', 0.42) "
        "WHERE run_id = ? AND kind = 'artifact' AND json_extract(payload, '$.type') = "
        "'test_result'", [run_id])
    last = db.execute("SELECT MAX(seq) FROM events WHERE run_id = ?", [run_id]).fetchone()[0]
    finished = store.get_run(run_id).finished_at is not None
    store.update_run(run_id, started_at=start,
                     finished_at=start + (last or 0) * 0.5 if finished else None)
