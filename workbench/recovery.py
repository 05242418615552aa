"""Runs whose engine died (killed, crashed, machine rebooted) are marked interrupted, so the run
list never shows a dead run as running and ``resume`` picks it up."""

from __future__ import annotations

import time

from workbench.store import RunBusy, RunStore

RUNNING = "RUNNING"
"""``RunStatus.RUNNING.value`` (a test keeps them equal), so the run list need not load it."""
DEAD_ENGINE = "the engine stopped unexpectedly (killed or crashed)"


def mark_dead_runs(store: RunStore) -> list[str]:
    """Record ``run_interrupted`` for every RUNNING run whose lease holder is gone; returns
    their ids. A run a live engine drives is left alone (its lease cannot be taken)."""
    marked: list[str] = []
    running = store.run_ids_with_status(RUNNING)
    if not running:
        return marked  # the common case: the event and status types are not even loaded
    from agents.contracts import RunStatus
    from agents.events import RunInterrupted

    for run_id in running:
        try:
            token = store.acquire_lease(run_id)
        except RunBusy:
            continue  # alive
        try:
            last = store.db.execute("SELECT MAX(ts) FROM events WHERE run_id = ?",
                                    [run_id]).fetchone()[0]
            store.append(RunInterrupted(run_id=run_id, reason=DEAD_ENGINE))
            # its clock stops at its last sign of life, not at the time it was found dead
            store.update_run(run_id, status=RunStatus.INTERRUPTED.value, reason=DEAD_ENGINE,
                             finished_at=last if last is not None else time.time())
            marked.append(run_id)
        finally:
            store.release_lease(run_id, token)
    return marked
