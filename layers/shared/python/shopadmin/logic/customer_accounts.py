"""Customers > All Customers: create, the grid, the Customer Information page, quick and full edit.

Edits are optimistic: every save states the version it was based on (If-Match or `version`),
a stale one is refused with 409 and changes nothing, one without any gets 428.
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol, overload

from shopadmin.clock import to_iso
from shopadmin.errors import (
    ChangeConflict,
    Conflict,
    EmailTaken,
    InvalidRequest,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from shopadmin.logic.audit import audit_entry, field_changes
from shopadmin.logic.concurrency import in_parallel
from shopadmin.logic.cursor import decode_cursor, encode_cursor
from shopadmin.logic.customer_commerce import balances_view
from shopadmin.logic.field_order import admin_change, newer_than
from shopadmin.logic.online_list import to_row
from shopadmin.logic.online_window import is_online
from shopadmin.logic.sharded_merge import MAX_PARALLEL_READS, merged
from shopadmin.logic.sharded_merge import Page as ShardPage
from shopadmin.models.customer import (
    MAX_ADDRESSES,
    Activity,
    Address,
    AddressIn,
    AuditEntry,
    Cart,
    CartItem,
    Customer,
    CustomerAccount,
    CustomerProfile,
    NewsletterState,
    Order,
    OrderStats,
    Review,
    WishlistItem,
)
from shopadmin.models.money import round_money
from shopadmin.models.presence import PresenceState
from shopadmin.models.records import AccountRecord, AuditRecord, CustomerCollection

ACCOUNT_FIELDS = ("email", "prefix", "first_name", "middle_name", "last_name", "suffix", "dob", "gender", "taxvat",
                  "website_id", "group_id", "company", "allow_remote_assistance")
MAX_SEARCH_MATCHES = 500  # per searched index partition; `q` narrows the grid, it never walks the table


class AccountsPort(Protocol):
    def load_collection(self, customer_id: str) -> CustomerCollection | None: ...
    def get_account(self, customer_id: str, consistent: bool = True) -> AccountRecord | None: ...
    def save_account(self, before: AccountRecord | None, after: AccountRecord, audits: list[AuditRecord],
                     now_ms: int) -> int: ...
    def session_ids(self, customer_id: str) -> list[str]: ...
    def grid_partitions(self) -> list[str]: ...
    def grid_page(self, partition: str, sort_field: str, descending: bool, start_after: str | None, limit: int,
                  website_id: str | None, group_id: int | None,
                  prefix: str | None = None) -> tuple[list[tuple[str, AccountRecord]], str | None]: ...


class SessionsPort(Protocol):
    def get_many(self, session_ids: list[str]) -> dict[str, PresenceState]: ...


@dataclass(frozen=True)
class Saved:
    customer: Customer

    @property
    def etag(self) -> str:
        return etag(self.customer.version)


def etag(version: int) -> str:
    return f'"{version}"'


def new_customer_id() -> str:
    return uuid.uuid4().hex


def new_address_id() -> str:
    return uuid.uuid4().hex[:16]


# ------------------------------------------------------------------ shapes
def to_customer(record: AccountRecord) -> Customer:
    return Customer(id=record.customer_id, created_at=to_iso(record.created_at), version=record.version or 0,
                    **{name: record.fields.get(name) for name in ACCOUNT_FIELDS if record.fields.get(name) is not None})


def to_address(address_id: str, fields: dict[str, Any], record: AccountRecord) -> Address:
    return Address(id=address_id, **fields, default_billing=record.default_billing_id == address_id,
                   default_shipping=record.default_shipping_id == address_id)


# ------------------------------------------------------------------ preconditions
_ETAG = re.compile(r'^(?:W/)?"(\d{1,12})"$')


def expected_version(if_match: str | None, body_version: int | None) -> int:
    """The version a save is based on: If-Match ("<version>", the ETag of the read) or `version`."""
    if if_match is not None and if_match.strip():
        match = _ETAG.match(if_match.strip())
        if not match:
            raise PreconditionFailed('If-Match must be the ETag of a read, e.g. "3"',
                                     [{"field": "header.if-match", "reason": "not a quoted version number"}])
        version = int(match.group(1))
        if body_version is not None and body_version != version:
            raise PreconditionFailed("If-Match and version disagree",
                                     [{"field": "body.version", "reason": "differs from If-Match"}])
        return version
    if body_version is not None:
        return body_version
    raise PreconditionRequired("State the version this edit is based on (If-Match or version)",
                               [{"field": "header.if-match", "reason": "required"}])


# ------------------------------------------------------------------ address book
def build_address_book(record: AccountRecord, incoming: list[AddressIn]) -> AccountRecord:
    """The address book replaced by `incoming`: known ids are edited, new ones added, the rest removed."""
    addresses: dict[str, dict[str, Any]] = {}
    billing: str | None = None
    shipping: str | None = None
    for position, address in enumerate(incoming):
        if address.id is not None and address.id not in record.addresses:
            raise InvalidRequest("Unknown address", [{"field": f"body.addresses.{position}.id",
                                                      "reason": "not an address of this customer"}])
        address_id = address.id or new_address_id()
        if address_id in addresses:
            raise InvalidRequest("Address listed twice", [{"field": f"body.addresses.{position}.id",
                                                           "reason": "listed twice"}])
        addresses[address_id] = address.model_dump(mode="json", exclude={"id", "default_billing", "default_shipping"})
        for flag, current in (("default_billing", billing), ("default_shipping", shipping)):
            if getattr(address, flag) and current is not None:
                raise InvalidRequest(f"Only one {flag} address", [{"field": f"body.addresses.{position}.{flag}",
                                                                   "reason": "another address has it"}])
        billing = address_id if address.default_billing else billing
        shipping = address_id if address.default_shipping else shipping
    return replace(record, addresses=addresses, default_billing_id=billing, default_shipping_id=shipping)


def address_changes(before: AccountRecord, after: AccountRecord) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for address_id in sorted(before.addresses.keys() | after.addresses.keys()):
        old, new = before.addresses.get(address_id), after.addresses.get(address_id)
        if old != new:
            changes[f"addresses.{address_id}"] = {"before": old, "after": new}
    for flag in ("default_billing_id", "default_shipping_id"):
        old, new = getattr(before, flag), getattr(after, flag)
        if old != new:
            changes[flag.removesuffix("_id")] = {"before": old, "after": new}
    return changes


# ------------------------------------------------------------------ writes
def create_customer(body: CustomerAccount, addresses: list[AddressIn] | None, accounts: AccountsPort, actor: str,
                    now_ms: int, customer_id: str | None = None) -> Saved:
    fields = body.model_dump(mode="json", include=set(ACCOUNT_FIELDS))
    record = AccountRecord(customer_id=customer_id or new_customer_id(), fields=fields, created_at=now_ms,
                           field_times=dict.fromkeys(fields, now_ms))
    if addresses:
        record = build_address_book(record, addresses)
    audits = [audit_entry(actor, "customer.created", now_ms, field_changes({}, fields))]
    if record.addresses:
        audits.append(audit_entry(actor, "address.changed", now_ms,
                                  address_changes(AccountRecord(record.customer_id, {}, now_ms), record)))
    version = _save(accounts, None, record, audits, now_ms)
    return Saved(to_customer(replace(record, version=version)))


def edit_customer(customer_id: str, updates: dict[str, Any], addresses: list[AddressIn] | None, expected: int,
                  accounts: AccountsPort, actor: str, now_ms: int) -> Saved:
    before = accounts.get_account(customer_id)
    if before is None:
        raise NotFound("No such customer")
    if before.version != expected:
        raise Conflict("The customer changed since it was read; reload and apply your edit again",
                       [{"field": "version", "reason": f"current version is {before.version}"}])
    held = newer_than(before, updates, now_ms)
    if held:  # a storefront change stamped ahead of this server's clock: the newer change wins (SPEC 9)
        raise Conflict("A newer change holds this field; reload to see it",
                       [{"field": f"body.{name}", "reason": "changed later by the storefront"} for name in held])
    after = admin_change(before, updates, now_ms)
    if addresses is not None:
        after = build_address_book(after, addresses)
    account_diff = field_changes(before.fields, after.fields)
    book_diff = address_changes(before, after)
    audits = []
    if account_diff:
        audits.append(audit_entry(actor, "customer.updated", now_ms, account_diff))
    if book_diff:
        audits.append(audit_entry(actor, "address.changed", now_ms, book_diff))
    if not audits:
        return Saved(to_customer(before))  # nothing changed: no write, same version
    # the customer's Now Online rows change in the same transaction (dal), not at the next login
    version = _save(accounts, before, after, audits, now_ms)
    return Saved(to_customer(replace(after, version=version)))


def _save(accounts: AccountsPort, before: AccountRecord | None, after: AccountRecord, audits: list[AuditRecord],
          now_ms: int) -> int:
    try:
        return accounts.save_account(before, after, audits, now_ms)
    except ChangeConflict:
        if before is None:
            raise Conflict("A customer with this id already exists") from None
        raise Conflict("The customer changed since it was read; reload and apply your edit again",
                       [{"field": "version", "reason": "stale"}]) from None
    except EmailTaken:
        raise Conflict("This email is already used on this website",
                       [{"field": "body.email", "reason": "already used on this website"}]) from None


# ------------------------------------------------------------------ the Customer Information page
def customer_profile(customer_id: str, accounts: AccountsPort, sessions: SessionsPort, now_ms: int,
                     interval_minutes: int) -> tuple[CustomerProfile, str]:
    collection = accounts.load_collection(customer_id)
    if collection is None:
        raise NotFound("No such customer")
    record = collection.account
    rows = sessions.get_many(accounts.session_ids(customer_id)).values()
    live = sorted((s for s in rows if s.customer_id == customer_id and is_online(s, now_ms, interval_minutes)),
                  key=lambda s: s.last_activity, reverse=True)
    addresses = [to_address(address_id, fields, record) for address_id, fields in record.addresses.items()]
    by_id = {a.id: a for a in addresses}
    orders = sorted(collection.orders, key=lambda o: o["created_at"], reverse=True)
    totals = [Decimal(o["total"]) for o in orders if o["status"] != "canceled"]
    lifetime = sum(totals, Decimal("0"))
    store_credit, reward_points = balances_view(collection.balances, collection.ledgers)
    profile = CustomerProfile(
        customer=to_customer(record),
        activity=Activity(online=bool(live), last_login_at=to_iso(collection.last_login_at),
                          last_logout_at=to_iso(collection.last_logout_at), sessions=[to_row(s) for s in live]),
        addresses=addresses,
        default_billing=by_id.get(record.default_billing_id) if record.default_billing_id else None,
        default_shipping=by_id.get(record.default_shipping_id) if record.default_shipping_id else None,
        order_stats=OrderStats(count=len(orders), lifetime_sales=round_money(lifetime),
                               average_sale=round_money(lifetime / len(totals) if totals else Decimal("0"))),
        orders=[Order(**{**o, "created_at": to_iso(o["created_at"])}) for o in orders],
        returns=collection.tabs.get("returns", []),
        cart=Cart(items=[CartItem(**line) for line in sorted(collection.cart, key=lambda line: line["sku"])]),
        wishlist=[WishlistItem(sku=w["sku"], added_at=to_iso(w["added_at"])) for w in collection.wishlist],
        gift_registries=collection.tabs.get("gift_registries", []),
        store_credit=store_credit,
        reward_points=reward_points,
        newsletter=NewsletterState(subscriptions=collection.newsletter,
                                   history=collection.tabs.get("newsletters_sent", [])),
        billing_agreements=collection.tabs.get("billing_agreements", []),
        reviews=[Review(**{**r, "created_at": to_iso(r["created_at"])}) for r in collection.reviews],
    )
    return profile, etag(record.version or 0)


# ------------------------------------------------------------------ the grid
@dataclass(frozen=True)
class GridRequest:
    q: str | None = None
    website_id: str | None = None
    group_id: int | None = None
    sort: str = "-created_at"
    limit: int = 50
    cursor: str | None = None

    def fingerprint(self) -> dict[str, Any]:
        return {"list": "customers", "q": (self.q or "").lower(), "website_id": self.website_id,
                "group_id": self.group_id, "sort": self.sort}


def list_customers(request: GridRequest, accounts: AccountsPort, *, cursor_key: bytes
                   ) -> tuple[list[Customer], str | None]:
    field = request.sort.lstrip("-")
    descending = request.sort.startswith("-")
    position = decode_cursor(request.cursor, request.fingerprint(), cursor_key)
    prefix = (request.q or "").strip().lower()
    partitions = accounts.grid_partitions()
    if not prefix:  # a blank search (spaces, control characters) searches nothing: the plain grid
        def read(partition: str, resume: str | None, limit: int) -> ShardPage[AccountRecord]:
            return accounts.grid_page(partition, field, descending, resume, limit, request.website_id,
                                      request.group_id)

        entries = list(itertools.islice(merged(partitions, read, position, request.limit, descending),
                                        request.limit + 1))
        rows = [to_customer(record) for _, record in entries[: request.limit]]
        last = entries[request.limit - 1][0] if len(entries) > request.limit else None
        return rows, (encode_cursor(request.fingerprint(), last, cursor_key) if last else None)
    # A prefix search: one Query per searched index (email, first name, last name) and partition, merged.
    searches = [(searched, partition) for searched in ("email", "first_name", "last_name") for partition in partitions]
    found: dict[str, AccountRecord] = {}

    def search(searched: str, partition: str) -> ShardPage[AccountRecord]:
        return accounts.grid_page(partition, searched, False, None, MAX_SEARCH_MATCHES, request.website_id,
                                  request.group_id, prefix=prefix)

    for matches, _ in in_parallel(lambda pair: search(*pair), searches, MAX_PARALLEL_READS):
        for _, record in matches:
            found[record.customer_id] = record

    def key(record: AccountRecord) -> list[Any]:
        value = record.created_at if field == "created_at" else (record.fields.get(field) or "").lower()
        return [value, record.customer_id]

    ordered = sorted(found.values(), key=key, reverse=descending)
    if position is not None:
        ordered = [r for r in ordered if (key(r) < position if descending else key(r) > position)]
    page = ordered[: request.limit]
    next_cursor = (encode_cursor(request.fingerprint(), key(page[-1]), cursor_key)
                   if len(ordered) > request.limit else None)
    return [to_customer(r) for r in page], next_cursor


def to_audit_entry(record: AuditRecord) -> AuditEntry:
    return AuditEntry(id=record.entry_id, at=to_iso(record.at), actor=record.actor, action=record.action,
                      changes=record.changes)


# ------------------------------------------------------------------ one address at a time
ADDRESS_ATTEMPTS = 3


@overload
def change_address(customer_id: str, address_id: str | None, address: AddressIn, accounts: AccountsPort,
                   actor: str, now_ms: int) -> tuple[Address, Customer]: ...
@overload
def change_address(customer_id: str, address_id: str, address: None, accounts: AccountsPort,
                   actor: str, now_ms: int) -> tuple[None, Customer]: ...
def change_address(customer_id: str, address_id: str | None, address: AddressIn | None, accounts: AccountsPort,
                   actor: str, now_ms: int) -> tuple[Address | None, Customer]:
    """Add (no id), replace (id + address) or delete (id, no address) one address atomically.

    No precondition: the change is applied to the latest saved book, retried if a concurrent
    save got there first, so it never overwrites someone else's edit.
    """
    for _ in range(ADDRESS_ATTEMPTS):
        before = accounts.get_account(customer_id)
        if before is None:
            raise NotFound("No such customer")
        if address_id is not None and address_id not in before.addresses:
            raise NotFound("No such address")
        if address_id is None and len(before.addresses) >= MAX_ADDRESSES:
            raise InvalidRequest(f"An address book holds at most {MAX_ADDRESSES} addresses",
                                 [{"field": "addresses", "reason": f"already holds {MAX_ADDRESSES}; "
                                                                   "delete or edit one instead"}])
        target = address_id or new_address_id()
        after = replace(before, addresses=dict(before.addresses))
        if address is None:
            del after.addresses[target]
            if after.default_billing_id == target:
                after = replace(after, default_billing_id=None)
            if after.default_shipping_id == target:
                after = replace(after, default_shipping_id=None)
        else:
            after.addresses[target] = address.model_dump(mode="json", exclude={"id", "default_billing",
                                                                                "default_shipping"})
            if address.default_billing:
                after = replace(after, default_billing_id=target)
            elif after.default_billing_id == target:
                after = replace(after, default_billing_id=None)
            if address.default_shipping:
                after = replace(after, default_shipping_id=target)
            elif after.default_shipping_id == target:
                after = replace(after, default_shipping_id=None)
        changes = address_changes(before, after)
        if not changes:
            return (to_address(target, after.addresses[target], after) if address else None), to_customer(before)
        try:
            version = accounts.save_account(before, after, [audit_entry(actor, "address.changed", now_ms, changes)],
                                            now_ms)
        except ChangeConflict:
            continue
        saved = replace(after, version=version)
        return (to_address(target, saved.addresses[target], saved) if address else None), to_customer(saved)
    raise Conflict("The customer kept changing; try again")


def address_list(customer_id: str, accounts: AccountsPort) -> list[Address]:
    record = accounts.get_account(customer_id, consistent=False)
    if record is None:
        raise NotFound("No such customer")
    return [to_address(address_id, fields, record) for address_id, fields in record.addresses.items()]
