"""The plain-SQL baseline of ``workbench show RUN --json``: sqlite3 and json only, the same
document on stdout (``python show_baseline.py DB RUN_ID``)."""

from __future__ import annotations

import json
import sqlite3
import sys
import time

RUN_COLUMNS = ("run_id", "task", "repo", "model", "status", "phase", "started_at",
               "finished_at", "reason", "prompt_tokens", "completion_tokens", "cost",
               "parent_run_id", "fork_seq", "branch", "config")


def main(db: str, run_id: str) -> None:
    conn = sqlite3.connect(db)
    row = conn.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE run_id = ?",
                       [run_id]).fetchone()
    run = dict(zip(RUN_COLUMNS, row, strict=True))
    run["config"] = json.loads(run["config"] or "{}")
    end = run["finished_at"] or time.time()
    run["duration_s"] = round(max(0.0, end - run["started_at"]), 3)
    events = [{"seq": seq, "ts": ts, "role": role, "kind": kind, "payload": json.loads(p)}
              for seq, ts, kind, role, p in conn.execute(
                  "SELECT seq, ts, kind, role, payload FROM events WHERE run_id = ? "
                  "ORDER BY seq", [run_id])]
    sys.stdout.write(json.dumps({"run": run, "events": events}, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
