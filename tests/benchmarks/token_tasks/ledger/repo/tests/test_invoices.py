from datetime import date

import pytest
from ledger import InvoiceStatus
from ledger.discounts import PercentOff, VolumeDiscount

from tests.helpers import eur, sample_ledger


def test_gross_includes_tax_after_discount() -> None:
    book = sample_ledger()
    inv = book.invoices.get("2024-0001")
    assert inv.net == eur("300.00")
    assert inv.gross(book.taxes) == eur("357.00")
    inv.discounts.append(PercentOff(10))  # type: ignore[arg-type]
    assert inv.gross(book.taxes) == eur("321.30")


def test_volume_discount_needs_enough_units() -> None:
    book = sample_ledger()
    inv = book.invoices.get("2024-0001")
    inv.discounts.append(VolumeDiscount(5, 10))  # type: ignore[arg-type]
    assert inv.discount == eur("0.00")


def test_due_date_and_days_overdue() -> None:
    inv = sample_ledger().invoices.get("2024-0001")
    assert inv.due == date(2024, 2, 9)
    assert inv.days_overdue(date(2024, 2, 9)) == 0
    assert inv.days_overdue(date(2024, 2, 19)) == 10


def test_only_drafts_take_lines() -> None:
    inv = sample_ledger().invoices.get("2024-0001")
    with pytest.raises(ValueError):
        inv.add_line("More", 1, eur("1.00"))


def test_settle_marks_paid() -> None:
    book = sample_ledger()
    inv = book.invoices.get("2024-0001")
    left = inv.settle(eur("400.00"), book.taxes)
    assert left == eur("43.00")
    assert inv.status is InvoiceStatus.PAID
