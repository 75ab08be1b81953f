"""ingest_batch: apply one SQS batch of storefront events (SPEC 2.1, 2.3, 5).

- invalid events fail alone (their message goes back to the queue, then to the DLQ);
- events of one session are folded and written once (one versioned PutItem per session);
- cart and checkout changes apply once per event id, whatever their age, in one transaction
  with a marker of the event id;
- on login the visitor's unexpired guest cart moves into the customer's saved cart.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from shopadmin.clock import Clock
from shopadmin.errors import ChangeConflict
from shopadmin.logic import customer_events
from shopadmin.logic.customer_events import EventAccountsPort
from shopadmin.logic.online_config import CachedConfig
from shopadmin.logic.presence import apply_event, apply_events, snapshot_from
from shopadmin.models.collections import (
    CartLineAdd,
    CartLineRemove,
    CartLineSet,
    CartLineView,
    CartOwner,
    CheckoutDraftSave,
    CollectionChange,
    NewsletterSet,
    Operation,
    OrderPut,
    ReviewPut,
    WishlistAdd,
    WishlistRemove,
)
from shopadmin.models.events import BINDING_TYPES, IGNORED_TYPES, EventInvalid, StorefrontEvent, parse_event
from shopadmin.models.online_config import OnlineCustomersConfig
from shopadmin.models.presence import CustomerSnapshot, PresenceState
from shopadmin.observability import logger

# An event stamped further ahead than this is refused: it would pin a session online for hours.
MAX_FUTURE_SKEW_MS = 5 * 60_000
PRESENCE_WRITE_ATTEMPTS = 5
CHANGE_ATTEMPTS = 3
# Each moved line costs two transaction items (add + remove) next to the marker: 100 items at most.
MERGE_LINES_PER_TRANSACTION = 49


class PresenceStorePort(Protocol):
    def get(self, session_id: str) -> PresenceState | None: ...
    def get_many(self, session_ids: list[str]) -> dict[str, PresenceState]: ...
    def save(self, state: PresenceState, interval_minutes: int) -> bool: ...


class CustomerStorePort(Protocol):
    def known_websites(self) -> set[str]: ...
    def register_websites(self, website_ids: set[str]) -> None: ...
    def get_profiles(self, customer_ids: list[str]) -> dict[str, CustomerSnapshot]: ...
    def cart_lines(self, owner: CartOwner) -> list[CartLineView]: ...
    def apply_change(self, change: CollectionChange) -> bool: ...


@dataclass
class IncomingMessage:
    message_id: str
    body: str


@dataclass
class BatchOutcome:
    failures: dict[str, str] = field(default_factory=dict)  # message id -> reason (no personal data)
    applied: int = 0
    page_views: int = 0
    invalid: int = 0
    duplicates: int = 0
    presence_writes: int = 0


@dataclass
class IngestContext:
    presence: PresenceStorePort
    customers: CustomerStorePort
    accounts: EventAccountsPort
    config: CachedConfig
    clock: Clock
    known_websites: set[str] | None = None  # per-process cache of registered websites


ChangeBuilder = Callable[[IngestContext], list[CollectionChange]]
"""Builds an event's collection changes; called again on retry, so a merge re-reads the guest cart."""


def unwrap(body: str) -> Any:
    """SQS bodies hold either the event (HTTP intake) or an EventBridge envelope with it in `detail`."""
    try:
        payload = json.loads(body)
    except (TypeError, ValueError):
        raise EventInvalid("body: not valid JSON") from None
    if isinstance(payload, dict) and "detail" in payload and "detail-type" in payload:
        if payload.get("source") != "storefront":
            raise EventInvalid("source: must be storefront")
        detail = payload["detail"]
        if isinstance(detail, dict) and detail.get("type") != payload["detail-type"]:
            raise EventInvalid("detail-type: must equal the event type")
        return detail
    return payload


def validate_event(raw: Any, now_ms: int) -> StorefrontEvent:
    event = parse_event(raw)
    if event.occurred_ms > now_ms + MAX_FUTURE_SKEW_MS:
        raise EventInvalid("occurred_at: more than 5 minutes in the future")
    return event


def ingest_batch(messages: list[IncomingMessage], ctx: IngestContext) -> BatchOutcome:
    outcome = BatchOutcome()
    now = ctx.clock()
    config = ctx.config.get()

    events: list[tuple[str, StorefrontEvent]] = []
    for message in messages:
        try:
            events.append((message.message_id, validate_event(unwrap(message.body), now)))
        except EventInvalid as invalid:
            outcome.failures[message.message_id] = f"invalid event: {invalid.reason}"
            outcome.invalid += 1
    outcome.page_views = sum(1 for _, e in events if e.type in IGNORED_TYPES)
    if not events:
        return outcome

    _register_websites({e.website_id for _, e in events}, ctx)
    profiles = _profiles_for(events, ctx, now, outcome)

    by_session: dict[str, list[tuple[str, StorefrontEvent]]] = defaultdict(list)
    for message_id, event in events:
        if event.type not in IGNORED_TYPES:
            by_session[event.session_id].append((message_id, event))
    read = ctx.presence.get_many(list(by_session)) if by_session else {}

    for session_id, session_events in by_session.items():
        message_ids = [m for m, _ in session_events]
        try:
            wrote = _save_presence(session_id, [e for _, e in session_events], read.get(session_id),
                                   config.online_minutes_interval, profiles, ctx)
            outcome.presence_writes += wrote
        except Exception as error:  # noqa: BLE001 - transient store errors: retry the messages
            logger.error("presence write failed", extra={"error_type": type(error).__name__})
            for message_id in message_ids:
                outcome.failures[message_id] = f"retry: presence write failed ({type(error).__name__})"
            continue
        _apply_collections(session_events, read.get(session_id), config, profiles, ctx, now, outcome)

    outcome.applied = len(events) - sum(1 for m, _ in events if m in outcome.failures)
    return outcome


def _register_websites(websites: set[str], ctx: IngestContext) -> None:
    if ctx.known_websites is None:
        ctx.known_websites = ctx.customers.known_websites()
    new = websites - ctx.known_websites
    if new:
        ctx.customers.register_websites(new)
        ctx.known_websites |= new


def _profiles_for(events: list[tuple[str, StorefrontEvent]], ctx: IngestContext, now: int,
                  outcome: BatchOutcome) -> dict[str, CustomerSnapshot]:
    """Name, email and company to copy into rows: from registrations in the batch, else stored profiles.

    Registrations create the account first (once), so a login anywhere finds it.
    """
    profiles: dict[str, CustomerSnapshot] = {}
    for message_id, event in events:
        if event.type == "customer_registered":
            try:
                customer_events.register(event, ctx.accounts, now)
            except EventInvalid as invalid:
                outcome.failures[message_id] = f"invalid event: {invalid.reason}"
            except Exception as error:  # noqa: BLE001 - transient: the message is retried
                outcome.failures[message_id] = f"retry: registration failed ({type(error).__name__})"
            profiles[event.bound_customer_id] = snapshot_from(event.data)
    wanted = [e.bound_customer_id for _, e in events if e.type in BINDING_TYPES and e.customer_id not in profiles]
    if wanted:
        profiles.update(ctx.customers.get_profiles(wanted))
    return profiles


def _save_presence(session_id: str, events: list[StorefrontEvent], current: PresenceState | None,
                   interval: int, profiles: dict[str, CustomerSnapshot], ctx: IngestContext) -> int:
    """Fold and write once; on a concurrent write, re-read and fold again. Returns writes made."""
    for _ in range(PRESENCE_WRITE_ATTEMPTS):
        updated = apply_events(current, events, interval, profiles)
        if updated is None or updated == current:
            return 0  # nothing newer (replays, or only older presence fields)
        if ctx.presence.save(updated, interval):
            return 1
        current = ctx.presence.get(session_id)
    raise RuntimeError("presence write kept conflicting")


def _apply_collections(session_events: list[tuple[str, StorefrontEvent]], state: PresenceState | None,
                       config: OnlineCustomersConfig, profiles: dict[str, CustomerSnapshot], ctx: IngestContext,
                       now: int, outcome: BatchOutcome) -> None:
    """Account and collection changes, oldest first, each once per event id."""
    ordered = sorted(session_events, key=lambda pair: pair[1].occurred_ms)
    for message_id, event in ordered:
        bound_before = state.customer_id if state else None
        assisted_by = state.assisted_by if state else None
        state = apply_event(state, event, config.online_minutes_interval, profiles)
        try:
            _account_effects(event, bound_before, ctx, now)
            for change_builder in _changes_for(event, bound_before, assisted_by, state, config, now):
                _apply_with_retry(change_builder, ctx, outcome)
        except EventInvalid as invalid:
            outcome.failures[message_id] = f"invalid event: {invalid.reason}"
        except Exception as error:  # noqa: BLE001 - transient: the message is retried
            outcome.failures[message_id] = f"retry: collection change failed ({type(error).__name__})"


def _account_effects(event: StorefrontEvent, bound_before: str | None, ctx: IngestContext, now: int) -> None:
    if event.type in BINDING_TYPES:
        ctx.accounts.touch_activity(event.bound_customer_id, "last_login_at", event.occurred_ms)
    elif event.type == "customer_logged_out" and (logged_out := event.customer_id or bound_before):
        ctx.accounts.touch_activity(logged_out, "last_logout_at", event.occurred_ms)
    elif event.type == "account_updated":
        customer_events.update_account(event, ctx.accounts, now)


def _changes_for(event: StorefrontEvent, bound_before: str | None, assisted_by: str | None,
                 state: PresenceState | None, config: OnlineCustomersConfig,
                 now: int) -> Iterator[ChangeBuilder]:
    """Callables building the event's changes (rebuilt on retry so merges re-read the guest cart)."""
    guest_expiry = now // 1000 + config.customer_data_lifetime * 60
    customer_id = event.customer_id or (state.customer_id if state else None)
    at = event.occurred_ms
    data = event.data
    single: Operation | None = None
    if event.type in ("cart_item_added", "cart_item_updated", "cart_item_removed"):
        owner = CartOwner("customer", customer_id) if customer_id else CartOwner("guest", event.session_id)
        expires = None if owner.kind == "customer" else guest_expiry
        if event.type == "cart_item_added":
            single = CartLineAdd(owner, data["sku"], data["qty"], data.get("name"), data.get("price"), expires)
        elif event.type == "cart_item_updated":
            single = CartLineSet(owner, data["sku"], data["qty"], data.get("name"), data.get("price"), expires)
        else:
            single = CartLineRemove(owner, data["sku"])
    elif event.type == "checkout_draft_saved":
        single = CheckoutDraftSave(event.session_id, json.dumps(data, sort_keys=True), guest_expiry)
    elif event.type == "order_placed" and customer_id:
        total = data.get("total") or "0.00"
        # an order placed in a Login as Customer session: "admin <subject>", as admin-created orders say it
        placed_by = f"admin {assisted_by}" if assisted_by else None
        single = OrderPut(customer_id, data["order_id"], total, at, placed_by=placed_by)
    elif event.type == "wishlist_item_added":
        single = WishlistAdd(event.bound_customer_id, data["sku"], at)
    elif event.type == "wishlist_item_removed":
        single = WishlistRemove(event.bound_customer_id, data["sku"])
    elif event.type == "review_submitted" and customer_id:
        single = ReviewPut(customer_id, data.get("review_id") or event.event_id, data["sku"], data.get("rating"), at)
    elif event.type in ("newsletter_subscribed", "newsletter_unsubscribed"):
        single = NewsletterSet(event.bound_customer_id, event.website_id, event.type == "newsletter_subscribed", at)
    elif (event.type in BINDING_TYPES and state is not None and state.customer_id == event.customer_id
          and bound_before != event.customer_id):
        yield lambda ctx: merge_guest_cart(event, ctx, now)
    if single is not None:
        operation = single
        yield lambda ctx: [CollectionChange(event.event_id, "apply", (operation,), now)]


def merge_guest_cart(event: StorefrontEvent, ctx: IngestContext, now: int) -> list[CollectionChange]:
    """Move the session's unexpired guest lines into the customer's saved cart (quantities add up)."""
    guest = CartOwner("guest", event.session_id)
    customer = CartOwner("customer", event.bound_customer_id)
    lines = [line for line in ctx.customers.cart_lines(guest)
             if line.expires_at is None or line.expires_at > now // 1000]
    changes = []
    for start in range(0, len(lines), MERGE_LINES_PER_TRANSACTION):
        operations: list[Operation] = []
        for line in lines[start:start + MERGE_LINES_PER_TRANSACTION]:
            operations.append(CartLineAdd(customer, line.sku, line.qty, line.name, line.price, None))
            operations.append(CartLineRemove(guest, line.sku, expected_qty=line.qty))
        changes.append(CollectionChange(event.event_id, f"merge-{start // MERGE_LINES_PER_TRANSACTION}",
                                        tuple(operations), now))
    return changes


def _apply_with_retry(build: ChangeBuilder, ctx: IngestContext, outcome: BatchOutcome) -> None:
    for attempt in range(CHANGE_ATTEMPTS):
        try:
            for change in build(ctx):
                if not ctx.customers.apply_change(change):
                    outcome.duplicates += 1
            return
        except ChangeConflict:
            if attempt == CHANGE_ATTEMPTS - 1:
                raise
