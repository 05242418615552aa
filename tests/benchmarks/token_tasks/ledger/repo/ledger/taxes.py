"""Value-added tax rates by region and product category."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.money import Money

STANDARD = "standard"
REDUCED = "reduced"
EXEMPT = "exempt"


@dataclass(frozen=True)
class TaxRate:
    region: str
    category: str
    percent: Decimal

    def on(self, net: Money) -> Money:
        return net.percent(self.percent)


class TaxTable:
    """Rates per (region, category); a region without its own rate for a category falls back
    to the table's default region."""

    def __init__(self, default_region: str = "DE") -> None:
        self.default_region = default_region
        self._rates: dict[tuple[str, str], TaxRate] = {}

    def set(self, region: str, category: str, percent: str | int | Decimal) -> TaxRate:
        value = Decimal(percent)
        if value < 0 or value > 100:
            raise ValueError(f"tax percent out of range: {value}")
        rate = TaxRate(region.upper(), category, value)
        self._rates[(rate.region, category)] = rate
        return rate

    def rate(self, region: str, category: str = STANDARD) -> TaxRate:
        if category == EXEMPT:
            return TaxRate(region.upper(), EXEMPT, Decimal(0))
        for key in ((region.upper(), category), (self.default_region, category)):
            if key in self._rates:
                return self._rates[key]
        raise KeyError(f"no {category} tax rate for {region}")

    def tax(self, net: Money, region: str, category: str = STANDARD) -> Money:
        return self.rate(region, category).on(net)


def default_table() -> TaxTable:
    table = TaxTable("DE")
    table.set("DE", STANDARD, 19)
    table.set("DE", REDUCED, 7)
    table.set("AT", STANDARD, 20)
    table.set("AT", REDUCED, 10)
    table.set("FR", STANDARD, 20)
    table.set("FR", REDUCED, "5.5")
    return table
