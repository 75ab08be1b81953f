"""Customer accounts in the customers table: profile, address book, email claims, audit, the grid.

Every account write is one transaction: the profile guarded by the version it was read at
(PynamoDB VersionAttribute), the email claim swapped when the email or website changes, the
address book changes and the audit entry. Either all of it is saved or none of it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition

from shopadmin.dal.account_activity import touch_alone
from shopadmin.dal.dynamo_errors import batch_get, commit_packed, consecutive_packs, retrying, transact_write
from shopadmin.dal.keys import (
    CLAIM_SK,
    DELETED_SK,
    PROFILE_SK,
    address_page_sk,
    audit_pk,
    audit_sk,
    customer_pk,
    email_claim_pk,
    grid_key_text,
    grid_keys,
    grid_partitions,
)
from shopadmin.dal.presence_store import snapshot_actions
from shopadmin.dal.tables import (
    ActivityItem,
    AddressPage,
    AuditItem,
    BalanceItem,
    CartLine,
    CustomersTableItem,
    DeletionItem,
    EmailClaim,
    LedgerItem,
    NewsletterItem,
    OrderItem,
    PresenceItem,
    ProfileItem,
    ReviewItem,
    TabRecord,
    WishItem,
    failed_checks,
    failed_conditions,
    failed_sessions,
)
from shopadmin.errors import ChangeConflict, CustomerGone, EmailTaken
from shopadmin.models.commerce import LedgerRecord
from shopadmin.models.records import AccountRecord, AccountSave, AuditRecord, CustomerCollection
from shopadmin.observability import traced

GRID_SORT_INDEXES = {"created_at": "grid-by-created", "email": "grid-by-email", "last_name": "grid-by-last-name",
                     "first_name": "grid-by-first-name"}
ACCOUNT_FIELDS = ("email", "prefix", "first_name", "middle_name", "last_name", "suffix", "dob", "gender", "taxvat",
                  "website_id", "group_id", "company", "allow_remote_assistance")
# An account change and the Now Online rows showing it are one transaction; a save retries this
# often when a row moved on meanwhile (a login, a logout), then gives up with ChangeConflict.
MIRROR_ATTEMPTS = 3
# Rows of one customer changed with the account (one transaction holds 100 items): the newest
# live sessions; a customer signed in on more browsers than this at once has the rest changed
# right after, one by one.
MAX_MIRRORED_SESSIONS = 25
# Addresses per AddressPage item: 10 of the largest possible (4-byte characters in every field,
# about 9.5 KB each) stay far below DynamoDB's 400 KB item limit.
ADDRESSES_PER_PAGE = 10


def profile_from_item(item: ProfileItem) -> AccountRecord:
    return AccountRecord(
        customer_id=item.customer_id,
        fields={name: getattr(item, name) for name in ACCOUNT_FIELDS} | {"group_id": int(item.group_id or 1)},
        created_at=int(item.created_at),
        version=item.version,
        default_billing_id=item.default_billing_id,
        default_shipping_id=item.default_shipping_id,
        field_times={name: int(at) for name, at in json.loads(item.field_times or "{}").items()},
    )


def address_pages(addresses: dict[str, dict[str, Any]]) -> list[list[tuple[str, dict[str, Any]]]]:
    """The book cut into pages of ADDRESSES_PER_PAGE, in book order (the layout follows the order alone)."""
    entries = list(addresses.items())
    return [entries[start:start + ADDRESSES_PER_PAGE] for start in range(0, len(entries), ADDRESSES_PER_PAGE)]


@traced
class CustomerAccounts:
    # ------------------------------------------------------------ reads
    def load_collection(self, customer_id: str, consistent: bool = True) -> CustomerCollection | None:
        """Every item of the customer's collection: one Query (PynamoDB pages it past 1 MB)."""
        collection: CustomerCollection | None = None
        others = []
        for item in CustomersTableItem.query(customer_pk(customer_id), consistent_read=consistent):
            if isinstance(item, ProfileItem):
                collection = CustomerCollection(account=profile_from_item(item))
            else:
                others.append(item)
        if collection is None:
            return None
        for item in others:
            _collect(collection, item)
        return collection

    def get_account(self, customer_id: str, consistent: bool = True) -> AccountRecord | None:
        collection = self.load_collection(customer_id, consistent)
        return collection.account if collection else None

    def get_account_profiles(self, customer_ids: list[str]) -> dict[str, AccountRecord]:
        """The accounts' profiles, without their address books (`addresses_read` False): one consistent
        BatchGetItem per 100 customers, for saves that leave the address book alone."""
        keys = [(customer_pk(customer_id), PROFILE_SK) for customer_id in dict.fromkeys(customer_ids)]
        items = retrying(lambda: batch_get(ProfileItem, keys, consistent_read=True))
        return {item.customer_id: replace(profile_from_item(item), addresses_read=False) for item in items}

    def session_ids(self, customer_id: str) -> list[str]:
        return [item.session_id for item in
                PresenceItem.sessions_by_customer.query(customer_id, attributes_to_get=["session_id"])]

    def grid_partitions(self) -> list[str]:
        return grid_partitions()

    def grid_page(self, partition: str, sort_field: str, descending: bool, start_after: str | None, limit: int,
                  website_id: str | None, group_id: int | None, prefix: str | None = None
                  ) -> tuple[list[tuple[str, AccountRecord]], str | None]:
        """One page of one partition of a grid index in its order, or (with `prefix`) the keys starting with it.

        Returns (index key, record) pairs and the key to resume after (None: the partition is done).
        """
        index, attribute = {
            "created_at": (ProfileItem.grid_by_created, ProfileItem.grid_created),
            "email": (ProfileItem.grid_by_email, ProfileItem.grid_email),
            "last_name": (ProfileItem.grid_by_last_name, ProfileItem.grid_last_name),
            "first_name": (ProfileItem.grid_by_first_name, ProfileItem.grid_first_name),
        }[sort_field]
        key_condition: Condition | None
        if prefix is not None:
            key_condition = attribute.startswith(grid_key_text(prefix))
        elif start_after is not None:
            key_condition = attribute < start_after if descending else attribute > start_after
        else:
            key_condition = None
        condition: Condition | None = None
        if website_id is not None:
            condition = ProfileItem.website_id == website_id
        if group_id is not None:
            group = ProfileItem.group_id == group_id
            condition = group if condition is None else condition & group
        rows = index.query(partition, range_key_condition=key_condition, filter_condition=condition,
                           scan_index_forward=not descending, page_size=limit + 1 if condition is None else 100)
        found: list[tuple[str, AccountRecord]] = []
        for item in rows:
            key = getattr(item, attribute.attr_name)
            found.append((key, profile_from_item(item)))
            if len(found) == limit:
                return found, key
        return found, None

    def audit_page(self, customer_id: str, before: str | None, limit: int) -> tuple[list[AuditRecord], str | None]:
        condition = AuditItem.sk < before if before else None
        rows = AuditItem.query(audit_pk(customer_id), range_key_condition=condition, scan_index_forward=False,
                               page_size=limit + 1)
        found = []
        for item in rows:
            found.append(item)
            if len(found) > limit:
                break
        page = found[:limit]
        records = [AuditRecord(i.entry_id, int(i.at), i.actor, i.action, json.loads(i.changes)) for i in page]
        return records, (page[-1].sk if len(found) > limit else None)

    # ------------------------------------------------------------ writes
    def save_account(self, before: AccountRecord | None, after: AccountRecord, audits: list[AuditRecord],
                     now_ms: int) -> int:
        """Write the account in one transaction; returns the new version.

        The Now Online rows still bound to the customer change in the same transaction when the
        fields they show (SNAPSHOT_FIELDS) change: either the account and its rows, or nothing.
        Raises ChangeConflict when the stored version is not `before.version` (or the customer
        already exists, for a create) and EmailTaken when another customer holds the email.
        """
        mirrored = before is not None and AccountSave(before, after, audits).shows_in_now_online
        for _ in range(MIRROR_ATTEMPTS):
            rows = self._bound_rows(after.customer_id, now_ms) if mirrored else []
            try:
                version = self._save_account(before, after, audits, now_ms, rows[:MAX_MIRRORED_SESSIONS])
            except _RowMoved:
                continue  # a session row changed meanwhile (a login, a logout, an event): read the rows again
            for row in rows[MAX_MIRRORED_SESSIONS:]:
                self._mirror_one(row, after.fields)
            return version
        raise ChangeConflict(after.customer_id)

    def save_accounts(self, saves: list[AccountSave], now_ms: int) -> list[int | Exception]:
        """Several customers' account saves (one per customer), packed into few transactions; per
        save, its new version or what refused it (ChangeConflict, EmailTaken, ...), as save_account.

        `AccountSave.session_ids`: the customer's sessions (session_ids) when the save changes what
        Now Online shows; their rows are read in one consistent BatchGetItem for all the saves and
        change in the save's transaction, as in save_account. A pack DynamoDB cancels is saved again
        one account at a time (save_account tells the refusals apart and reads moved rows again).
        """
        shown = {save.after.customer_id: save.session_ids for save in saves if save.shows_in_now_online}
        rows = self._rows_bound(shown, now_ms)
        results: list[int | Exception] = []
        for chunk in consecutive_packs(saves, lambda save: _save_items(save, rows)):
            written: dict[int, ProfileItem] = {}

            def fill(transaction: Any, chunk: list[AccountSave] = chunk,
                     written: dict[int, ProfileItem] = written) -> None:
                for position, save in enumerate(chunk):
                    mine = rows.get(save.after.customer_id, [])[:MAX_MIRRORED_SESSIONS]
                    written[position] = self._stage(transaction, save.before, save.after, save.audits, now_ms, mine)

            if commit_packed("account.save_many", fill) is None:
                for position, save in enumerate(chunk):
                    for row in rows.get(save.after.customer_id, [])[MAX_MIRRORED_SESSIONS:]:
                        self._mirror_one(row, save.after.fields)
                    results.append(int(written[position].version))
                continue
            for save in chunk:
                try:
                    results.append(self.save_account(save.before, save.after, save.audits, now_ms))
                except Exception as error:  # noqa: BLE001 - settled per save by the caller
                    results.append(error)
        return results

    def _save_account(self, before: AccountRecord | None, after: AccountRecord, audits: list[AuditRecord],
                      now_ms: int, rows: list[PresenceItem]) -> int:
        claims_change = before is None or _claim_key(before) != _claim_key(after)
        try:
            with transact_write("account.save") as transaction:
                profile = self._stage(transaction, before, after, audits, now_ms, rows)
        except TransactWriteError as error:
            failed = failed_conditions(error)
            pk = customer_pk(after.customer_id)
            if claims_change and _claim_key(after) in failed and pk not in failed:
                raise EmailTaken(after.fields["email"]) from None
            if pk not in failed and failed_sessions(error):
                raise _RowMoved() from None
            if failed:
                raise ChangeConflict(after.customer_id) from None
            raise
        return int(profile.version)

    def create_accounts(self, creations: list[tuple[AccountRecord, list[AuditRecord]]], now_ms: int) -> list[str]:
        """Create new accounts, packed into few transactions (≤ 100 items each); returns the ids not created.

        A pack is all-or-nothing: when DynamoDB cancels it (an account that exists, an email taken,
        a deleted customer, two accounts claiming one email) none of its accounts is created and
        their ids come back, for the one-at-a-time path that tells those cases apart (save_account).
        """
        left: list[str] = []
        for chunk in consecutive_packs(creations, _creation_items):
            def fill(transaction: Any, chunk: list[tuple[AccountRecord, list[AuditRecord]]] = chunk) -> None:
                for record, audits in chunk:
                    self._stage(transaction, None, record, audits, now_ms, [])

            if commit_packed("account.create_many", fill) is not None:
                left += [record.customer_id for record, _ in chunk]
        return left

    def _stage(self, transaction: Any, before: AccountRecord | None, after: AccountRecord, audits: list[AuditRecord],
               now_ms: int, rows: list[PresenceItem]) -> ProfileItem:
        """Add one account save's items to `transaction` (see save_account); returns the profile item written."""
        profile = self._profile_item(after, now_ms)
        if before is None:
            transaction.save(profile, condition=ProfileItem.pk.does_not_exist(), return_values="ALL_OLD")
            # a deleted customer stays deleted: a late customer_registered replay cannot recreate it
            transaction.condition_check(DeletionItem, profile.pk, DELETED_SK,
                                        condition=DeletionItem.pk.does_not_exist())
        else:
            # VersionAttribute adds "version = :read": a stale save is cancelled whole
            profile.version = before.version
            transaction.save(profile, return_values="ALL_OLD")
        if before is None or _claim_key(before) != _claim_key(after):
            claim = EmailClaim(_claim_key(after), CLAIM_SK, customer_id=after.customer_id)
            transaction.save(claim, condition=EmailClaim.pk.does_not_exist(), return_values="ALL_OLD")
            if before is not None:
                transaction.delete(EmailClaim(_claim_key(before), CLAIM_SK),
                                   condition=EmailClaim.customer_id == before.customer_id)
        # the book in pages: replacing all 50 addresses is 5 puts, not 50 deletes and 50 puts;
        # a record read without its book (get_account_profiles) leaves the stored pages alone
        old_pages = address_pages(before.addresses if before else {})
        new_pages = address_pages(after.addresses) if after.addresses_read else old_pages
        for page, entries in enumerate(new_pages):
            if page >= len(old_pages) or old_pages[page] != entries:
                transaction.save(AddressPage(customer_pk(after.customer_id), address_page_sk(page), page=page,
                                             addresses=json.dumps(dict(entries), ensure_ascii=False)))
        for page in range(len(new_pages), len(old_pages)):
            transaction.delete(AddressPage(customer_pk(after.customer_id), address_page_sk(page)))
        for audit in audits:
            transaction.save(_audit_item(after.customer_id, audit))
        for row in rows:
            # guarded by the version read: a row that moved on cancels the whole save (read again)
            transaction.update(row, actions=snapshot_actions(after.fields, row), return_values="ALL_OLD")
        return profile

    def _bound_rows(self, customer_id: str, now_ms: int) -> list[PresenceItem]:
        """The live rows bound to the customer, newest first, read consistently (their versions guard the save).

        The sessions-by-customer index is eventually consistent: it finds the sessions, the rows
        themselves are read again to keep only those bound to the customer now. Rows past their
        expiry (TTL not yet applied) show nowhere and are left alone.
        """
        return self._rows_bound({customer_id: self.session_ids(customer_id)}, now_ms).get(customer_id, [])

    def _rows_bound(self, sessions: dict[str, list[str]], now_ms: int) -> dict[str, list[PresenceItem]]:
        """Per customer, those of the given sessions' rows still bound to it and live, newest first
        (one consistent BatchGetItem per 100 rows, whoever they belong to)."""
        session_ids = [session_id for ids in sessions.values() for session_id in ids]
        if not session_ids:
            return {}
        found = retrying(lambda: batch_get(PresenceItem, session_ids, consistent_read=True))
        rows: dict[str, list[PresenceItem]] = {}
        for item in found:
            if item.customer_id in sessions and int(item.expires_at or 0) * 1000 >= now_ms:
                rows.setdefault(item.customer_id, []).append(item)
        return {customer_id: sorted(bound, key=lambda item: (-int(item.last_activity), item.session_id))
                for customer_id, bound in rows.items()}

    def _mirror_one(self, row: PresenceItem, values: dict[str, Any]) -> None:
        """A row beyond MAX_MIRRORED_SESSIONS, changed on its own; one that moved on is left to its new state."""
        try:
            row.update(actions=snapshot_actions(values, row),
                       condition=PresenceItem.customer_id == row.customer_id, add_version_condition=False)
        except Exception as error:  # noqa: BLE001 - only "the row moved on" is expected here
            if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise

    def append_audit(self, customer_id: str, audit: AuditRecord) -> None:
        append_audit_if_customer(customer_id, audit)

    def touch_activity(self, customer_id: str, field_name: str, at_ms: int) -> bool:
        """last_login_at / last_logout_at only move forward (late events leave them alone)."""
        return touch_alone(customer_id, field_name, at_ms)

    # ------------------------------------------------------------ helpers
    def _profile_item(self, record: AccountRecord, now_ms: int) -> ProfileItem:
        values = dict(record.fields)
        return ProfileItem(
            customer_pk(record.customer_id), PROFILE_SK, customer_id=record.customer_id,
            created_at=record.created_at, updated_at=now_ms,
            field_times=json.dumps(record.field_times, sort_keys=True) if record.field_times else None,
            default_billing_id=record.default_billing_id, default_shipping_id=record.default_shipping_id,
            **{k: v for k, v in values.items() if v is not None},
            **grid_keys(record.customer_id, record.created_at, values.get("email"), values.get("first_name"),
                        values.get("last_name")),
        )


def _collect(collection: CustomerCollection, item: CustomersTableItem) -> None:
    if isinstance(item, AddressPage):  # pages come in sort-key order: the book keeps its order
        collection.account.addresses.update(json.loads(item.addresses))
    elif isinstance(item, ActivityItem):
        collection.last_login_at = _int(item.last_login_at)
        collection.last_logout_at = _int(item.last_logout_at)
    elif isinstance(item, OrderItem):
        collection.orders.append({"id": item.order_id, "status": item.status, "total": item.total,
                                  "created_at": int(item.created_at), "placed_by": item.placed_by,
                                  "items": json.loads(item.items) if item.items else []})
    elif isinstance(item, CartLine):
        collection.cart.append({"sku": item.sku, "qty": int(item.qty), "name": item.name, "price": item.price})
    elif isinstance(item, WishItem):
        collection.wishlist.append({"sku": item.sku, "added_at": int(item.added_at)})
    elif isinstance(item, ReviewItem):
        collection.reviews.append({"id": item.review_id, "sku": item.sku, "rating": _int(item.rating),
                                   "status": item.status, "created_at": int(item.created_at)})
    elif isinstance(item, NewsletterItem):
        collection.newsletter[item.website_id] = bool(item.subscribed)
    elif isinstance(item, TabRecord):
        collection.tabs.setdefault(item.tab, []).append(json.loads(item.data))
    elif isinstance(item, BalanceItem):
        collection.balances[item.account] = int(item.balance)
    elif isinstance(item, LedgerItem):
        collection.ledgers.setdefault(item.account, []).append(LedgerRecord(
            item.entry_id, int(item.at), int(item.delta), int(item.balance), item.reason, item.actor))


class _RowMoved(Exception):
    """A Now Online row changed between its read and the account's transaction."""


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)




def _creation_items(creation: tuple[AccountRecord, list[AuditRecord]]) -> int:
    """A creation's transaction items: profile, deletion check, claim, pages, audits."""
    record, audits = creation
    return 3 + len(address_pages(record.addresses)) + len(audits)


def _save_items(save: AccountSave, rows: dict[str, list[PresenceItem]]) -> int:
    """A save's transaction items: profile, claim swap, pages, audits, mirrored rows."""
    claim_items = 2 if _claim_key(save.before) != _claim_key(save.after) else 0
    page_items = (max(len(address_pages(save.before.addresses)), len(address_pages(save.after.addresses)))
                  if save.after.addresses_read else 0)
    return (1 + claim_items + page_items + len(save.audits)
            + len(rows.get(save.after.customer_id, [])[:MAX_MIRRORED_SESSIONS]))


def _claim_key(record: AccountRecord) -> str:
    return email_claim_pk(record.fields["website_id"], record.fields["email"])


def append_audit_if_customer(customer_id: str, audit: AuditRecord) -> None:
    """An audit entry, written only while the customer's profile exists (CustomerGone otherwise)."""
    try:
        with transact_write("audit.append") as transaction:
            transaction.condition_check(ProfileItem, customer_pk(customer_id), PROFILE_SK,
                                        condition=ProfileItem.pk.exists())
            transaction.save(_audit_item(customer_id, audit))
    except TransactWriteError as error:
        if failed_checks(error, 1):
            raise CustomerGone(customer_id) from None
        raise


# A DynamoDB item holds at most 400 KB; a save of 50 addresses in a non-Latin script is more than
# that as before/after JSON. Beyond this budget the largest fields keep only their size.
AUDIT_CHANGES_MAX_BYTES = 128 * 1024


def _audit_changes_json(changes: dict[str, Any]) -> str:
    text = json.dumps(changes, default=str, sort_keys=True, ensure_ascii=False)
    if len(text.encode("utf-8")) <= AUDIT_CHANGES_MAX_BYTES:
        return text
    bounded = dict(changes)
    sizes = {name: len(json.dumps(value, default=str, ensure_ascii=False).encode("utf-8"))
             for name, value in changes.items()}
    for name in sorted(sizes, key=sizes.__getitem__, reverse=True):
        bounded[name] = {"omitted": "too large for one audit entry", "bytes": sizes[name]}
        text = json.dumps(bounded, default=str, sort_keys=True, ensure_ascii=False)
        if len(text.encode("utf-8")) <= AUDIT_CHANGES_MAX_BYTES:
            break
    return text


def _audit_item(customer_id: str, audit: AuditRecord) -> AuditItem:
    return AuditItem(audit_pk(customer_id), audit_sk(audit.at, audit.entry_id), entry_id=audit.entry_id,
                     at=audit.at, actor=audit.actor, action=audit.action,
                     changes=_audit_changes_json(audit.changes))
