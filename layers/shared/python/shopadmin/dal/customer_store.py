"""The customers single table: config, websites, profiles, carts, unsaved data, event markers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from shopadmin.dal.dynamo_errors import MAX_TRANSACTION_ITEMS, batch_get, commit_packed, retrying
from shopadmin.dal.keys import (
    CART_PREFIX,
    CONFIG_KEY,
    DELETED_SK,
    DRAFT_SK,
    PROFILE_SK,
    WEBSITES_PK,
    cart_sk,
    customer_pk,
    event_marker_pk,
    guest_pk,
    newsletter_sk,
    order_sk,
    review_sk,
    wish_sk,
)
from shopadmin.dal.tables import (
    CartLine,
    CheckoutDraft,
    CustomersTableItem,
    DeletionItem,
    EventMarker,
    NewsletterItem,
    OnlineConfigItem,
    OrderItem,
    ProfileItem,
    ReviewItem,
    SessionRef,
    WebsiteItem,
    WishItem,
    transaction_connection,
)
from shopadmin.errors import ChangeConflict, CustomerGone
from shopadmin.models.collections import (
    APPLIED,
    DUPLICATE,
    CartLineAdd,
    CartLineRemove,
    CartLineSet,
    CartLineView,
    CartOwner,
    ChangeResult,
    CheckoutDraftSave,
    CollectionChange,
    NewsletterSet,
    Operation,
    OrderPut,
    ReviewPut,
    WishlistAdd,
    WishlistRemove,
)
from shopadmin.models.events import EVENT_ID_RETENTION_MS
from shopadmin.models.online_config import OnlineCustomersConfig
from shopadmin.models.presence import CustomerSnapshot
from shopadmin.models.website import Website
from shopadmin.observability import traced

# An event id is remembered this long (older events are refused at validation); SQS keeps a message 14 days.
MARKER_TTL_SECONDS = EVENT_ID_RETENTION_MS // 1000


def owner_pk(owner: CartOwner) -> str:
    return customer_pk(owner.id) if owner.kind == "customer" else guest_pk(owner.id)


@traced
class CustomerStore:
    # ------------------------------------------------------------ config
    def load_online_config(self) -> OnlineCustomersConfig | None:
        try:
            item = retrying(lambda: OnlineConfigItem.get(*CONFIG_KEY))  # every message of a batch needs it
        except OnlineConfigItem.DoesNotExist:
            return None
        return OnlineCustomersConfig(
            online_minutes_interval=int(item.online_minutes_interval),
            customer_data_lifetime=int(item.customer_data_lifetime),
        )

    def save_online_config(self, config: OnlineCustomersConfig, actor: str, now_ms: int) -> None:
        OnlineConfigItem(
            *CONFIG_KEY,
            online_minutes_interval=config.online_minutes_interval,
            customer_data_lifetime=config.customer_data_lifetime,
            updated_at=now_ms,
            updated_by=actor,
        ).save()

    # ------------------------------------------------------------ websites
    def websites(self) -> list[Website]:
        """Every registered website, by id (one Query on one partition: at most 1,000 small items)."""
        return [_website(item) for item in WebsiteItem.query(WEBSITES_PK, consistent_read=True)]

    def known_websites(self) -> set[str]:
        return {website.website_id for website in self.websites()}

    def website(self, website_id: str) -> Website | None:
        try:
            return _website(WebsiteItem.get(WEBSITES_PK, website_id, consistent_read=True))
        except WebsiteItem.DoesNotExist:
            return None

    def save_website(self, website: Website, actor: str, now_ms: int) -> None:
        """Create or replace (a PUT of the same body twice leaves the same record)."""
        WebsiteItem(WEBSITES_PK, website.website_id, website_id=website.website_id, name=website.name,
                    storefront_url=website.storefront_url, timezone=website.timezone,
                    updated_at=now_ms, updated_by=actor).save()

    # ------------------------------------------------------------ profiles
    def get_profiles(self, customer_ids: list[str]) -> dict[str, CustomerSnapshot]:
        keys = [(customer_pk(c), PROFILE_SK) for c in dict.fromkeys(customer_ids)]
        found = {}
        # consistent: a profile registered moments ago; retried as a whole: a batch of logins shares it
        for item in retrying(lambda: batch_get(ProfileItem, keys, consistent_read=True)):
            found[item.customer_id] = CustomerSnapshot(item.first_name, item.last_name, item.email, item.company,
                                                       version=item.version)
        return found

    def newsletter_changed_at(self, customer_id: str, website_id: str) -> int | None:
        """When the stored subscription decision for this website was made (ms); None when there is none."""
        try:
            item = NewsletterItem.get(customer_pk(customer_id), newsletter_sk(website_id), consistent_read=True)
        except NewsletterItem.DoesNotExist:
            return None
        return int(item.changed_at)

    def customer_website(self, customer_id: str) -> str | None:
        """The website of an existing customer (one consistent GetItem of the profile); None when absent."""
        try:
            return ProfileItem.get(customer_pk(customer_id), PROFILE_SK, consistent_read=True,
                                   attributes_to_get=["pk", "sk", "kind", "website_id"]).website_id
        except ProfileItem.DoesNotExist:
            return None

    def customer_websites(self, customer_ids: list[str]) -> dict[str, str]:
        """The website of each existing customer (absent ids are left out)."""
        keys = [(customer_pk(c), PROFILE_SK) for c in dict.fromkeys(customer_ids)]
        return ({item.customer_id: item.website_id
                 for item in retrying(lambda: batch_get(ProfileItem, keys, consistent_read=True))} if keys else {})

    def deleted_customers(self, customer_ids: list[str]) -> set[str]:
        """The ids among these that were deleted (their tombstone exists): one consistent BatchGetItem."""
        keys = [(customer_pk(c), DELETED_SK) for c in dict.fromkeys(customer_ids)]
        return {item.pk.removeprefix("CUSTOMER#")
                for item in retrying(lambda: batch_get(DeletionItem, keys, consistent_read=True))}

    # ------------------------------------------------------------ carts and unsaved data
    def cart_lines(self, owner: CartOwner) -> list[CartLineView]:
        lines = []
        for item in CartLine.query(owner_pk(owner), CartLine.sk.startswith(CART_PREFIX), consistent_read=True):
            lines.append(CartLineView(item.sku, int(item.qty), item.name, item.price,
                                      int(item.expires_at) if item.expires_at else None))
        return lines

    def apply_change(self, change: CollectionChange) -> bool:
        """Apply every operation and the event marker in one transaction.

        Returns False when the marker exists (the event was applied before: nothing changes).
        Raises ChangeConflict when a guarded line changed meanwhile, CustomerGone when a customer it
        writes under has no profile.
        """
        result = self.apply_changes([change])[0]
        if isinstance(result, Exception):
            raise result
        return result == APPLIED

    def apply_changes(self, changes: list[CollectionChange]) -> list[ChangeResult]:
        """Apply many changes, each all-or-nothing with its marker, in as few transactions as DynamoDB
        allows; one result per change, in order: APPLIED, DUPLICATE (its marker existed: a replay),
        ChangeConflict (a guarded line or decision changed meanwhile), CustomerGone (a customer it
        writes under has no profile), or the error its transaction failed with.

        Changes are packed (`pack_changes`: at most 100 items, no item twice, each customer's
        profile checked once per transaction). When DynamoDB cancels a transaction, each change
        whose own item failed gets its result and the others, which applied nothing, are sent again.
        """
        results: list[ChangeResult | None] = [None] * len(changes)
        pending = [_stage(index, change) for index, change in enumerate(changes)]
        while pending:
            retry: list[_StagedChange] = []
            for chunk in pack_changes(pending):
                retry.extend(_commit_changes(chunk, results))
            pending = retry
        return [result if result is not None else RuntimeError("not applied") for result in results]


def _website(item: WebsiteItem) -> Website:
    return Website(website_id=item.website_id, name=item.name, storefront_url=item.storefront_url,
                   timezone=item.timezone)


def customers_of(change: CollectionChange) -> list[str]:
    """The customers a change writes under or for, each checked once in its transaction."""
    found: list[str] = []
    for operation in change.operations:
        if isinstance(operation, (CartLineAdd, CartLineSet, CartLineRemove)):
            customer_id = operation.owner.id if operation.owner.kind == "customer" else None
        else:
            customer_id = operation.customer_id
        if customer_id is not None and customer_id not in found:
            found.append(customer_id)
    return found


def _add_operation(transaction: TransactWrite, operation: Operation, updated_at: int) -> None:
    if isinstance(operation, (CartLineAdd, CartLineSet)):
        line = CartLine(owner_pk(operation.owner), cart_sk(operation.sku))
        qty_action = (
            CartLine.qty.add(operation.qty) if isinstance(operation, CartLineAdd) else CartLine.qty.set(operation.qty)
        )
        actions: list[Action] = [
            qty_action,
            CartLine.kind.set(CartLine),
            CartLine.sku.set(operation.sku),
            CartLine.updated_at.set(updated_at),
            CartLine.expires_at.set(operation.expires_at) if operation.expires_at else CartLine.expires_at.remove(),
        ]
        if operation.name is not None:
            actions.append(CartLine.name.set(operation.name))
        if operation.price is not None:
            actions.append(CartLine.price.set(operation.price))
        guard = None
        if isinstance(operation, CartLineAdd) and operation.max_qty_before is not None:
            guard = CartLine.qty.does_not_exist() | (CartLine.qty <= operation.max_qty_before)
        transaction.update(line, actions=actions, condition=guard)
    elif isinstance(operation, CartLineRemove):
        line = CartLine(owner_pk(operation.owner), cart_sk(operation.sku))
        condition = None if operation.expected_qty is None else CartLine.qty == operation.expected_qty
        transaction.delete(line, condition=condition)
    elif isinstance(operation, CheckoutDraftSave):
        draft = CheckoutDraft(guest_pk(operation.session_id), DRAFT_SK, data=operation.data_json,
                              updated_at=updated_at, expires_at=operation.expires_at)
        transaction.save(draft)
        if operation.customer_id is not None:  # Delete Customer finds the session's draft through this
            transaction.save(SessionRef(customer_pk(operation.customer_id), f"SESSION#{operation.session_id}",
                                        session_id=operation.session_id, bound_at=updated_at,
                                        expires_at=updated_at // 1000 + 30 * 24 * 3600))
    elif isinstance(operation, OrderPut):
        transaction.save(OrderItem(customer_pk(operation.customer_id), order_sk(operation.order_id),
                                   order_id=operation.order_id, status="placed", total=operation.total,
                                   created_at=operation.created_at, items=operation.items_json,
                                   placed_by=operation.placed_by))
    elif isinstance(operation, WishlistAdd):
        transaction.save(WishItem(customer_pk(operation.customer_id), wish_sk(operation.sku), sku=operation.sku,
                                  added_at=operation.added_at))
    elif isinstance(operation, WishlistRemove):
        transaction.delete(WishItem(customer_pk(operation.customer_id), wish_sk(operation.sku)))
    elif isinstance(operation, ReviewPut):
        transaction.save(ReviewItem(customer_pk(operation.customer_id), review_sk(operation.review_id),
                                    review_id=operation.review_id, sku=operation.sku, rating=operation.rating,
                                    status="pending", created_at=operation.created_at))
    elif isinstance(operation, NewsletterSet):
        # the newest decision by time wins (SPEC 9): an older one cancels the transaction
        newest = NewsletterItem.changed_at.does_not_exist() | (NewsletterItem.changed_at <= operation.changed_at)
        transaction.save(NewsletterItem(customer_pk(operation.customer_id), newsletter_sk(operation.website_id),
                                        website_id=operation.website_id, subscribed=operation.subscribed,
                                        changed_at=operation.changed_at), condition=newest)
    else:  # pragma: no cover - a new operation type must be handled here
        raise TypeError(f"unknown operation {type(operation).__name__}")


# ---------------------------------------------------------------- packed collection changes


@dataclass
class _StagedChange:
    """A change turned into its transaction items (profile checks are added per transaction)."""

    index: int
    change: CollectionChange
    customers: list[str]
    marker_pk: str
    deletes: list[dict[str, Any]]
    puts: list[dict[str, Any]]
    updates: list[dict[str, Any]]

    @property
    def keys(self) -> set[str]:
        return {_item_key(kwargs) for kwargs in (*self.deletes, *self.puts, *self.updates)}

    @property
    def item_count(self) -> int:
        return len(self.deletes) + len(self.puts) + len(self.updates)


def _item_key(kwargs: dict[str, Any]) -> str:
    key = kwargs.get("Key") or {name: value for name, value in kwargs.get("Item", {}).items() if name in ("pk", "sk")}
    return json.dumps([kwargs.get("TableName"), key], sort_keys=True)


def _stage(index: int, change: CollectionChange) -> _StagedChange:
    scratch = TransactWrite(connection=transaction_connection())  # never committed: it only serializes
    marker = EventMarker(event_marker_pk(change.event_id), change.purpose,
                         expires_at=change.updated_at // 1000 + MARKER_TTL_SECONDS)
    scratch.save(marker, condition=EventMarker.pk.does_not_exist(), return_values="ALL_OLD")
    for operation in change.operations:
        _add_operation(scratch, operation, change.updated_at)
    return _StagedChange(index, change, customers_of(change), marker.pk, list(scratch._delete_items),
                         list(scratch._put_items), list(scratch._update_items))


def pack_changes(staged: list[_StagedChange]) -> list[list[_StagedChange]]:
    """Changes grouped into transactions, first fit in the order given: at most 100 items each
    (a customer's profile check counted once) and no item written by two changes of one."""
    chunks: list[tuple[list[_StagedChange], set[str], set[str], int]] = []
    for change in staged:
        keys, customers = change.keys, set(change.customers)
        for index, (members, taken, checked, items) in enumerate(chunks):
            size = items + change.item_count + len(customers - checked)
            if not keys & taken and size <= MAX_TRANSACTION_ITEMS:
                members.append(change)
                chunks[index] = (members, taken | keys, checked | customers, size)
                break
        else:
            chunks.append(([change], keys, customers, change.item_count + len(customers)))
    return [members for members, _, _, _ in chunks]


def _commit_changes(chunk: list[_StagedChange], results: list[ChangeResult | None]) -> list[_StagedChange]:
    """Write one packed chunk; record each change's result; return the changes to send again."""
    customers = list(dict.fromkeys(customer for change in chunk for customer in change.customers))
    purpose = chunk[0].change.purpose if len(chunk) == 1 else "batch"
    owners: list[tuple[_StagedChange, bool]] = []  # per item after the checks: its change, is it the marker

    def fill(transaction: TransactWrite) -> None:
        # nothing is written under (or for) a customer whose profile is gone: deletion is final
        for customer_id in customers:
            transaction.condition_check(ProfileItem, customer_pk(customer_id), PROFILE_SK,
                                        condition=ProfileItem.pk.exists())
        for kind in ("deletes", "puts", "updates"):  # the order PynamoDB sends them in
            for change in chunk:
                items = getattr(change, kind)
                getattr(transaction, f"_{kind[:-1]}_items").extend(items)
                owners.extend((change, kind == "puts" and n == 0) for n in range(len(items)))

    outcome = commit_packed(f"event.{purpose}", fill)
    if outcome is None or isinstance(outcome, Exception):
        for change in chunk:
            results[change.index] = APPLIED if outcome is None else outcome
        return []
    return _settle_cancelled(chunk, customers, owners, outcome, results)


def _settle_cancelled(chunk: list[_StagedChange], customers: list[str], owners: list[tuple[_StagedChange, bool]],
                      failed: list[int], results: list[ChangeResult | None]) -> list[_StagedChange]:
    """Each change whose own item failed gets its result; the rest are sent again.

    An existing marker decides first (a replay: DUPLICATE, whatever else failed with it), then a
    failed profile check (CustomerGone for every change under that customer), then any other
    guarded item (ChangeConflict: the line or decision changed meanwhile).
    """
    by_kind: list[tuple[int, _StagedChange, ChangeResult]] = []
    for position in failed:
        if position < len(customers):
            gone = customers[position]
            by_kind.extend((1, change, CustomerGone(gone)) for change in chunk if gone in change.customers)
        else:
            change, is_marker = owners[position - len(customers)]
            by_kind.append((0, change, DUPLICATE) if is_marker else (2, change, ChangeConflict(change.change.event_id)))
    settled: set[int] = set()
    for _, change, result in sorted(by_kind, key=lambda entry: entry[0]):
        if change.index not in settled:
            results[change.index] = result
            settled.add(change.index)
    return [change for change in chunk if change.index not in settled]


__all__ = ["CustomerStore", "ChangeConflict", "CustomersTableItem", "customer_pk", "guest_pk"]
