"""Discount rules applied to an invoice's net amount."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ledger.money import Money


class Discount(Protocol):
    def amount(self, net: Money, quantity: int) -> Money: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class PercentOff:
    percent: Decimal

    def amount(self, net: Money, quantity: int) -> Money:
        return net.percent(self.percent)

    def describe(self) -> str:
        return f"{self.percent}% off"


@dataclass(frozen=True)
class VolumeDiscount:
    """``percent`` off when at least ``min_quantity`` units are billed in total."""

    min_quantity: int
    percent: Decimal

    def amount(self, net: Money, quantity: int) -> Money:
        if quantity < self.min_quantity:
            return Money.zero(net.currency)
        return net.percent(self.percent)

    def describe(self) -> str:
        return f"{self.percent}% off from {self.min_quantity} units"


@dataclass(frozen=True)
class FixedOff:
    value: Money

    def amount(self, net: Money, quantity: int) -> Money:
        return self.value if self.value.amount <= net.amount else net

    def describe(self) -> str:
        return f"{self.value} off"


def best_discount(rules: list[Discount], net: Money, quantity: int) -> tuple[Money, str]:
    """The largest single discount (discounts never stack) and its description."""
    best, label = Money.zero(net.currency), ""
    for rule in rules:
        value = rule.amount(net, quantity)
        if value.amount > best.amount:
            best, label = value, rule.describe()
    return best, label
