"""What each role's prompt holds and leaves out, and how big it gets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agents import prompts
from agents.contracts import FeatureSpec, ReviewResult, Role, TestPlan
from agents.diff import parse_unified_diff
from agents.output import example_instance, parse_contract, schema_hint
from analysis import changed_functions_for_diff
from workbench.engine.repo_map import (
    changes_text,
    file_list,
    file_map,
    repo_map,
    review_context,
)

SPEC = FeatureSpec(
    feature_id="INV-7", summary="A low-stock report.", risk_level="low",
    in_scope=["Inventory.low_stock(threshold)"], out_of_scope=["Notifications"],
    affected_components=["inventory/stock.py"],
    acceptance_criteria=["low_stock(5) lists quantities 1 and 3, in that order",
                         "low_stock(-1) raises ValueError"],
    technical_constraints=["No new dependencies"], risks=["Ties need a stable order"],
    assumptions=["A threshold of 0 lists nothing"])
DIFF = """diff --git a/inventory/stock.py b/inventory/stock.py
index 20a2c83..0dbccbe 100644
--- a/inventory/stock.py
+++ b/inventory/stock.py
@@ -1,3 +1,6 @@ class Inventory:
     def total(self) -> int:
         return 1
+
+    def low_stock(self, threshold: int) -> list[int]:
+        return []
"""
CONTRACTS = {Role.REQUIREMENTS: FeatureSpec, Role.REVIEWER: ReviewResult,
             Role.TESTER: TestPlan}


def _example_in(prompt: str) -> str:
    return next(line for line in prompt.splitlines() if line.startswith("{"))


@pytest.mark.parametrize("role", list(prompts.SYSTEM_PROMPTS))
def test_every_system_prompt_says_repo_text_is_data_and_stays_small(role: Role) -> None:
    prompt = prompts.SYSTEM_PROMPTS[role]
    assert prompts.DATA_RULE in prompt
    assert len(prompt) < 1300
    for schema_word in ('"properties"', '"$defs"', '"type": "object"', '"title"'):
        assert schema_word not in prompt  # an example instance, never the JSON schema


@pytest.mark.parametrize("role", list(CONTRACTS))
def test_a_contract_prompt_shows_a_valid_example_with_every_field(role: Role) -> None:
    model = CONTRACTS[role]
    example = _example_in(prompts.SYSTEM_PROMPTS[role])
    assert parse_contract(example, model)  # the parser takes the example as it is shown
    assert set(json.loads(example)) == set(model.model_fields)


def test_fixed_choices_are_listed_beside_the_example() -> None:
    assert "risk_level: low | medium | high" in prompts.SYSTEM_PROMPTS[Role.REQUIREMENTS]
    review = prompts.SYSTEM_PROMPTS[Role.REVIEWER]
    assert "status: APPROVED | NEEDS_REVISION" in review
    assert "issues[].severity: blocker | major | minor | nit" in review


def test_example_instance_fills_what_it_is_not_given_from_the_contract() -> None:
    example = example_instance(TestPlan, {"command": ["pytest"]})
    assert example["targets"] == ["<changed functions under test>"]
    assert example["command"] == ["pytest"]
    assert schema_hint(TestPlan).startswith("{")
    assert "Allowed values" not in schema_hint(TestPlan)  # nothing fixed to list


def test_the_developer_is_told_its_tools_and_to_call_them_properly() -> None:
    prompt = prompts.SYSTEM_PROMPTS[Role.DEVELOPER]
    for call in ("list_files", "search_repository", "open_file(path, start_line, end_line)",
                 "replace_in_file(path, old, new)", "write_file(path, content)",
                 "propose_patch(diff)", "run_tests(command)"):
        assert call in prompt
    assert "tool-calling interface, never by writing a call as text" in prompt


def test_a_prompt_names_only_the_tools_the_agent_has() -> None:
    prompt = prompts.system_prompt(Role.TESTER, ["open_file", "run_tests"])
    assert "open_file(" in prompt and "run_tests(" in prompt
    assert "write_file" not in prompt and "propose_patch" not in prompt


def test_the_developer_task_has_the_spec_and_the_map_and_a_revision_only_feedback() -> None:
    task = prompts.developer_task(SPEC, repo_map="inventory/stock.py (44 lines)\n  16: class X")
    assert all(c in task for c in SPEC.acceptance_criteria)
    assert "Notifications" in task and "Ties need a stable order" in task
    assert "<repo_map>\ninventory/stock.py (44 lines)" in task
    revision = prompts.developer_task(SPEC, "Fix the negative threshold.", repo_map="ignored")
    assert "Fix the negative threshold." in revision
    assert SPEC.summary not in revision and "ignored" not in revision


def test_the_reviewer_gets_every_hunk_the_functions_and_checks_not_git_noise() -> None:
    task = prompts.reviewer_task(SPEC, DIFF, "$ ruff check (exit 0)", "added method low_stock",
                                 "--- inventory/stock.py:7-9 (not in the diff)\n7: x")
    for hunk in parse_unified_diff(DIFF)[0].hunks:
        assert "\n".join([hunk.header, *hunk.lines]) in task
    assert "index 20a2c83" not in task and "diff --git" not in task
    assert "added method low_stock" in task and "$ ruff check (exit 0)" in task
    assert "(not in the diff)" in task
    assert "#" not in task.replace("# ", "")  # no store-wide artifact ids
    assert all(c in task for c in SPEC.acceptance_criteria) and "Notifications" in task
    assert "Ties need a stable order" not in task  # risks are the tester's


def test_the_tester_gets_functions_hunks_focus_tests_and_the_criteria() -> None:
    task = prompts.tester_task(SPEC, DIFF, "added method Inventory.low_stock",
                               "tests/test_stock.py")
    assert "added method Inventory.low_stock" in task and "tests/test_stock.py" in task
    assert "+    def low_stock(self, threshold: int) -> list[int]:" in task
    assert all(c in task for c in SPEC.acceptance_criteria)
    assert "Ties need a stable order" in task and "A threshold of 0 lists nothing" in task
    assert "Notifications" not in task  # scope is the developer's and the reviewer's


def test_prompts_stay_bounded_however_big_the_change() -> None:
    huge = DIFF + "".join(f"+line {n}\n" for n in range(20000))
    assert len(prompts.reviewer_task(SPEC, huge, "x" * 10**5, "y" * 10**5, "z" * 10**5)) < 32000
    assert len(prompts.tester_task(SPEC, huge, "y" * 10**5, "t" * 10**5)) < 20000
    assert "[truncated" in prompts.tester_task(SPEC, huge, "", "")


def test_the_requirements_task_lists_files_and_a_change_request() -> None:
    task = prompts.requirements_task("Add a report.", "Name the boundary.", "a.py\nb.py")
    assert "<task>\nAdd a report.\n</task>" in task
    assert "<repository_files>\na.py\nb.py\n</repository_files>" in task
    assert task.endswith("Name the boundary.")


def test_test_failure_feedback_has_the_slice_and_no_store_ids() -> None:
    from agents.contracts import TestResult

    result = TestResult(status="failed", exit_code=1, failed=1, failed_tests=["t::a"],
                        log_artifact=12, failure_slice="assert 1 == 2")
    text = prompts.test_failure_feedback(result, 1, 2)
    assert "assert 1 == 2" in text and "t::a" in text and "12" not in text


# the repository views ---------------------------------------------------------------------
PY = b'''import x


@dataclass
class Item:
    sku: str


class Inventory:
    @property
    def size(self) -> int:
        return 1

    def add(
        self,
        sku: str,
    ) -> Item:  # a comment
        def helper() -> None:
            pass
        return Item(sku)


def top(a: int = 1) -> int:
    return a
'''
CS = b'''namespace Shop {
  [Serializable]
  public class Invoice : IEntity {
    public Invoice(int id) { Id = id; }
    public decimal Total(
        bool withTax) { return 0; }
  }
  public interface IEntity { int Id { get; } }
}
'''
TS = b'''export interface Item { sku: string }
export class Board<T extends Item> {
  add(item: T): void { this.items.push(item); }
  find(pred: (i: T) => boolean, opts: {limit: number}): T[] {
    return [];
  }
}
export const total = (xs: Item[]): number => xs.length;
'''


def test_python_map_lists_classes_and_functions_with_their_lines() -> None:
    assert file_map("inventory/stock.py", PY) == "\n".join([
        "inventory/stock.py (24 lines)",
        "  5: class Item",
        "  9: class Inventory",
        "    11: def size(self) -> int",
        "    14: def add(self, sku: str) -> Item",
        "  23: def top(a: int = 1) -> int",
    ])


def test_csharp_and_typescript_maps() -> None:
    assert file_map("Shop/Invoice.cs", CS).splitlines()[1:] == [
        "  3: public class Invoice : IEntity",
        "    4: public Invoice(int id)",
        "    5: public decimal Total(bool withTax)",
        "  8: public interface IEntity",
    ]
    assert file_map("src/board.ts", TS).splitlines()[1:] == [
        "  1: export interface Item",
        "  2: export class Board<T extends Item>",
        "    3: add(item: T): void",
        "    4: find(pred: (i: T) => boolean, opts: {limit: number}): T[]",
        "  8: export const total = (xs: Item[]): number",
    ]


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "inventory").mkdir(parents=True)
    (tmp_path / "inventory" / "stock.py").write_bytes(PY)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "board.ts").write_bytes(TS)
    (tmp_path / "README.md").write_text("# demo\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("secret")
    return tmp_path


def test_the_map_covers_the_files_the_spec_names(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    text = repo_map(root, ["inventory/stock.py (Inventory)", "README.md"])
    assert text.startswith("inventory/stock.py (24 lines)\n")
    assert "README.md (1 line)" in text and "board.ts" not in text
    assert text.endswith("[1 other files in the repository; list_files shows them]")
    assert repo_map(root, ["src/"]).startswith("src/board.ts (8 lines)")


def test_the_map_never_leaves_the_repository(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo")
    (tmp_path / "outside.py").write_text("def secret() -> None: ...\n")
    text = repo_map(root, ["../outside.py", "/etc/passwd", ".git/config", "no/such.py"])
    assert "secret" not in text and "passwd" not in text
    assert "inventory/stock.py" in text and "src/board.ts" in text  # nothing named: all


def test_the_map_is_cut_at_its_limit(tmp_path: Path) -> None:
    for n in range(40):
        (tmp_path / f"m{n:02}.py").write_bytes(PY)
    text = repo_map(tmp_path, limit=1000)
    assert len(text) < 1200
    assert re.search(r"\[map cut: \d+ more files in scope", text)


def test_file_list_skips_git_and_is_bounded(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert file_list(root) == "README.md\ninventory/stock.py\nsrc/board.ts"
    assert file_list(root, limit=12) == "README.md\n[2 more files]"


def test_review_context_adds_only_what_the_hunks_leave_out(tmp_path: Path) -> None:
    body = "".join(f"    x{n} = '{'a long value ' * 4}'\n" for n in range(40))
    old = f"def big() -> None:\n{body}    return None\n".encode()
    new = old.replace(b"    return None", b"    return print()")
    root = tmp_path
    (root / "m.py").write_bytes(new)
    diff = ("--- a/m.py\n+++ b/m.py\n@@ -40,3 +40,3 @@\n" + "".join(
        f" {line}\n" for line in new.decode().splitlines()[39:41])
        + "-    return None\n+    return print()\n")
    changes = changed_functions_for_diff({"m.py": old}, {"m.py": new})
    context = review_context(root, diff, changes)
    assert context.startswith("--- m.py:1-42 big\n1: def big() -> None:")  # whole function
    small = b"def f() -> int:\n    return 1\n\n\ndef g() -> int:\n    return 2\n"
    (root / "m.py").write_bytes(small.replace(b"return 2", b"return 3"))
    small_diff = ("--- a/m.py\n+++ b/m.py\n@@ -5,2 +5,2 @@\n def g() -> int:\n"
                  "-    return 2\n+    return 3\n")
    changes = changed_functions_for_diff({"m.py": small}, {"m.py": (root / "m.py").read_bytes()})
    assert review_context(root, small_diff, changes) == (
        "--- m.py:1-4 (not in the diff)\n1: def f() -> int:\n2:     return 1\n3: \n4: ")
    assert changes_text(changes) == "modified function g in m.py:5-6"
