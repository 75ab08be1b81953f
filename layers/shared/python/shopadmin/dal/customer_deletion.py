"""Delete Customer in the customers table: a small first transaction, then bounded pages.

1. `start`: one transaction deletes the profile and the email claim, puts the tombstone
   (`CUSTOMER#<id>` / `DELETED`, no personal data, kept for good) and the `customer.deleted` audit entry. From
   here the customer is gone for every read (profile, grid, email uniqueness).
2. `clean_partition_page`: one Query page of the customer's partition, then BatchWriteItem in
   chunks of 25: orders move to `DELETED#<id>` with their non-personal fields only, credential
   references take their secret along, idempotency references their Powertools record, everything
   else is deleted; the tombstone stays.
3. `redact_audit_page`: one Query page of the audit partition, entries rewritten without values.
Each page returns the sk to resume after, which the logic stores on the tombstone, so a later
invocation continues where an earlier one stopped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.update import Action

from shopadmin.dal.customer_accounts import _audit_item
from shopadmin.dal.dynamo_errors import batch_writer, transact_write
from shopadmin.dal.keys import (
    CLAIM_SK,
    DELETED_SK,
    PROFILE_SK,
    audit_pk,
    customer_pk,
    deleted_orders_pk,
    email_claim_pk,
    guest_pk,
)
from shopadmin.dal.tables import (
    AuditItem,
    CredentialRef,
    CustomersTableItem,
    DeletionItem,
    EmailClaim,
    IdempotencyRecord,
    IdempotencyRef,
    OrderItem,
    ProfileItem,
    SessionRef,
    failed_conditions,
)
from shopadmin.errors import ChangeConflict
from shopadmin.models.credentials import DeletionJob
from shopadmin.models.records import AuditRecord
from shopadmin.observability import traced

# The tombstone has no TTL: it holds no personal data, and it keeps the id deleted for good (events
# and registrations naming it are dropped, whenever they come).


def _key(pk: str, sk: str) -> CustomersTableItem:
    """An item to delete by key (a batch delete sends the keys only, whatever the item's kind)."""
    return CustomersTableItem(pk, sk)


def _job(item: DeletionItem, customer_id: str) -> DeletionJob:
    return DeletionJob(customer_id=customer_id, deleted_at=int(item.deleted_at), deleted_by=item.deleted_by,
                       phase=item.phase, cursor=item.cursor)


@traced
class CustomerDeletionStore:
    # ------------------------------------------------------------ reads
    def job(self, customer_id: str) -> DeletionJob | None:
        try:
            return _job(DeletionItem.get(customer_pk(customer_id), DELETED_SK, consistent_read=True), customer_id)
        except DoesNotExist:
            return None

    def claim_of(self, customer_id: str) -> str | None | Literal[False]:
        """The pk of the customer's email claim; False when there is no profile."""
        try:
            item = ProfileItem.get(customer_pk(customer_id), PROFILE_SK, consistent_read=True,
                                   attributes_to_get=["website_id", "email"])
        except DoesNotExist:
            return False
        return email_claim_pk(item.website_id, item.email) if item.website_id and item.email else None

    # ------------------------------------------------------------ step 1
    def start(self, customer_id: str, claim_pk: str | None, actor: str, audit: AuditRecord, now_ms: int) -> DeletionJob:
        """Profile and email claim out, tombstone and audit entry in: all or nothing.

        Raises ChangeConflict when the profile is already gone (a concurrent delete won).
        """
        tombstone = DeletionItem(customer_pk(customer_id), DELETED_SK, deleted_at=now_ms, deleted_by=actor,
                                 phase="partition")
        try:
            with transact_write("customer.delete") as transaction:
                transaction.delete(ProfileItem(customer_pk(customer_id), PROFILE_SK),
                                   condition=ProfileItem.pk.exists(), add_version_condition=False)
                if claim_pk:
                    # only this customer's claim (another customer may hold the email by now)
                    transaction.delete(EmailClaim(claim_pk, CLAIM_SK),
                                       condition=EmailClaim.pk.does_not_exist()
                                       | (EmailClaim.customer_id == customer_id))
                transaction.save(tombstone, condition=DeletionItem.pk.does_not_exist())
                transaction.save(_audit_item(customer_id, audit))
        except TransactWriteError as error:
            if failed_conditions(error):
                raise ChangeConflict(customer_id) from None
            raise
        return _job(tombstone, customer_id)

    # ------------------------------------------------------------ step 2 and 3: pages
    def clean_partition_page(self, customer_id: str, after_sk: str | None, limit: int) -> str | None:
        """Clean up to `limit` items after `after_sk`; returns the sk to resume after, None when done."""
        pk = customer_pk(customer_id)
        condition = CustomersTableItem.sk > after_sk if after_sk else None
        items = list(CustomersTableItem.query(pk, range_key_condition=condition, limit=limit, consistent_read=True))
        with batch_writer(CustomersTableItem) as batch:
            for item in items:
                if isinstance(item, DeletionItem):
                    continue
                if isinstance(item, OrderItem):
                    # moved out of the account, as a fresh item with the kept fields only: anything
                    # else an order held is dropped, and no route under /customers/{id} serves it
                    batch.save(OrderItem(deleted_orders_pk(customer_id), item.sk, order_id=item.order_id,
                                         status=item.status, total=item.total, created_at=item.created_at,
                                         items=item.items, placed_by=item.placed_by))
                if isinstance(item, CredentialRef):
                    batch.delete(_key(item.ref_pk, item.ref_sk))  # the secret it points at
                if isinstance(item, IdempotencyRef):
                    IdempotencyRecord(item.record_id).delete()  # the stored request and response
                batch.delete(_key(item.pk, item.sk))
        return items[-1].sk if len(items) == limit else None

    def redact_audit_page(self, customer_id: str, after_sk: str | None, limit: int,
                          redact: Callable[[dict[str, Any]], dict[str, Any]]) -> str | None:
        condition = AuditItem.sk > after_sk if after_sk else None
        items = list(AuditItem.query(audit_pk(customer_id), range_key_condition=condition, limit=limit,
                                     consistent_read=True))
        with batch_writer(CustomersTableItem) as batch:
            for item in items:
                changes = json.loads(item.changes or "{}")
                redacted = redact(changes)
                if redacted != changes:
                    item.changes = json.dumps(redacted, sort_keys=True)
                    batch.save(item)
        return items[-1].sk if len(items) == limit else None

    def session_refs(self, customer_id: str) -> list[str]:
        """Sessions the customer was bound to (SESSION# references, read consistently: a binding that
        committed before the delete is found here even while the sessions index lags)."""
        refs = SessionRef.query(customer_pk(customer_id), SessionRef.sk.startswith("SESSION#"), consistent_read=True)
        return [item.session_id for item in refs]

    def delete_guest_data(self, session_id: str) -> int:
        """A session's unsaved data (guest cart, checkout draft): it may hold what the customer typed."""
        items = list(CustomersTableItem.query(guest_pk(session_id), consistent_read=True))
        with batch_writer(CustomersTableItem) as batch:
            for item in items:
                batch.delete(_key(item.pk, item.sk))
        return len(items)

    # ------------------------------------------------------------ progress
    def save_progress(self, customer_id: str, phase: str, cursor: str | None) -> None:
        actions: list[Action] = [DeletionItem.phase.set(phase),
                   DeletionItem.cursor.set(cursor) if cursor else DeletionItem.cursor.remove()]
        DeletionItem(customer_pk(customer_id), DELETED_SK).update(actions=actions, condition=DeletionItem.pk.exists())

    def finish(self, customer_id: str, now_ms: int) -> None:
        DeletionItem(customer_pk(customer_id), DELETED_SK).update(
            actions=[DeletionItem.phase.set("done"), DeletionItem.cursor.remove()],
            condition=DeletionItem.pk.exists())
