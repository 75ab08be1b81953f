"""Money as the API and the tables carry it: decimal strings with two decimals, integer cents in between.

Prices, cart lines and order totals are decimal strings ("52.00"), as the storefront events
write them. Store credit balances and ledger amounts are integer cents, so DynamoDB adds them
exactly. Parsing and cent conversions live with the money type in models/money.py; nothing is
ever a float.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from shopadmin.models.money import format_cents, to_cents

CENT = Decimal("0.01")
__all__ = ["CENT", "format_cents", "line_total_cents", "round_money", "to_cents", "total_cents"]


def line_total_cents(price: str, qty: int) -> int:
    return to_cents(price) * int(qty)


def total_cents(lines: Iterable[tuple[str, int]]) -> int:
    """Sum of price x qty over (price, qty) pairs, exact."""
    return sum((line_total_cents(price, qty) for price, qty in lines), 0)


def round_money(value: Decimal) -> str:
    """A computed amount (an average, say) as a two-decimal string, half up."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))
