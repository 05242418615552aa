"""Saving a ledger to JSON and loading it back."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledger.book import Ledger
from ledger.invoices import InvoiceStatus
from ledger.money import Money

FORMAT_VERSION = 2


def _money(m: Money) -> str:
    return str(m.amount)


def dump(book: Ledger) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "currency": book.currency,
        "customers": [
            {"code": c.code, "name": c.name, "region": c.region, "email": c.email}
            for c in book.customers
        ],
        "invoices": [
            {
                "number": i.number, "customer": i.customer.code,
                "issued": i.issued.isoformat(), "terms_days": i.terms_days,
                "status": i.status.value, "paid": _money(i.paid or Money.zero(book.currency)),
                "notes": list(i.notes),
                "lines": [{"description": line.description, "quantity": line.quantity,
                           "unit_price": _money(line.unit_price), "category": line.category}
                          for line in i.lines],
            }
            for i in book.invoices
        ],
    }


def load(data: dict[str, Any]) -> Ledger:
    version = data.get("version")
    if version not in (1, FORMAT_VERSION):
        raise ValueError(f"unsupported ledger format: {version!r}")
    book = Ledger(currency=data["currency"])
    for c in data["customers"]:
        book.customers.add(c["code"], c["name"], c.get("region", "DE"), c.get("email", ""))
    for raw in data["invoices"]:
        customer = book.customers.get(raw["customer"])
        invoice = book.invoices.create(customer, date.fromisoformat(raw["issued"]),
                                       raw.get("terms_days", 30))
        invoice.number = raw["number"]
        for line in raw["lines"]:
            invoice.add_line(line["description"], line["quantity"],
                             Money.of(Decimal(line["unit_price"]), book.currency),
                             line.get("category", "standard"))
        invoice.status = InvoiceStatus(raw["status"])
        invoice.paid = Money.of(Decimal(raw.get("paid", "0")), book.currency)
        invoice.notes = list(raw.get("notes", []))
    return book


def save_file(book: Ledger, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(dump(book), indent=2), encoding="utf-8")
    tmp.replace(path)  # never a half-written ledger


def load_file(path: Path) -> Ledger:
    return load(json.loads(path.read_text(encoding="utf-8")))
