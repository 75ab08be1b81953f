"""Money as the API and the tables carry it: decimal strings with two decimals, integer cents in between.

Prices, cart lines and order totals are decimal strings ("52.00"), as the storefront events
write them. Store credit balances and ledger amounts are integer cents, so DynamoDB adds them
exactly. Every conversion goes through here; nothing is ever a float.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_cents(amount: str | Decimal) -> int:
    """'12.50' -> 1250, '-0.05' -> -5. Raises ValueError for anything that is not a whole number of cents."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"more than two decimals: {amount!r}")
    return int(cents)


def format_cents(cents: int) -> str:
    """1250 -> '12.50', -5 -> '-0.05', 0 -> '0.00'."""
    return str((Decimal(int(cents)) / 100).quantize(CENT))


def line_total_cents(price: str, qty: int) -> int:
    return to_cents(price) * int(qty)


def total_cents(lines: Iterable[tuple[str, int]]) -> int:
    """Sum of price x qty over (price, qty) pairs, exact."""
    return sum((line_total_cents(price, qty) for price, qty in lines), 0)


def round_money(value: Decimal) -> str:
    """A computed amount (an average, say) as a two-decimal string, half up."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))
