"""A tiny stock-keeping library."""

from inventory.stock import Inventory, Item

__all__ = ["Inventory", "Item"]
