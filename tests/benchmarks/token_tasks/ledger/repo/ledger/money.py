"""Exact amounts of money in one currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

_CENT = Decimal("0.01")


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        if isinstance(amount, float):
            raise TypeError("use a string or Decimal for money, never a float")
        return cls(Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_EVEN), currency.upper())

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of(0, currency)

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def times(self, factor: Decimal | int | str) -> Money:
        """This amount times ``factor``, rounded half-even to the cent."""
        value = (self.amount * Decimal(factor)).quantize(_CENT, rounding=ROUND_HALF_EVEN)
        return Money(value, self.currency)

    def percent(self, rate: Decimal | int | str) -> Money:
        """``rate`` percent of this amount (``percent(19)`` is 19 %)."""
        return self.times(Decimal(rate) / 100)

    def split(self, parts: int) -> list[Money]:
        """Split into ``parts`` amounts that add up exactly; the first ones get the extra cents."""
        if parts <= 0:
            raise ValueError("parts must be positive")
        cents = int(self.amount / _CENT)
        base, extra = divmod(cents, parts)
        return [Money(Decimal(base + (1 if i < extra else 0)) * _CENT, self.currency)
                for i in range(parts)]

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


def total(amounts: list[Money], currency: str) -> Money:
    """The sum of ``amounts`` (zero in ``currency`` when there are none)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
