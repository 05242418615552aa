from datetime import date

from tests.helpers import eur, sample_ledger


def test_aging_puts_amounts_in_buckets() -> None:
    book = sample_ledger()
    rows = book.reports.aging(date(2024, 3, 20))
    assert [r.customer for r in rows] == ["ACME"]
    assert rows[0].buckets["31-60"] == eur("357.00")
    assert rows[0].total == eur("357.00")


def test_revenue_by_month_is_net_of_discounts() -> None:
    revenue = sample_ledger().reports.revenue_by_month(2024)
    assert revenue[1] == eur("300.00")
    assert revenue[2] == eur("0.00")
