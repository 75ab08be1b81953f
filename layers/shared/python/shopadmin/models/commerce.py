"""Manage Shopping Cart, Create Order, store credit, reward points and newsletter (SPEC 3.2, 3.3, 4).

Request bodies forbid unknown fields. Money is models/money.py's type: a string of ASCII digits
with at most two decimals ("5", "12.5", "12.50"), answered with two; never a JSON number, so
nothing is rounded on the way in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StrictBool, StrictInt, StringConstraints, field_validator

from shopadmin.models.base import Model
from shopadmin.models.customer import LedgerEntry, Order, PointsEntry
from shopadmin.models.events import Sku, WebsiteId
from shopadmin.models.money import MAX_MONEY_TEXT, Money, SignedMoney, to_cents

MAX_ORDER_LINES = 90  # one TransactWriteItems holds 100 items: lines + order + audits + checks
MAX_PRICE = MAX_MONEY_TEXT
MAX_CREDIT_ADJUSTMENT_CENTS = 10_000_000  # 100,000.00 per adjustment
MAX_CREDIT_BALANCE_CENTS = 1_000_000_000  # 10,000,000.00
MAX_POINTS_ADJUSTMENT = 1_000_000
MAX_POINTS_BALANCE = 1_000_000_000

Price = Money
SignedAmount = SignedMoney  # at most 100000.00 either way: checked below
Quantity = Annotated[StrictInt, Field(ge=1, le=10_000, description="1-10000")]
ProductName = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]


# ------------------------------------------------------------------ requests
class CartItemSet(Model):
    """PUT /customers/{id}/cart/items/{sku}: the line's quantity; name and price kept when omitted."""

    model_config = ConfigDict(extra="forbid")

    qty: Quantity
    name: ProductName | None = None
    price: Price | None = Field(default=None, description='Unit price, e.g. "52.00"')


class OrderLineIn(Model):
    model_config = ConfigDict(extra="forbid")

    sku: Sku
    qty: Quantity
    name: ProductName | None = None
    price: Price = Field(description="Unit price, required: the order's total is computed from it")


class OrderCreate(Model):
    """Exactly one of `items` or `from_cart: true`."""

    model_config = ConfigDict(extra="forbid")

    items: list[OrderLineIn] | None = Field(default=None, min_length=1, max_length=MAX_ORDER_LINES)
    from_cart: StrictBool | None = Field(default=None, description="Order the saved cart and empty it")


class StoreCreditAdjustment(Model):
    model_config = ConfigDict(extra="forbid")

    amount: SignedAmount = Field(description='Signed, non-zero, at most 100000.00 either way, e.g. "-5.00"')
    reason: Reason

    @field_validator("amount")
    @classmethod
    def _bounded(cls, value: str) -> str:
        cents = to_cents(value)
        if cents == 0:
            raise ValueError("must not be zero")
        if abs(cents) > MAX_CREDIT_ADJUSTMENT_CENTS:
            raise ValueError("must be at most 100000.00 either way")
        return value


class RewardPointsAdjustment(Model):
    model_config = ConfigDict(extra="forbid")

    points: StrictInt = Field(ge=-MAX_POINTS_ADJUSTMENT, le=MAX_POINTS_ADJUSTMENT, description="Signed, non-zero")
    reason: Reason

    @field_validator("points")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be zero")
        return value


class NewsletterUpdate(Model):
    model_config = ConfigDict(extra="forbid")

    website_id: WebsiteId
    subscribed: StrictBool


# ------------------------------------------------------------------ responses
class OrderPage(Model):
    items: list[Order]
    next_cursor: str | None


class StoreCreditAdjusted(Model):
    balance: str = Field(description="The balance after this adjustment")
    entry: LedgerEntry


class RewardPointsAdjusted(Model):
    balance: int = Field(description="The balance after this adjustment")
    entry: PointsEntry


# ------------------------------------------------------------------ records between logic and dal
@dataclass(frozen=True)
class CartLineRecord:
    sku: str
    qty: int
    name: str | None = None
    price: str | None = None


@dataclass(frozen=True)
class OrderRecord:
    order_id: str
    status: str
    total: str
    created_at: int
    lines: tuple[CartLineRecord, ...]
    placed_by: str | None


@dataclass(frozen=True)
class LedgerRecord:
    """One adjustment of a balance account ("store_credit": cents, "reward_points": points)."""

    entry_id: str
    at: int
    delta: int
    balance: int  # the balance right after this entry
    reason: str
    actor: str | None


@dataclass(frozen=True)
class NewsletterSubscription:
    """One website's subscription as read; passed back to guard the write that replaces it."""

    subscribed: bool
    changed_at: int


@dataclass
class NewsletterRecords:
    subscriptions: dict[str, bool] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
