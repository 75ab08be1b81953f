"""Admin actions on a customer's commerce data (SPEC 3.3): Manage Shopping Cart, Create Order,
store credit and reward points adjustments, newsletter subscription.

Each write is atomic per item and needs no precondition from the client (SPEC 4): the logic
reads the item, decides, and writes guarded by what it read, together with the audit entry.
When a concurrent change gets there first, it reads again and re-decides (server-side retry),
so no change is lost and the audit's before/after are exact.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from shopadmin.clock import to_iso
from shopadmin.errors import Busy, ChangeConflict, Conflict, InvalidRequest, NotFound
from shopadmin.logic.audit import audit_entry
from shopadmin.logic.cursor import decode_cursor, encode_cursor
from shopadmin.models.commerce import (
    MAX_CREDIT_BALANCE_CENTS,
    MAX_ORDER_LINES,
    MAX_POINTS_BALANCE,
    CartItemSet,
    CartLineRecord,
    LedgerRecord,
    NewsletterRecords,
    NewsletterSubscription,
    NewsletterUpdate,
    OrderCreate,
    OrderRecord,
)
from shopadmin.models.customer import (
    Balance,
    Cart,
    CartItem,
    LedgerEntry,
    NewsletterState,
    Order,
    OrderLine,
    PointsBalance,
    PointsEntry,
)
from shopadmin.models.money import format_cents, to_cents, total_cents
from shopadmin.models.records import AuditRecord

STORE_CREDIT = "store_credit"
REWARD_POINTS = "reward_points"
ORDER_STATUS = "pending"  # a new admin order, as in the reference implementation
CART_ATTEMPTS = 5  # cart, order and newsletter writes: a concurrent change makes them re-read
BALANCE_ATTEMPTS = 30  # adjustments never answer 409: they retry until the guard holds


class CommercePort(Protocol):
    def customer_exists(self, customer_id: str) -> bool: ...
    def cart(self, customer_id: str) -> list[CartLineRecord]: ...
    def cart_line_state(self, customer_id: str, sku: str) -> tuple[bool, CartLineRecord | None]: ...
    def write_cart_line(self, customer_id: str, sku: str, before: CartLineRecord | None,
                        after: CartLineRecord | None, audit: AuditRecord, now_ms: int) -> None: ...
    def orders(self, customer_id: str) -> list[dict[str, Any]]: ...
    def place_order(self, customer_id: str, order: OrderRecord, consumed: list[CartLineRecord],
                    audits: list[AuditRecord]) -> None: ...
    def balance_state(self, customer_id: str, account: str) -> tuple[bool, int | None]: ...
    def adjust_balance(self, customer_id: str, account: str, before: int | None, entry: LedgerRecord,
                       audit: AuditRecord, now_ms: int) -> None: ...
    def newsletter_state(self, customer_id: str,
                         website_id: str) -> tuple[bool, NewsletterSubscription | None]: ...
    def wish_item_state(self, customer_id: str, sku: str) -> tuple[bool, bool]: ...
    def remove_wish_item(self, customer_id: str, sku: str, audit: AuditRecord) -> None: ...
    def newsletter(self, customer_id: str) -> NewsletterRecords: ...
    def set_newsletter(self, customer_id: str, website_id: str, subscribed: bool,
                       before: NewsletterSubscription | None, audit: AuditRecord | None, now_ms: int) -> None: ...


def backoff(attempt: int) -> None:
    """Full jitter, capped: concurrent writers of one item spread out instead of colliding again."""
    time.sleep(random.uniform(0, min(0.05, 0.002 * 2 ** attempt)))


def _missing() -> NotFound:
    return NotFound("No such customer")


# ------------------------------------------------------------------ Manage Shopping Cart
def to_cart(lines: list[CartLineRecord]) -> Cart:
    return Cart(items=[CartItem(sku=line.sku, name=line.name, qty=line.qty, price=line.price)
                       for line in sorted(lines, key=lambda line: line.sku)])


def get_cart(customer_id: str, store: CommercePort) -> Cart:
    if not store.customer_exists(customer_id):
        raise _missing()
    return to_cart(store.cart(customer_id))


def cart_changes(sku: str, before: CartLineRecord | None,
                 after: CartLineRecord | None) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for name in ("qty", "name", "price"):
        old = getattr(before, name) if before else None
        new = getattr(after, name) if after else None
        if old != new:
            changes[f"cart.{sku}.{name}"] = {"before": old, "after": new}
    return changes


def set_cart_item(customer_id: str, sku: str, body: CartItemSet, store: CommercePort, actor: str, now_ms: int,
                  pause: Callable[[int], None] = backoff) -> Cart:
    """Add the line or change it; name and price stay as they were when omitted."""
    given = body.model_fields_set
    _change_cart_line(customer_id, sku, store, actor, now_ms, pause, lambda before: CartLineRecord(
        sku, body.qty,
        body.name if "name" in given or before is None else before.name,
        body.price if "price" in given or before is None else before.price))
    return to_cart(store.cart(customer_id))


def remove_cart_item(customer_id: str, sku: str, store: CommercePort, actor: str, now_ms: int,
                     pause: Callable[[int], None] = backoff) -> None:
    def removed(before: CartLineRecord | None) -> None:
        if before is None:
            raise NotFound("This product is not in the customer's cart")
        return None

    _change_cart_line(customer_id, sku, store, actor, now_ms, pause, removed)


def _change_cart_line(customer_id: str, sku: str, store: CommercePort, actor: str, now_ms: int,
                      pause: Callable[[int], None],
                      decide: Callable[[CartLineRecord | None], CartLineRecord | None]) -> None:
    for attempt in range(CART_ATTEMPTS):
        exists, before = store.cart_line_state(customer_id, sku)
        if not exists:
            raise _missing()
        after = decide(before)
        changes = cart_changes(sku, before, after)
        if not changes:
            return  # already so: nothing to write, nothing to audit
        try:
            store.write_cart_line(customer_id, sku, before, after, audit_entry(actor, "cart.updated", now_ms, changes),
                                  now_ms)
            return
        except ChangeConflict:
            pause(attempt)
    raise Conflict("The cart line kept changing; try again")


# ------------------------------------------------------------------ Wish List
def remove_wishlist_item(customer_id: str, sku: str, store: CommercePort, actor: str, now_ms: int,
                         pause: Callable[[int], None] = backoff) -> None:
    """Remove one product from the wish list, audited `wishlist.updated` (SPEC 7).

    Raises NotFound for a missing customer or a product not in the wish list (also when a
    concurrent removal got there first: the second caller removed nothing).
    """
    for attempt in range(CART_ATTEMPTS):
        exists, listed = store.wish_item_state(customer_id, sku)
        if not exists:
            raise _missing()
        if not listed:
            raise NotFound("This product is not in the customer's wish list")
        changes = {f"wishlist.{sku}": {"before": "listed", "after": None}}
        try:
            store.remove_wish_item(customer_id, sku, audit_entry(actor, "wishlist.updated", now_ms, changes))
            return
        except ChangeConflict:
            pause(attempt)
    raise Conflict("The wish list kept changing; try again")


# ------------------------------------------------------------------ Create Order
def placed_by(subject: str) -> str:
    return f"admin {subject}"


def order_lines_from_body(body: OrderCreate) -> list[CartLineRecord] | None:
    """The lines of an items order (None for from_cart); 422 naming the field for anything off."""
    if body.items is not None and body.from_cart is not None:
        raise InvalidRequest("Send either items or from_cart, not both",
                             [{"field": "body.from_cart", "reason": "not allowed together with items"}])
    if body.items is None:
        if body.from_cart is not True:
            field = "body.from_cart" if body.from_cart is not None else "body.items"
            raise InvalidRequest("Send items, or from_cart: true",
                                 [{"field": field, "reason": "items are required unless from_cart is true"}])
        return None
    lines, seen = [], set()
    for position, item in enumerate(body.items):
        if item.sku in seen:
            raise InvalidRequest("A product is listed twice",
                                 [{"field": f"body.items.{position}.sku", "reason": "listed twice"}])
        seen.add(item.sku)
        if item.price is None:
            raise InvalidRequest("Every line needs a price to compute the total",
                                 [{"field": f"body.items.{position}.price", "reason": "required to compute the total"}])
        lines.append(CartLineRecord(item.sku, item.qty, item.name, item.price))
    return lines


def _cart_lines_to_order(lines: list[CartLineRecord]) -> list[CartLineRecord]:
    if not lines:
        raise InvalidRequest("The cart is empty", [{"field": "body.from_cart", "reason": "the cart is empty"}])
    if len(lines) > MAX_ORDER_LINES:
        raise InvalidRequest(f"The cart has more than {MAX_ORDER_LINES} lines; order them in parts with items",
                             [{"field": "body.from_cart", "reason": f"more than {MAX_ORDER_LINES} cart lines"}])
    unpriced = [line.sku for line in lines if line.price is None]
    if unpriced:
        raise InvalidRequest("Some cart lines have no price; set one with PUT /customers/{id}/cart/items/{sku}",
                             [{"field": f"cart.{sku}.price", "reason": "no price"} for sku in unpriced])
    return sorted(lines, key=lambda line: line.sku)


def _priced(lines: list[CartLineRecord]) -> list[tuple[str, int]]:
    """(price, qty) of order lines: both ways in (items, from_cart) made sure each line has a price."""
    priced = [(line.price, line.qty) for line in lines if line.price is not None]
    if len(priced) != len(lines):
        raise ValueError("an order line has no price")
    return priced


def to_order(order: OrderRecord | dict[str, Any]) -> Order:
    if isinstance(order, dict):
        return Order(**{**order, "created_at": to_iso(order["created_at"])})
    return Order(id=order.order_id, status=order.status, total=order.total, created_at=to_iso(order.created_at),
                 items=[OrderLine(sku=line.sku, qty=line.qty, name=line.name, price=line.price)
                        for line in order.lines],
                 placed_by=order.placed_by)


def create_order(customer_id: str, body: OrderCreate, store: CommercePort, subject: str, now_ms: int,
                 pause: Callable[[int], None] = backoff) -> Order:
    """An order from the given items, or from the saved cart, which it empties in the same transaction."""
    given = order_lines_from_body(body)
    for attempt in range(CART_ATTEMPTS):
        consumed: list[CartLineRecord] = []
        if given is None:
            consumed = store.cart(customer_id)
            if not consumed and not store.customer_exists(customer_id):
                raise _missing()
            lines = _cart_lines_to_order(consumed)
        else:
            lines = given
        order = OrderRecord(order_id=uuid.uuid4().hex, status=ORDER_STATUS,
                            total=format_cents(total_cents(_priced(lines))),
                            created_at=now_ms, lines=tuple(lines), placed_by=placed_by(subject))
        audits = [audit_entry(subject, "order.created", now_ms, {"order": {"before": None, "after": {
            "id": order.order_id, "total": order.total, "lines": len(lines), "from_cart": given is None}}})]
        if consumed:
            changes: dict[str, dict[str, Any]] = {}
            for line in consumed:
                changes.update(cart_changes(line.sku, line, None))
            audits.append(audit_entry(subject, "cart.updated", now_ms, changes))
        try:
            store.place_order(customer_id, order, consumed, audits)
            return to_order(order)
        except ChangeConflict:
            if not store.customer_exists(customer_id):
                raise _missing() from None
            pause(attempt)  # a cart line changed after it was read: order the cart as it is now
    raise Conflict("The cart kept changing while the order was placed; review it and try again",
                   [{"field": "body.from_cart", "reason": "the cart changed"}])


def list_orders(customer_id: str, limit: int, cursor: str | None, store: CommercePort, *, cursor_key: bytes
                ) -> tuple[list[Order], str | None]:
    """Newest first. The customer's orders are one Query (like the profile read), sorted and paged here."""
    query = {"customer_id": customer_id, "list": "orders"}
    position = decode_cursor(cursor, query, cursor_key)
    orders = store.orders(customer_id)
    if not orders and not store.customer_exists(customer_id):
        raise _missing()

    def key(order: dict[str, Any]) -> list[Any]:
        return [order["created_at"], order["id"]]

    ordered = sorted(orders, key=key, reverse=True)
    if position is not None:
        ordered = [o for o in ordered if key(o) < list(position)]
    page = ordered[:limit]
    next_cursor = encode_cursor(query, key(page[-1]), cursor_key) if len(ordered) > limit else None
    return [to_order(o) for o in page], next_cursor


# ------------------------------------------------------------------ store credit and reward points
def _adjust(customer_id: str, account: str, delta: int, reason: str, store: CommercePort, actor: str, now_ms: int,
            pause: Callable[[int], None], field: str, show: Callable[[int], object], ceiling: int) -> LedgerRecord:
    for attempt in range(BALANCE_ATTEMPTS):
        exists, current = store.balance_state(customer_id, account)
        if not exists:
            raise _missing()
        before = current or 0
        after = before + delta
        if after < 0:
            raise InvalidRequest("The balance cannot go below zero",
                                 [{"field": field,
                                   "reason": f"the balance is {show(before)}; it cannot go below zero"}])
        if after > ceiling:
            raise InvalidRequest("The balance would exceed its maximum",
                                 [{"field": field, "reason": f"the balance cannot exceed {show(ceiling)}"}])
        entry = LedgerRecord(entry_id=uuid.uuid4().hex, at=now_ms, delta=delta, balance=after, reason=reason,
                             actor=actor)
        audit = audit_entry(actor, f"{account}.adjusted", now_ms,
                            {account: {"before": show(before), "after": show(after)},
                             "reason": {"before": None, "after": reason}})
        try:
            store.adjust_balance(customer_id, account, current, entry, audit, now_ms)
            return entry
        except ChangeConflict:
            pause(attempt)  # another adjustment (or a delete) got there first: read the new balance
    raise Busy("The balance is changing too often right now; retry")


def to_ledger_entry(entry: LedgerRecord) -> LedgerEntry:
    return LedgerEntry(id=entry.entry_id, at=to_iso(entry.at), amount=format_cents(entry.delta), reason=entry.reason,
                       balance=format_cents(entry.balance), actor=entry.actor)


def to_points_entry(entry: LedgerRecord) -> PointsEntry:
    return PointsEntry(id=entry.entry_id, at=to_iso(entry.at), points=entry.delta, reason=entry.reason,
                       balance=entry.balance, actor=entry.actor)


def adjust_store_credit(customer_id: str, amount: str, reason: str, store: CommercePort, actor: str, now_ms: int,
                        pause: Callable[[int], None] = backoff) -> tuple[str, LedgerEntry]:
    entry = _adjust(customer_id, STORE_CREDIT, to_cents(amount), reason, store, actor, now_ms, pause, "body.amount",
                    format_cents, MAX_CREDIT_BALANCE_CENTS)
    return format_cents(entry.balance), to_ledger_entry(entry)


def adjust_reward_points(customer_id: str, points: int, reason: str, store: CommercePort, actor: str, now_ms: int,
                         pause: Callable[[int], None] = backoff) -> tuple[int, PointsEntry]:
    entry = _adjust(customer_id, REWARD_POINTS, points, reason, store, actor, now_ms, pause, "body.points", int,
                    MAX_POINTS_BALANCE)
    return entry.balance, to_points_entry(entry)


def balances_view(balances: dict[str, int], ledgers: dict[str, list[LedgerRecord]]) -> tuple[Balance, PointsBalance]:
    """The Store Credit and Reward Points tabs: balance and ledger, newest first."""
    def newest_first(account: str) -> list[LedgerRecord]:
        return sorted(ledgers.get(account, []), key=lambda e: (e.at, e.entry_id), reverse=True)

    credit = Balance(balance=format_cents(balances.get(STORE_CREDIT, 0)),
                     ledger=[to_ledger_entry(e) for e in newest_first(STORE_CREDIT)])
    points = PointsBalance(balance=int(balances.get(REWARD_POINTS, 0)),
                           ledger=[to_points_entry(e) for e in newest_first(REWARD_POINTS)])
    return credit, points


# ------------------------------------------------------------------ newsletter
def to_newsletter_state(records: NewsletterRecords) -> NewsletterState:
    return NewsletterState(subscriptions=records.subscriptions, history=records.history)


def set_newsletter(customer_id: str, body: NewsletterUpdate, store: CommercePort, actor: str, now_ms: int,
                   pause: Callable[[int], None] = backoff) -> NewsletterState:
    for attempt in range(CART_ATTEMPTS):
        exists, current = store.newsletter_state(customer_id, body.website_id)
        if not exists:
            raise _missing()
        before = bool(current.subscribed) if current is not None else None
        if current is not None and current.changed_at > now_ms:
            # a storefront decision stamped ahead of this server's clock is the newer one (SPEC 9)
            raise Conflict("A newer subscription decision holds; reload to see it",
                           [{"field": "body.subscribed", "reason": "decided later on the storefront"}])
        # the admin's decision is stamped now even when it repeats the stored one: a storefront
        # decision made before it and arriving later must not undo it
        audit = (audit_entry(actor, "newsletter.updated", now_ms,
                             {f"newsletter.{body.website_id}": {"before": before, "after": body.subscribed}})
                 if before != body.subscribed else None)
        try:
            store.set_newsletter(customer_id, body.website_id, body.subscribed, current, audit, now_ms)
            break
        except ChangeConflict:
            pause(attempt)
    else:
        raise Conflict("The subscription kept changing; try again")
    return to_newsletter_state(store.newsletter(customer_id))
