"""``python -m ledger.cli FILE COMMAND``: inspect a saved ledger."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ledger.storage import load_file


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ledger")
    p.add_argument("file", type=Path)
    sub = p.add_subparsers(dest="command", required=True)
    aging = sub.add_parser("aging", help="receivables by overdue bucket")
    aging.add_argument("--today", type=date.fromisoformat, default=date.today())
    revenue = sub.add_parser("revenue", help="net revenue by month")
    revenue.add_argument("year", type=int)
    sub.add_parser("customers", help="list customers")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        book = load_file(args.file)
    except (OSError, ValueError) as exc:
        print(f"ledger: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    if args.command == "aging":
        print(book.reports.format_aging(args.today))
    elif args.command == "revenue":
        for month, amount in book.reports.revenue_by_month(args.year).items():
            print(f"{args.year}-{month:02d}  {amount}")
    else:
        for customer in book.customers:
            print(f"{customer.code:<12} {customer.name} [{customer.region}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
