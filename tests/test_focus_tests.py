"""Test focus: tests that reference the changed functions come first, as runner ids."""

from __future__ import annotations

from pathlib import Path

from analysis import FunctionChange, focus_tests


def _change(path: str, name: str, kind: str = "method", language: str = "python",
            change: str = "modified") -> FunctionChange:
    return FunctionChange(path=path, language=language, kind=kind,  # type: ignore[arg-type]
                          qualified_name=name, change=change)  # type: ignore[arg-type]


def _write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)


def test_python_node_ids_of_tests_that_call_the_changed_method(tmp_path: Path) -> None:
    _write(tmp_path, "inventory/stock.py", "class Inventory:\n    def low_stock(self): ...\n")
    _write(tmp_path, "tests/test_stock.py",
           "from inventory import Inventory\n\n"
           "def test_total():\n    assert Inventory().total_value() == 0\n\n"
           "class TestLow:\n    def test_low(self):\n        inv = Inventory()\n"
           "        assert inv.low_stock(1) == []\n        assert inv.low_stock(2) == []\n\n"
           "def test_unrelated():\n    assert True\n")
    _write(tmp_path, "tests/helpers.py", "def low_stock(): ...\n")  # not a test file
    ids = focus_tests(tmp_path, [_change("inventory/stock.py", "Inventory.low_stock")])
    assert ids == ["tests/test_stock.py::TestLow::test_low", "tests/test_stock.py::test_total"]


def test_typescript_test_files_and_csharp_test_methods(tmp_path: Path) -> None:
    _write(tmp_path, "src/stock.test.ts", "import { lowStock } from './stock';\n"
           "test('low', () => expect(lowStock([], 1)).toEqual([]));\n")
    _write(tmp_path, "src/other.test.ts", "test('x', () => expect(1).toBe(1));\n")
    _write(tmp_path, "Tests/StockTests.cs",
           "public class StockTests {\n    [Fact]\n    public void LowStockIsSorted() {\n"
           "        var inv = new Inventory();\n        Assert.Empty(inv.LowStock(1));\n    }\n"
           "    public void Helper() { }\n}\n")
    changes = [_change("src/stock.ts", "lowStock", "function", "typescript"),
               _change("Inventory.cs", "Inventory.LowStock", "method", "csharp")]
    ids = focus_tests(tmp_path, changes)
    assert set(ids) == {"src/stock.test.ts", "StockTests.LowStockIsSorted"}


def test_deleted_functions_and_no_matches_give_nothing(tmp_path: Path) -> None:
    _write(tmp_path, "tests/test_a.py", "def test_a():\n    gone()\n")
    assert focus_tests(tmp_path, [_change("a.py", "gone", "function", change="deleted")]) == []
    assert focus_tests(tmp_path, [_change("a.py", "absent", "function")]) == []
