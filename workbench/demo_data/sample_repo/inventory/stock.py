"""Items and quantities held in a warehouse."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Item:
    sku: str
    name: str
    unit_price: float
    quantity: int = 0


class Inventory:
    """Stock levels by SKU."""

    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def add(self, sku: str, name: str, unit_price: float, quantity: int = 0) -> Item:
        if quantity < 0:
            raise ValueError("quantity must not be negative")
        item = self._items.get(sku)
        if item is None:
            item = Item(sku, name, unit_price, 0)
            self._items[sku] = item
        item.quantity += quantity
        return item

    def remove(self, sku: str, quantity: int) -> Item:
        item = self._items[sku]
        if quantity > item.quantity:
            raise ValueError(f"only {item.quantity} of {sku} in stock")
        item.quantity -= quantity
        return item

    def quantity(self, sku: str) -> int:
        item = self._items.get(sku)
        return item.quantity if item else 0

    def total_value(self) -> float:
        return sum(i.unit_price * i.quantity for i in self._items.values())
