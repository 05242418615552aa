from datetime import date

from ledger import Ledger, Money


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


def sample_ledger() -> Ledger:
    book = Ledger("EUR")
    acme = book.customers.add("ACME", "Acme Corp", region="DE")
    book.customers.add("BOLT", "Bolt GmbH", region="AT")
    inv = book.invoices.create(acme, issued=date(2024, 1, 10), terms_days=30)
    inv.add_line("Consulting", 3, eur("100.00"))
    inv.issue()
    return book
