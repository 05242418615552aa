"""Deterministic sample data for developing the run widgets alone (``python -m widgets.x``)
and for their snapshot tests."""

from __future__ import annotations

from typing import Any

from agents.contracts import FeatureSpec, TestResult
from agents.events import EventBase, make_event

SAMPLE_SPEC = FeatureSpec(
    feature_id="INV-7",
    summary="Add a low-stock report listing items below a threshold, lowest quantity first.",
    risk_level="low",
    in_scope=["Inventory.low_stock(threshold)", "Reject a negative threshold"],
    out_of_scope=["Notifications"],
    affected_components=["inventory/stock.py"],
    acceptance_criteria=["low_stock(5) returns quantities 1 and 3 in order",
                         "low_stock(-1) raises ValueError"],
)

SAMPLE_DIFF = """\
diff --git a/inventory/stock.py b/inventory/stock.py
index 20a2c83..0dbccbe 100644
--- a/inventory/stock.py
+++ b/inventory/stock.py
@@ -1,6 +1,7 @@
 \"\"\"Items and quantities held in a warehouse.\"\"\"

 from __future__ import annotations
+from collections.abc import Iterator

 from dataclasses import dataclass

@@ -42,2 +43,9 @@ class Inventory:
     def total_value(self) -> float:
-        return sum(i.unit_price * i.quantity for i in self._items.values())
+        return sum(i.unit_price * i.quantity for i in self._iter())
+
+    def low_stock(self, threshold: int) -> list[Item]:
+        \"\"\"Items below ``threshold``, lowest quantity first.\"\"\"
+        if threshold < 0:
+            raise ValueError("threshold must not be negative")
+        low = [i for i in self._items.values() if i.quantity < threshold]
+        return sorted(low, key=lambda i: (i.quantity, i.sku))
diff --git a/web/src/stock.ts b/web/src/stock.ts
index 1111111..2222222 100644
--- a/web/src/stock.ts
+++ b/web/src/stock.ts
@@ -3,4 +3,4 @@ import { Item } from "./item";
 export function lowStock(items: Item[], threshold: number): Item[] {
-  return items.filter((i) => i.quantity <= threshold);
+  return items.filter((i) => i.quantity < threshold);
 }
diff --git a/Service/Stock.cs b/Service/Stock.cs
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/Service/Stock.cs
@@ -0,0 +1,8 @@
+namespace Service;
+
+public sealed class Stock
+{
+    // Quantity on hand, never negative.
+    public int Quantity { get; private set; }
+    public bool IsLow(int threshold) => Quantity < threshold;
+}
"""

SAMPLE_FUNCTIONS: dict[str, list[tuple[str, str]]] = {
    "inventory/stock.py": [("Inventory.total_value", "modified"),
                           ("Inventory.low_stock", "added")],
    "web/src/stock.ts": [("lowStock", "modified")],
    "Service/Stock.cs": [("Service.Stock.IsLow", "added")],
}

SAMPLE_TEST_RESULT = TestResult(
    status="failed", exit_code=1, passed=11, failed=2, errors=0, skipped=1,
    failed_tests=["tests/test_low_stock.py::test_orders_by_quantity",
                  "tests/test_low_stock.py::test_negative_threshold"],
    failure_slice=(
        "    def test_orders_by_quantity(inv):\n"
        ">       assert [i.sku for i in inv.low_stock(5)] == ['B', 'A']\n"
        "E       AssertionError: assert ['A', 'B'] == ['B', 'A']\n"
        "tests/test_low_stock.py:14: AssertionError"
    ),
    command=["python", "-m", "pytest", "-q"], duration_s=1.84, log_artifact=17,
)

SAMPLE_LOG = "\n".join(
    [f"tests/test_stock.py::test_case_{i} PASSED" for i in range(11)]
    + ["tests/test_low_stock.py::test_orders_by_quantity FAILED",
       "tests/test_low_stock.py::test_negative_threshold FAILED",
       "tests/test_low_stock.py::test_slow SKIPPED",
       "2 failed, 11 passed, 1 skipped in 1.84s"]
)


def sample_events(run_id: str = "run-demo", t0: float = 1_700_000_000.0) -> list[EventBase]:
    """A realistic pipeline run up to the final gate, including streamed chunks."""
    rows: list[tuple[str, str, dict[str, Any]]] = [
        ("run_started", "system", {
            "task": "Add a low-stock report", "repo": "/repos/inventory",
            "model": "scripted:demo", "models": {"requirements": "scripted:demo",
                                                 "developer": "scripted:demo"},
            "scripted": True, "branch": "workbench/run-demo",
            "budgets": {"max_turns": 40, "max_tool_calls": 60}}),
        ("phase_changed", "system", {"phase": "requirements", "active_role": "requirements"}),
        ("model_chunk", "requirements", {"text": "Reading the task"}),
        ("model_chunk", "requirements", {"text": " and the README."}),
        ("model_call", "requirements", {"model": "scripted:demo", "prompt_tokens": 812,
                                        "completion_tokens": 204, "latency_ms": 3,
                                        "cost": 0.0}),
        ("agent_message", "requirements", {"content": "Here is the spec for INV-7.", "turn": 1}),
        ("artifact", "requirements", {"type": "spec", "artifact_id": 1,
                                      "data": SAMPLE_SPEC.model_dump()}),
        ("approval_requested", "system", {"gate": "spec", "message": "Approve the spec"}),
        ("approval_given", "human", {"gate": "spec", "decision": "approve", "comment": "ok",
                                     "spec": None, "rejected_hunks": []}),
        ("phase_changed", "system", {"phase": "development", "active_role": "developer"}),
        ("tool_call", "developer", {"name": "search", "call_id": "c1",
                                    "arguments": {"pattern": "def total_value"}}),
        ("tool_result", "developer", {"name": "search", "call_id": "c1", "is_error": False,
                                      "content": "inventory/stock.py:42: def total_value"}),
        ("tool_call", "developer", {"name": "open", "call_id": "c2",
                                    "arguments": {"path": "../etc/passwd"}}),
        ("tool_result", "developer", {"name": "open", "call_id": "c2", "is_error": True,
                                      "content": "path escapes the worktree"}),
        ("steer", "human", {"text": "keep the sort stable", "target_role": "developer"}),
        ("model_call", "developer", {"model": "scripted:demo", "prompt_tokens": 2400,
                                     "completion_tokens": 610, "latency_ms": 4, "cost": 0.0}),
        ("agent_message", "developer", {"content": "Patch proposed: low_stock added.",
                                        "turn": 2}),
        ("artifact", "developer", {"type": "patch", "artifact_id": 2,
                                   "summary_text": "low_stock",
                                   "files": ["inventory/stock.py"]}),
        ("budget", "system", {"name": "turns", "used": 7, "limit": 40}),
        ("phase_changed", "system", {"phase": "review", "active_role": "reviewer"}),
        ("artifact", "reviewer", {"type": "review", "artifact_id": 3,
                                  "data": {"status": "APPROVED", "summary": "fine"}}),
        ("phase_changed", "system", {"phase": "testing", "active_role": "tester"}),
        ("artifact", "tester", {"type": "test_result", "artifact_id": 4,
                                "data": SAMPLE_TEST_RESULT.model_dump()}),
        ("error", "tester", {"message": "2 tests failed"}),
        ("phase_changed", "system", {"phase": "final_gate", "active_role": ""}),
        ("approval_requested", "system", {"gate": "final", "message": "Accept the patch?"}),
    ]
    return [make_event(kind, run_id=run_id, seq=i + 1, ts=t0 + 3 * i, role=role, **payload)
            for i, (kind, role, payload) in enumerate(rows)]
