"""Reports over a ledger: receivables aging and revenue by month."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from ledger.invoices import InvoiceBook, InvoiceStatus
from ledger.money import Money, total
from ledger.taxes import TaxTable

BUCKETS = ((0, "current"), (1, "1-30"), (31, "31-60"), (61, "61-90"), (91, "90+"))


@dataclass
class AgingRow:
    customer: str
    buckets: dict[str, Money]

    @property
    def total(self) -> Money:
        values = list(self.buckets.values())
        return total(values, values[0].currency) if values else Money.zero("EUR")


def bucket_for(days_overdue: int) -> str:
    label = BUCKETS[0][1]
    for start, name in BUCKETS:
        if days_overdue >= start:
            label = name
    return label


class Reports:
    def __init__(self, invoices: InvoiceBook, taxes: TaxTable) -> None:
        self.invoices = invoices
        self.taxes = taxes

    def aging(self, today: date) -> list[AgingRow]:
        """Outstanding amounts per customer and overdue bucket, customers by code."""
        currency = self.invoices.currency
        rows: dict[str, AgingRow] = {}
        for invoice in self.invoices:
            if invoice.status is not InvoiceStatus.OPEN:
                continue
            code = invoice.customer.code
            row = rows.setdefault(code, AgingRow(
                code, {name: Money.zero(currency) for _, name in BUCKETS}))
            name = bucket_for(invoice.days_overdue(today))
            row.buckets[name] = row.buckets[name] + invoice.outstanding(self.taxes)
        return [rows[code] for code in sorted(rows)]

    def revenue_by_month(self, year: int) -> dict[int, Money]:
        """Net revenue (after discounts, before tax) of the invoices issued in ``year``."""
        by_month: dict[int, list[Money]] = defaultdict(list)
        for invoice in self.invoices:
            if invoice.issued.year != year or invoice.status is InvoiceStatus.CANCELLED:
                continue
            if invoice.status is InvoiceStatus.DRAFT:
                continue
            by_month[invoice.issued.month].append(invoice.net - invoice.discount)
        currency = self.invoices.currency
        return {m: total(by_month.get(m, []), currency) for m in range(1, 13)}

    def format_aging(self, today: date) -> str:
        """The aging report as a fixed-width table."""
        header = ["customer", *(name for _, name in BUCKETS), "total"]
        lines = ["  ".join(f"{h:>12}" for h in header)]
        for row in self.aging(today):
            cells = [row.customer, *(f"{row.buckets[n].amount:.2f}" for _, n in BUCKETS),
                     f"{row.total.amount:.2f}"]
            lines.append("  ".join(f"{c:>12}" for c in cells))
        return "\n".join(lines)
