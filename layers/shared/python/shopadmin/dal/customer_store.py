"""The customers single table: config, websites, profiles, carts, unsaved data, event markers."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from shopadmin.dal.keys import (
    CART_PREFIX,
    CONFIG_KEY,
    DRAFT_SK,
    PROFILE_SK,
    WEBSITES_KEY,
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
    EventMarker,
    NewsletterItem,
    OnlineConfigItem,
    OrderItem,
    ProfileItem,
    ReviewItem,
    WebsitesItem,
    WishItem,
    failed_conditions,
    transaction_connection,
)
from shopadmin.errors import ChangeConflict
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
from shopadmin.models.online_config import OnlineCustomersConfig
from shopadmin.models.presence import CustomerSnapshot
from shopadmin.observability import traced

# An event id is remembered this long; SQS keeps a message at most 14 days.
MARKER_TTL_SECONDS = 15 * 24 * 3600


def owner_pk(owner: CartOwner) -> str:
    return customer_pk(owner.id) if owner.kind == "customer" else guest_pk(owner.id)


@traced
class CustomerStore:
    # ------------------------------------------------------------ config
    def load_online_config(self) -> OnlineCustomersConfig | None:
        try:
            item = OnlineConfigItem.get(*CONFIG_KEY)
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
    def known_websites(self) -> set[str]:
        try:
            return set(WebsitesItem.get(*WEBSITES_KEY).websites or ())
        except WebsitesItem.DoesNotExist:
            return set()

    def register_websites(self, website_ids: set[str]) -> None:
        """ADD to a string set: idempotent and safe under concurrent writers."""
        WebsitesItem(*WEBSITES_KEY).update(
            actions=[WebsitesItem.websites.add(website_ids), WebsitesItem.kind.set(WebsitesItem)]
        )

    # ------------------------------------------------------------ profiles
    def get_profiles(self, customer_ids: list[str]) -> dict[str, CustomerSnapshot]:
        keys = [(customer_pk(c), PROFILE_SK) for c in dict.fromkeys(customer_ids)]
        found = {}
        for item in ProfileItem.batch_get(keys):
            found[item.customer_id] = CustomerSnapshot(item.first_name, item.last_name, item.email, item.company)
        return found

    # ------------------------------------------------------------ carts and unsaved data
    def cart_lines(self, owner: CartOwner) -> list[CartLineView]:
        lines = []
        for item in CartLine.query(owner_pk(owner), CartLine.sk.startswith(CART_PREFIX)):
            lines.append(CartLineView(item.sku, int(item.qty), item.name, item.price,
                                      int(item.expires_at) if item.expires_at else None))
        return lines

    def apply_change(self, change: CollectionChange) -> bool:
        """Apply every operation and the event marker in one transaction.

        Returns False when the marker exists (the event was applied before: nothing changes).
        Raises ChangeConflict when a guarded line changed meanwhile.
        """
        marker = EventMarker(event_marker_pk(change.event_id), change.purpose,
                             expires_at=change.updated_at // 1000 + MARKER_TTL_SECONDS)
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.save(marker, condition=EventMarker.pk.does_not_exist(), return_values="ALL_OLD")
                for operation in change.operations:
                    _add_operation(transaction, operation, change.updated_at)
        except TransactWriteError as error:
            failed = failed_conditions(error)
            if marker.pk in failed:
                return False  # applied before: a replay changes nothing
            if failed:
                raise ChangeConflict(change.event_id) from None
            raise
        return True


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
        transaction.update(line, actions=actions)
    elif isinstance(operation, CartLineRemove):
        line = CartLine(owner_pk(operation.owner), cart_sk(operation.sku))
        condition = None if operation.expected_qty is None else CartLine.qty == operation.expected_qty
        transaction.delete(line, condition=condition)
    elif isinstance(operation, CheckoutDraftSave):
        draft = CheckoutDraft(guest_pk(operation.session_id), DRAFT_SK, data=operation.data_json,
                              updated_at=updated_at, expires_at=operation.expires_at)
        transaction.save(draft)
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
        transaction.save(NewsletterItem(customer_pk(operation.customer_id), newsletter_sk(operation.website_id),
                                        website_id=operation.website_id, subscribed=operation.subscribed,
                                        changed_at=operation.changed_at))
    else:  # pragma: no cover - a new operation type must be handled here
        raise TypeError(f"unknown operation {type(operation).__name__}")


__all__ = ["CustomerStore", "ChangeConflict", "CustomersTableItem", "customer_pk", "guest_pk"]
