"""Money as every request and event carries it: one parser, one type, one maximum (SPEC 6, 7).

A money field is a JSON string of ASCII digits with at most two decimals ("5", "5.0", "5.00"),
answered and stored with exactly two ("5.00"). Digits of other scripts (Arabic-Indic,
full-width), exponents, signs where none is allowed, spaces and JSON numbers are refused, so
nothing is rounded or reinterpreted on the way in. Amounts are at most 9999999.99.
Conversions to integer cents live here too, so no model needs the logic package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

MAX_MONEY = Decimal("9999999.99")
MAX_MONEY_TEXT = "9999999.99"
CENT = Decimal("0.01")
# re.ASCII: \d would also match other scripts' digits; spelled [0-9] to say it plainly
_AMOUNT = re.compile(r"([+-]?)([0-9]+)(?:\.([0-9]{1,2}))?", re.ASCII)
MONEY_PATTERN = r"^[0-9]{1,7}(\.[0-9]{1,2})?$"
SIGNED_MONEY_PATTERN = r"^[+-]?[0-9]{1,7}(\.[0-9]{1,2})?$"
FORMAT_REASON = "must be an amount as a string of digits 0-9 with at most two decimals, e.g. \"52.00\""


class MoneyInvalid(ValueError):
    """A plain-language reason, safe to show (it never quotes the value)."""


def parse_money(value: Any, *, signed: bool = False, maximum: Decimal = MAX_MONEY) -> str:
    """The amount as a two-decimal string ("5" -> "5.00"); MoneyInvalid names the rule broken."""
    if not isinstance(value, str) or len(value) > 32:
        raise MoneyInvalid(FORMAT_REASON)
    match = _AMOUNT.fullmatch(value)
    if match is None or (match.group(1) and not signed):
        raise MoneyInvalid(FORMAT_REASON)
    amount = Decimal(value).quantize(CENT)
    if abs(amount) > maximum:
        raise MoneyInvalid(f"must be at most {maximum:.2f}" + (" either way" if signed else ""))
    if amount == 0:
        amount = abs(amount)  # "-0.00" is 0.00
    return f"{amount:.2f}"


def to_cents(amount: str | Decimal) -> int:
    """'12.50' -> 1250, '-0.05' -> -5. Raises ValueError for anything that is not a whole number of cents."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError("not a decimal amount") from None
    if not value.is_finite():
        raise ValueError("not a finite amount")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError("more than two decimals")
    return int(cents)


def format_cents(cents: int) -> str:
    """1250 -> '12.50', -5 -> '-0.05', 0 -> '0.00'."""
    return str((Decimal(int(cents)) / 100).quantize(CENT))


def _money(value: Any) -> str:
    return parse_money(value)


def _signed_money(value: Any) -> str:
    return parse_money(value, signed=True)


Money = Annotated[
    str,
    PlainValidator(_money),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["52.00"],
                    "description": "Digits 0-9 with at most two decimals, at most 9999999.99; answered with two"}),
]
"""A non-negative amount: "5", "5.0" and "5.00" all become "5.00"."""

SignedMoney = Annotated[
    str,
    PlainValidator(_signed_money),
    WithJsonSchema({"type": "string", "pattern": SIGNED_MONEY_PATTERN, "examples": ["-5.00"],
                    "description": "Optional sign, digits 0-9 with at most two decimals; answered with two"}),
]
"""A signed amount (balance adjustments): "-5" becomes "-5.00"."""


def line_total_cents(price: str, qty: int) -> int:
    return to_cents(price) * int(qty)


def total_cents(lines: Iterable[tuple[str, int]]) -> int:
    """Sum of price x qty over (price, qty) pairs, exact."""
    return sum((line_total_cents(price, qty) for price, qty in lines), 0)


def round_money(value: Decimal) -> str:
    """A computed amount (an average, say) as a two-decimal string, half up."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))
