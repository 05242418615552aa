"""Customers and the registry that hands out their ids."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")


class UnknownCustomer(KeyError):
    """No customer has this code."""


@dataclass
class Customer:
    code: str
    name: str
    region: str = "DE"
    email: str = ""
    credit_limit: int = 0
    """In whole currency units; 0 means no credit is given."""
    tags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


class CustomerRegistry:
    def __init__(self) -> None:
        self._by_code: dict[str, Customer] = {}

    def add(self, code: str, name: str, region: str = "DE", email: str = "") -> Customer:
        code = code.strip().upper()
        if not _CODE_RE.match(code):
            raise ValueError(f"invalid customer code: {code!r}")
        if code in self._by_code:
            raise ValueError(f"customer {code} exists already")
        customer = Customer(code, name.strip(), region.upper(), email.strip())
        self._by_code[code] = customer
        return customer

    def get(self, code: str) -> Customer:
        try:
            return self._by_code[code.upper()]
        except KeyError:
            raise UnknownCustomer(code) from None

    def find(self, text: str) -> list[Customer]:
        """Customers whose code or name contains ``text`` (case-insensitive), by code."""
        needle = text.lower()
        hits = [c for c in self._by_code.values()
                if needle in c.code.lower() or needle in c.name.lower()]
        return sorted(hits, key=lambda c: c.code)

    def tagged(self, tag: str) -> list[Customer]:
        return sorted((c for c in self._by_code.values() if tag in c.tags), key=lambda c: c.code)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._by_code.values(), key=lambda c: c.code))

    def __len__(self) -> int:
        return len(self._by_code)
