import pytest

from inventory import Inventory


def test_add_accumulates_quantity() -> None:
    inv = Inventory()
    inv.add("A1", "bolt", 0.10, 5)
    inv.add("A1", "bolt", 0.10, 7)
    assert inv.quantity("A1") == 12


def test_remove_refuses_more_than_in_stock() -> None:
    inv = Inventory()
    inv.add("A1", "bolt", 0.10, 2)
    with pytest.raises(ValueError):
        inv.remove("A1", 3)


def test_total_value() -> None:
    inv = Inventory()
    inv.add("A1", "bolt", 0.10, 10)
    inv.add("B2", "nut", 0.05, 20)
    assert inv.total_value() == pytest.approx(2.0)
