"""A small invoicing library."""

from ledger.book import Ledger
from ledger.customers import Customer
from ledger.invoices import Invoice, InvoiceLine, InvoiceStatus
from ledger.money import Money

__all__ = ["Customer", "Invoice", "InvoiceLine", "InvoiceStatus", "Ledger", "Money"]
