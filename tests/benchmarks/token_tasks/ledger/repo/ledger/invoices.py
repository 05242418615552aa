"""Invoices: lines, totals with discount and tax, due dates and status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from ledger.customers import Customer
from ledger.discounts import Discount, best_discount
from ledger.money import Money, total
from ledger.taxes import STANDARD, TaxTable


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAID = "paid"
    CANCELLED = "cancelled"


@dataclass
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Money
    category: str = STANDARD

    @property
    def net(self) -> Money:
        return self.unit_price.times(self.quantity)


@dataclass
class Invoice:
    number: str
    customer: Customer
    issued: date
    terms_days: int = 30
    currency: str = "EUR"
    lines: list[InvoiceLine] = field(default_factory=list)
    discounts: list[Discount] = field(default_factory=list)
    status: InvoiceStatus = InvoiceStatus.DRAFT
    paid: Money | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.paid is None:
            self.paid = Money.zero(self.currency)

    # lines and amounts ----------------------------------------------------------------
    def add_line(self, description: str, quantity: int, unit_price: Money,
                 category: str = STANDARD) -> InvoiceLine:
        if self.status is not InvoiceStatus.DRAFT:
            raise ValueError(f"invoice {self.number} is {self.status}, not a draft")
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        line = InvoiceLine(description, quantity, unit_price, category)
        self.lines.append(line)
        return line

    @property
    def net(self) -> Money:
        return total([line.net for line in self.lines], self.currency)

    @property
    def discount(self) -> Money:
        quantity = sum(line.quantity for line in self.lines)
        return best_discount(self.discounts, self.net, quantity)[0]

    def tax(self, table: TaxTable) -> Money:
        """Tax per line category, on the net after the discount (spread by line share)."""
        net = self.net
        if net.is_zero:
            return Money.zero(self.currency)
        factor = (net - self.discount).amount / net.amount
        parts = [table.tax(line.net.times(factor), self.customer.region, line.category)
                 for line in self.lines]
        return total(parts, self.currency)

    def gross(self, table: TaxTable) -> Money:
        return self.net - self.discount + self.tax(table)

    def outstanding(self, table: TaxTable) -> Money:
        assert self.paid is not None
        return self.gross(table) - self.paid

    # life cycle -----------------------------------------------------------------------
    @property
    def due(self) -> date:
        return self.issued + timedelta(days=self.terms_days)

    def issue(self) -> None:
        if not self.lines:
            raise ValueError("an invoice needs at least one line")
        if self.status is not InvoiceStatus.DRAFT:
            raise ValueError(f"invoice {self.number} was issued already")
        self.status = InvoiceStatus.OPEN

    def cancel(self, reason: str) -> None:
        if self.status is InvoiceStatus.PAID:
            raise ValueError("a paid invoice cannot be cancelled")
        self.status = InvoiceStatus.CANCELLED
        self.notes.append(f"cancelled: {reason}")

    def days_overdue(self, today: date) -> int:
        """Days past the due date (0 when not yet due, paid or cancelled)."""
        if self.status is not InvoiceStatus.OPEN:
            return 0
        return max(0, (today - self.due).days)

    def settle(self, amount: Money, table: TaxTable) -> Money:
        """Book ``amount`` against this invoice; returns what is left over."""
        if self.status is not InvoiceStatus.OPEN:
            raise ValueError(f"invoice {self.number} is not open")
        assert self.paid is not None
        due = self.outstanding(table)
        used = amount if amount.amount <= due.amount else due
        self.paid = self.paid + used
        if self.outstanding(table).is_zero:
            self.status = InvoiceStatus.PAID
        return amount - used


class InvoiceBook:
    """Numbers invoices per year (``2024-0001``) and keeps them in order."""

    def __init__(self, currency: str = "EUR") -> None:
        self.currency = currency
        self._invoices: list[Invoice] = []
        self._counters: dict[int, int] = {}

    def create(self, customer: Customer, issued: date, terms_days: int = 30) -> Invoice:
        n = self._counters.get(issued.year, 0) + 1
        self._counters[issued.year] = n
        invoice = Invoice(f"{issued.year}-{n:04d}", customer, issued, terms_days, self.currency)
        self._invoices.append(invoice)
        return invoice

    def get(self, number: str) -> Invoice:
        for invoice in self._invoices:
            if invoice.number == number:
                return invoice
        raise KeyError(number)

    def open_for(self, customer: Customer) -> list[Invoice]:
        """The customer's open invoices, oldest due date first."""
        mine = [i for i in self._invoices
                if i.customer.code == customer.code and i.status is InvoiceStatus.OPEN]
        return sorted(mine, key=lambda i: (i.due, i.number))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._invoices)
