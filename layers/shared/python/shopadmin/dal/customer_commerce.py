"""A customer's cart, orders, balances and newsletter in the customers table (admin writes).

Every write is one TransactWriteItems that also holds a condition check on the customer's
profile (nothing is written for an unknown or deleted customer), the guarded item(s) and the
audit entry. Guards are on the values read just before, so a concurrent change cancels the
whole transaction and the caller re-reads: `ChangeConflict` is raised for any failed condition
or transaction conflict, and the logic tells "the customer is gone" from "it changed" by
reading again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Literal

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from shopadmin.clock import to_iso
from shopadmin.dal.customer_accounts import _audit_item
from shopadmin.dal.dynamo_errors import batch_get, transact_write
from shopadmin.dal.keys import (
    CART_PREFIX,
    ORDER_PREFIX,
    PROFILE_SK,
    WISH_PREFIX,
    balance_sk,
    cart_sk,
    customer_pk,
    ledger_sk,
    newsletter_sent_sk,
    newsletter_sk,
    order_sk,
)
from shopadmin.dal.tables import (
    BalanceItem,
    CartLine,
    CustomersTableItem,
    LedgerItem,
    NewsletterItem,
    OrderItem,
    ProfileItem,
    TabRecord,
    WishItem,
    failed_conditions,
)
from shopadmin.errors import ChangeConflict
from shopadmin.models.commerce import (
    CartLineRecord,
    LedgerRecord,
    NewsletterRecords,
    NewsletterSubscription,
    OrderRecord,
)
from shopadmin.models.records import AuditRecord
from shopadmin.observability import traced

NEWSLETTERS_SENT_TAB = "newsletters_sent"


def _line(item: CartLine) -> CartLineRecord:
    return CartLineRecord(item.sku, int(item.qty), item.name, item.price)


def _line_guard(before: CartLineRecord | None) -> Condition:
    """The stored line is exactly the one read (or still absent)."""
    if before is None:
        return CartLine.sk.does_not_exist()
    guard = CartLine.qty == before.qty
    for attribute, value in ((CartLine.price, before.price), (CartLine.name, before.name)):
        guard &= attribute.does_not_exist() if value is None else attribute == value
    return guard


def _is_conflict(error: TransactWriteError) -> bool:
    if failed_conditions(error):
        return True
    return any(reason is not None and reason.code == "TransactionConflict"
               for reason in getattr(error, "cancellation_reasons", None) or [])


@traced
class CustomerCommerce:
    # ------------------------------------------------------------ reads
    def customer_exists(self, customer_id: str) -> bool:
        try:
            ProfileItem.get(customer_pk(customer_id), PROFILE_SK, consistent_read=True,
                            attributes_to_get=["pk", "sk", "kind"])
        except ProfileItem.DoesNotExist:
            return False
        return True

    def _profile_and(self, customer_id: str, sk: str) -> tuple[bool, CustomersTableItem | None]:
        """One consistent BatchGetItem: does the customer exist, and the item at `sk` (or None)."""
        pk = customer_pk(customer_id)
        exists, found = False, None
        for item in batch_get(CustomersTableItem, [(pk, PROFILE_SK), (pk, sk)], consistent_read=True):
            if item.sk == PROFILE_SK:
                exists = True
            else:
                found = item
        return exists, found

    def cart(self, customer_id: str) -> list[CartLineRecord]:
        rows = CartLine.query(customer_pk(customer_id), CartLine.sk.startswith(CART_PREFIX), consistent_read=True)
        return [_line(item) for item in rows]

    def cart_line_state(self, customer_id: str, sku: str) -> tuple[bool, CartLineRecord | None]:
        exists, item = self._profile_and(customer_id, cart_sk(sku))
        return exists, (_line(item) if isinstance(item, CartLine) else None)

    def orders(self, customer_id: str) -> list[dict[str, Any]]:
        rows = OrderItem.query(customer_pk(customer_id), OrderItem.sk.startswith(ORDER_PREFIX), consistent_read=True)
        return [{"id": item.order_id, "status": item.status, "total": item.total, "created_at": int(item.created_at),
                 "placed_by": item.placed_by, "items": json.loads(item.items) if item.items else []}
                for item in rows]

    def balance_state(self, customer_id: str, account: str) -> tuple[bool, int | None]:
        exists, item = self._profile_and(customer_id, balance_sk(account))
        return exists, (int(item.balance) if isinstance(item, BalanceItem) else None)

    def newsletter_state(self, customer_id: str, website_id: str) -> tuple[bool, NewsletterSubscription | None]:
        exists, item = self._profile_and(customer_id, newsletter_sk(website_id))
        if not isinstance(item, NewsletterItem):
            return exists, None
        return exists, NewsletterSubscription(item.subscribed, int(item.changed_at))

    def wish_item_state(self, customer_id: str, sku: str) -> tuple[bool, bool]:
        """(the customer exists, the product is in its wish list): one consistent BatchGetItem."""
        exists, item = self._profile_and(customer_id, WISH_PREFIX + sku)
        return exists, isinstance(item, WishItem)

    def newsletter(self, customer_id: str) -> NewsletterRecords:
        """Subscriptions per website and the newsletters sent: one Query (both sort keys start with NEWSLETTER)."""
        found = NewsletterRecords()
        for item in CustomersTableItem.query(customer_pk(customer_id), CustomersTableItem.sk.startswith("NEWSLETTER"),
                                             consistent_read=True):
            if isinstance(item, NewsletterItem):
                found.subscriptions[item.website_id] = bool(item.subscribed)
            elif isinstance(item, TabRecord) and item.tab == NEWSLETTERS_SENT_TAB:
                found.history.append(json.loads(item.data))
        return found

    # ------------------------------------------------------------ writes
    def write_cart_line(self, customer_id: str, sku: str, before: CartLineRecord | None,
                        after: CartLineRecord | None, audit: AuditRecord, now_ms: int) -> None:
        """Set (after) or remove (after None) one line of the saved cart, guarded by `before`."""
        pk = customer_pk(customer_id)
        line = CartLine(pk, cart_sk(sku))
        with self._transaction() as transaction:
            transaction.condition_check(ProfileItem, pk, PROFILE_SK, condition=ProfileItem.pk.exists())
            if after is None:
                transaction.delete(line, condition=_line_guard(before))
            else:
                actions: list[Action] = [CartLine.qty.set(after.qty), CartLine.kind.set(CartLine),
                                         CartLine.sku.set(sku), CartLine.updated_at.set(now_ms),
                                         CartLine.expires_at.remove()]  # saved cart: no TTL
                for attribute, value in ((CartLine.name, after.name), (CartLine.price, after.price)):
                    actions.append(attribute.remove() if value is None else attribute.set(value))
                transaction.update(line, actions=actions, condition=_line_guard(before))
            transaction.save(_audit_item(customer_id, audit))

    def remove_wish_item(self, customer_id: str, sku: str, audit: AuditRecord) -> None:
        """Delete the wish-list item with its audit entry; ChangeConflict if it (or the customer) is gone."""
        pk = customer_pk(customer_id)
        with self._transaction() as transaction:
            transaction.condition_check(ProfileItem, pk, PROFILE_SK, condition=ProfileItem.pk.exists())
            transaction.delete(WishItem(pk, WISH_PREFIX + sku), condition=WishItem.sk.exists())
            transaction.save(_audit_item(customer_id, audit))

    def place_order(self, customer_id: str, order: OrderRecord, consumed: Iterable[CartLineRecord],
                    audits: list[AuditRecord]) -> None:
        """The order, the removal of the cart lines it consumed (each guarded) and the audits, all or nothing."""
        pk = customer_pk(customer_id)
        lines = [{"sku": line.sku, "qty": line.qty, "name": line.name, "price": line.price} for line in order.lines]
        with self._transaction() as transaction:
            transaction.condition_check(ProfileItem, pk, PROFILE_SK, condition=ProfileItem.pk.exists())
            transaction.save(OrderItem(pk, order_sk(order.order_id), order_id=order.order_id, status=order.status,
                                       total=order.total, created_at=order.created_at, items=json.dumps(lines),
                                       placed_by=order.placed_by),
                             condition=OrderItem.sk.does_not_exist())
            for line in consumed:
                transaction.delete(CartLine(pk, cart_sk(line.sku)), condition=_line_guard(line))
            for audit in audits:
                transaction.save(_audit_item(customer_id, audit))

    def adjust_balance(self, customer_id: str, account: str, before: int | None, entry: LedgerRecord,
                       audit: AuditRecord, now_ms: int) -> None:
        """ADD the entry's delta to the balance, guarded by the balance read, with its ledger entry and audit.

        The guard makes the ledger's running balance and the audit's before/after exact; the
        condition on the result (never below zero) holds in the table itself whatever the caller computed.
        """
        pk = customer_pk(customer_id)
        guard = BalanceItem.balance.does_not_exist() if before is None else BalanceItem.balance == before
        if entry.delta < 0:
            guard &= BalanceItem.balance >= -entry.delta
        with self._transaction() as transaction:
            transaction.condition_check(ProfileItem, pk, PROFILE_SK, condition=ProfileItem.pk.exists())
            transaction.update(BalanceItem(pk, balance_sk(account)),
                               actions=[BalanceItem.balance.add(entry.delta), BalanceItem.account.set(account),
                                        BalanceItem.kind.set(BalanceItem), BalanceItem.updated_at.set(now_ms)],
                               condition=guard, return_values="ALL_OLD")
            transaction.save(LedgerItem(pk, ledger_sk(account, entry.at, entry.entry_id), account=account,
                                        entry_id=entry.entry_id, at=entry.at, delta=entry.delta, balance=entry.balance,
                                        reason=entry.reason, actor=entry.actor))
            transaction.save(_audit_item(customer_id, audit))

    def set_newsletter(self, customer_id: str, website_id: str, subscribed: bool,
                       before: NewsletterSubscription | None, audit: AuditRecord | None, now_ms: int) -> None:
        pk = customer_pk(customer_id)
        guard = (NewsletterItem.sk.does_not_exist() if before is None
                 else (NewsletterItem.changed_at == before.changed_at)
                 & (NewsletterItem.subscribed == before.subscribed))
        with self._transaction() as transaction:
            transaction.condition_check(ProfileItem, pk, PROFILE_SK, condition=ProfileItem.pk.exists())
            transaction.save(NewsletterItem(pk, newsletter_sk(website_id), website_id=website_id, subscribed=subscribed,
                                            changed_at=now_ms), condition=guard)
            if audit is not None:  # None: the same decision again, only its time moves
                transaction.save(_audit_item(customer_id, audit))

    def record_newsletter_sent(self, customer_id: str, queue_id: str, subject: str, website_id: str,
                               sent_at_ms: int) -> None:
        """A newsletter sent to the customer (what the mailer integration writes; the demo data uses it too)."""
        data = {"id": queue_id, "subject": subject, "website_id": website_id, "status": "sent",
                "sent_at": to_iso(sent_at_ms)}
        pk = customer_pk(customer_id)
        with self._transaction() as transaction:  # nothing under a deleted customer (ChangeConflict then)
            transaction.condition_check(ProfileItem, pk, PROFILE_SK, condition=ProfileItem.pk.exists())
            transaction.save(TabRecord(pk, newsletter_sent_sk(sent_at_ms, queue_id),
                                       tab=NEWSLETTERS_SENT_TAB, data=json.dumps(data, sort_keys=True)))

    # ------------------------------------------------------------ helpers
    def _transaction(self) -> _GuardedTransaction:
        return _GuardedTransaction()


class _GuardedTransaction:
    """TransactWrite whose cancellation by a condition or a concurrent transaction raises ChangeConflict."""

    def __enter__(self) -> TransactWrite:
        self._transaction = transact_write("commerce")
        return self._transaction.__enter__()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        if exc_type is not None:
            return False
        try:
            self._transaction.__exit__(None, None, None)  # type: ignore[no-untyped-call]  # PynamoDB's own is untyped
        except TransactWriteError as error:
            if _is_conflict(error):
                raise ChangeConflict("guarded item changed") from None
            raise
        return False
