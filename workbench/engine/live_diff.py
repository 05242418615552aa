"""The worktree's diff as the developer edits it: recorded after each tool round that
changed a file, so the diff pane shows what is on disk now, not the last turn's patch."""

from __future__ import annotations

import json
from collections.abc import Callable

from agents.diff import parse_unified_diff
from agents.events import ArtifactRecorded
from workbench import gitops
from workbench.engine.bus import EventBus
from workbench.store import RunStore


class LiveDiff:
    """Set :meth:`changed` from an edit tool (any thread); :meth:`record` on the engine's
    loop after the tool results are recorded writes a ``worktree_diff`` artifact when the
    worktree differs from what was last recorded."""

    def __init__(self, store: RunStore, bus: EventBus, run_id: str,
                 worktree: Callable[[], gitops.RunWorktree | None]) -> None:
        self._store, self._bus, self._run_id, self._worktree = store, bus, run_id, worktree
        self._due = False
        self._last = ""

    def changed(self) -> None:
        self._due = True

    def record(self, role: str) -> None:
        wt = self._worktree()
        if not self._due or wt is None:
            return
        self._due = False
        try:
            diff = gitops.worktree_diff(wt)
        except gitops.GitError as exc:  # the pane keeps the last diff; the run goes on
            self._bus.emit("error", role, message=f"cannot read the worktree diff: {exc}")
            return
        if diff == self._last:
            return
        self._last = diff
        files = [f.path for f in parse_unified_diff(diff)]
        art = self._store.add_artifact(self._run_id, "worktree_diff",
                                       json.dumps({"diff": diff, "files": files}))
        self._bus.put(ArtifactRecorded(role=role, type="worktree_diff", artifact_id=art,
                                       files=files, summary_text="worktree"))

