"""Payments received, allocated to a customer's open invoices oldest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ledger.customers import Customer
from ledger.invoices import InvoiceBook
from ledger.money import Money, total
from ledger.taxes import TaxTable


@dataclass
class Allocation:
    invoice: str
    amount: Money


@dataclass
class Payment:
    customer: Customer
    amount: Money
    received: date
    reference: str = ""
    allocations: list[Allocation] = field(default_factory=list)

    @property
    def unallocated(self) -> Money:
        return self.amount - total([a.amount for a in self.allocations], self.amount.currency)


class PaymentBook:
    def __init__(self, invoices: InvoiceBook, taxes: TaxTable) -> None:
        self.invoices = invoices
        self.taxes = taxes
        self._payments: list[Payment] = []

    def record(self, customer: Customer, amount: Money, received: date,
               reference: str = "") -> Payment:
        """Record a payment and allocate it to the customer's open invoices, oldest due
        first; what is left stays as credit on the payment."""
        if amount.is_negative or amount.is_zero:
            raise ValueError("a payment must be positive")
        payment = Payment(customer, amount, received, reference)
        left = amount
        for invoice in self.invoices.open_for(customer):
            if left.is_zero:
                break
            before = left
            left = invoice.settle(left, self.taxes)
            payment.allocations.append(Allocation(invoice.number, before - left))
        self._payments.append(payment)
        return payment

    def credit(self, customer: Customer) -> Money:
        """Money received from ``customer`` not allocated to any invoice yet."""
        mine = [p.unallocated for p in self._payments if p.customer.code == customer.code]
        return total(mine, self.invoices.currency)

    def received_between(self, start: date, end: date) -> list[Payment]:
        return [p for p in self._payments if start <= p.received <= end]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._payments)
