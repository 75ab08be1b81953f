"""Plain records exchanged between logic and the dal (no AWS types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AccountRecord:
    """A customer's account as stored: the form fields, addresses, defaults and version."""

    customer_id: str
    fields: dict[str, Any]
    created_at: int
    version: int | None = None
    addresses: dict[str, dict[str, Any]] = field(default_factory=dict)  # address id -> fields
    default_billing_id: str | None = None
    default_shipping_id: str | None = None
    # per field: when its current value was set (ms; event occurred_at or admin save time), logic/field_order.py
    field_times: dict[str, int] = field(default_factory=dict)


@dataclass
class AuditRecord:
    entry_id: str
    at: int
    actor: str
    action: str
    changes: dict[str, dict[str, Any]]


@dataclass
class CustomerCollection:
    """Everything stored under one customer, read by one Query, as plain values."""

    account: AccountRecord
    last_login_at: int | None = None
    last_logout_at: int | None = None
    orders: list[dict[str, Any]] = field(default_factory=list)
    cart: list[dict[str, Any]] = field(default_factory=list)
    wishlist: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    newsletter: dict[str, bool] = field(default_factory=dict)
    tabs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # returns, gift_registries, ...
    balances: dict[str, int] = field(default_factory=dict)  # "store_credit" (cents) / "reward_points" -> balance
    ledgers: dict[str, list[Any]] = field(default_factory=dict)  # same accounts -> LedgerRecord list
