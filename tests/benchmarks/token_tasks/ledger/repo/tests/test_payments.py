from datetime import date

from tests.helpers import eur, sample_ledger


def test_payment_goes_to_oldest_invoice_first() -> None:
    book = sample_ledger()
    acme = book.customers.get("ACME")
    newer = book.invoices.create(acme, issued=date(2024, 2, 1))
    newer.add_line("Support", 1, eur("50.00"))
    newer.issue()
    payment = book.payments.record(acme, eur("400.00"), received=date(2024, 2, 5))
    assert [a.invoice for a in payment.allocations] == ["2024-0001", "2024-0002"]
    assert book.payments.credit(acme) == eur("0.00")
    assert newer.outstanding(book.taxes) == eur("16.50")


def test_an_overpayment_stays_as_credit() -> None:
    book = sample_ledger()
    acme = book.customers.get("ACME")
    book.payments.record(acme, eur("400.00"), received=date(2024, 2, 5))
    assert book.payments.credit(acme) == eur("43.00")
