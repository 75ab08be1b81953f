"""Plain records exchanged between logic and the dal (no AWS types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shopadmin.models.presence import SNAPSHOT_FIELDS


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
    # False when only the profile was read (CustomerAccounts.get_account_profiles): `addresses` is then
    # empty and a save of this record leaves the stored address book as it is
    addresses_read: bool = True


@dataclass
class AuditRecord:
    entry_id: str
    at: int
    actor: str
    action: str
    changes: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class AccountSave:
    """One account save of CustomerAccounts.save_accounts: save_account's arguments, and the
    customer's session ids (from the sessions-by-customer index) when the save changes what Now
    Online shows (their rows change in the same transaction)."""

    before: AccountRecord
    after: AccountRecord
    audits: list[AuditRecord]
    session_ids: list[str] = field(default_factory=list)

    @property
    def shows_in_now_online(self) -> bool:
        """The save changes a field Now Online rows show (models/presence.py::SNAPSHOT_FIELDS)."""
        return any(self.before.fields.get(name) != self.after.fields.get(name) for name in SNAPSHOT_FIELDS)


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
