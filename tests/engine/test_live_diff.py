"""The live diff: each tool round that changed a file records the worktree's diff before the
turn goes on, so a watcher sees every edit as it lands, not only the turn's patch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.fold import fold
from workbench.engine.runner import create_pipeline
from workbench.store import RunStore

from .conftest import config_for, write_script
from .test_edit_tools import APPROVED, LOW_STOCK, NEW_TEST, TOTAL_VALUE, _calls


async def test_each_edit_round_records_the_worktree_diff_inside_the_turn(
    store: RunStore, demo_repo: Path, tmp_path: Path, demo_script: dict[str, Any]
) -> None:
    roles = demo_script["roles"]
    roles["developer"] = [
        _calls(("open_file", {"path": "inventory/stock.py"})),
        _calls(("replace_in_file", {"path": "inventory/stock.py", "old": TOTAL_VALUE,
                                    "new": LOW_STOCK})),
        _calls(("write_file", {"path": "tests/test_low_stock_edge.py", "content": NEW_TEST})),
        {"content": "Added low_stock and a test."},
    ]
    roles["reviewer"] = [APPROVED]
    outcome = await create_pipeline(store, config_for(
        demo_repo, write_script(tmp_path, demo_script), auto_approve=True)).run()
    events = store.events(outcome.run_id)
    kinds = [(e.kind, e.payload().get("type") or e.payload().get("name")) for e in events]
    live = [n for n, (kind, what) in enumerate(kinds)
            if kind == "artifact" and what == "worktree_diff" and events[n].role == "developer"]
    # one after each editing round, none after the reading round
    assert [kinds[n - 1] for n in live] == [("tool_result", "replace_in_file"),
                                           ("tool_result", "write_file")]
    first, second = (store.patch_diff(events[n].payload()["artifact_id"]) or "" for n in live)
    assert "+    def low_stock" in first and "test_low_stock_edge" not in first
    assert "+    def low_stock" in second and "+++ b/tests/test_low_stock_edge.py" in second
    patch_at = next(n for n, k in enumerate(kinds) if k == ("artifact", "patch"))
    assert live[-1] < patch_at  # inside the developer's turn, before its patch
    assert store.patch_diff(events[patch_at].payload()["artifact_id"]) == second

    midway = fold(events[: live[0] + 1])
    assert midway.patch is None  # the turn has delivered nothing yet ...
    assert midway.shown_diff is not None  # ... but the pane has the edit on disk
    assert midway.shown_diff.files == ["inventory/stock.py"]
    assert fold(events).shown_diff == fold(events).patch  # later patches take over
    assert not any(item.text.startswith("worktree") for item in fold(events).items)
