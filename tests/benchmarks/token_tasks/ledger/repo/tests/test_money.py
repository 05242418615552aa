from decimal import Decimal

import pytest
from ledger import Money
from ledger.money import CurrencyMismatch, total


def test_amounts_are_rounded_to_the_cent() -> None:
    assert Money.of("1.005", "eur").amount == Decimal("1.00")
    assert Money.of("1.015", "EUR").amount == Decimal("1.02")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        Money.of(1.5, "EUR")  # type: ignore[arg-type]


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.of(1, "EUR") + Money.of(1, "USD")


def test_split_adds_up() -> None:
    parts = Money.of("10.00", "EUR").split(3)
    assert [str(p.amount) for p in parts] == ["3.34", "3.33", "3.33"]
    assert total(parts, "EUR") == Money.of("10.00", "EUR")


def test_percent() -> None:
    assert Money.of("200.00", "EUR").percent(19) == Money.of("38.00", "EUR")
