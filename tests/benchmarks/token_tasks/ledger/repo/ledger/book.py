"""The ledger: one currency, its customers, invoices, payments and reports."""

from __future__ import annotations

from ledger.customers import CustomerRegistry
from ledger.invoices import InvoiceBook
from ledger.payments import PaymentBook
from ledger.reports import Reports
from ledger.taxes import TaxTable, default_table


class Ledger:
    def __init__(self, currency: str = "EUR", taxes: TaxTable | None = None) -> None:
        self.currency = currency.upper()
        self.taxes = taxes or default_table()
        self.customers = CustomerRegistry()
        self.invoices = InvoiceBook(self.currency)
        self.payments = PaymentBook(self.invoices, self.taxes)
        self.reports = Reports(self.invoices, self.taxes)
