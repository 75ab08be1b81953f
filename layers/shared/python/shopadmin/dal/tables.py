"""PynamoDB models of the two tables declared in template.yaml.

Table names come from Settings at first use (`bind_tables`), so importing this module never
needs the environment; tests and the local stack set the same variables Lambda gets.
"""

from __future__ import annotations

import os
import threading

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from shopadmin.settings import Settings

ONLINE_INDEX = "online-by-activity"
SESSIONS_BY_CUSTOMER_INDEX = "sessions-by-customer"
ONLINE_BY_LAST_NAME_INDEX = "online-by-last-name"
ONLINE_BY_EMAIL_INDEX = "online-by-email"


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class OnlineByActivity(GlobalSecondaryIndex["PresenceItem"]):
    """Sparse, write-sharded: only visible sessions carry online_pk = "<website>#<shard>"."""

    class Meta:
        index_name = ONLINE_INDEX
        projection = AllProjection()

    online_pk = UnicodeAttribute(hash_key=True)
    online_sk = UnicodeAttribute(range_key=True)  # "<last_activity ms, 13 digits>#<session_id>"


class OnlineByLastName(GlobalSecondaryIndex["PresenceItem"]):
    """The online rows by last name (sort `last_name`): keys only, so an event moving the last
    activity writes nothing here; the entry changes with the name, the type, or leaving the index."""

    class Meta:
        index_name = ONLINE_BY_LAST_NAME_INDEX
        projection = KeysOnlyProjection()

    online_pk = UnicodeAttribute(hash_key=True)
    online_last_name = UnicodeAttribute(range_key=True)  # models/online_index.py::field_sort_key


class OnlineByEmail(GlobalSecondaryIndex["PresenceItem"]):
    """The online rows by email (sort `email`), keys only like OnlineByLastName."""

    class Meta:
        index_name = ONLINE_BY_EMAIL_INDEX
        projection = KeysOnlyProjection()

    online_pk = UnicodeAttribute(hash_key=True)
    online_email = UnicodeAttribute(range_key=True)


# The search indexes (models/online_index.py::search_partitions): a customer's visible row by first
# character of its names and email, in activity order. The searched fields are projected, so a read
# filters its bucket by the whole prefix; the page's rows are read afterwards.
SEARCH_PROJECTION = ["search_first_name", "search_last_name", "search_email"]


class OnlineSearch1(GlobalSecondaryIndex["PresenceItem"]):
    class Meta:
        index_name = "online-search-1"
        projection = IncludeProjection(SEARCH_PROJECTION)

    search_pk_1 = UnicodeAttribute(hash_key=True)
    online_sk = UnicodeAttribute(range_key=True)


class OnlineSearch2(GlobalSecondaryIndex["PresenceItem"]):
    class Meta:
        index_name = "online-search-2"
        projection = IncludeProjection(SEARCH_PROJECTION)

    search_pk_2 = UnicodeAttribute(hash_key=True)
    online_sk = UnicodeAttribute(range_key=True)


class OnlineSearch3(GlobalSecondaryIndex["PresenceItem"]):
    class Meta:
        index_name = "online-search-3"
        projection = IncludeProjection(SEARCH_PROJECTION)

    search_pk_3 = UnicodeAttribute(hash_key=True)
    online_sk = UnicodeAttribute(range_key=True)


class SessionsByCustomer(GlobalSecondaryIndex["PresenceItem"]):
    """Keys only, keyed by the bound customer: written at login/logout only, not on every event."""

    class Meta:
        index_name = SESSIONS_BY_CUSTOMER_INDEX
        projection = KeysOnlyProjection()

    customer_id = UnicodeAttribute(hash_key=True)


class PresenceItem(Model):
    class Meta:
        table_name = "PresenceTable"
        region = _region()

    session_id = UnicodeAttribute(hash_key=True)
    website_id = UnicodeAttribute()
    last_activity = NumberAttribute()
    session_start = NumberAttribute()
    last_url = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    # lower-cased copies for the case-insensitive prefix search `q`
    search_first_name = UnicodeAttribute(null=True)
    search_last_name = UnicodeAttribute(null=True)
    search_email = UnicodeAttribute(null=True)
    bound_at = NumberAttribute(default=0)
    signed_out = BooleanAttribute(default=False)
    profile_at = NumberAttribute(default=0)
    assisted_by = UnicodeAttribute(null=True)
    # activity runs (SPEC 10): JSON [[start, end, [[at, customer_id, assisted_by], ...]], ...], oldest first
    runs = UnicodeAttribute(null=True)
    signed_out_at = NumberAttribute(default=0)
    online_pk = UnicodeAttribute(null=True)
    online_sk = UnicodeAttribute(null=True)
    online_last_name = UnicodeAttribute(null=True)  # indexed only while online_pk is set
    online_email = UnicodeAttribute(null=True)
    # buckets of the search indexes (set while online_pk is; models/online_index.py::search_partitions)
    search_pk_1 = UnicodeAttribute(null=True)
    search_pk_2 = UnicodeAttribute(null=True)
    search_pk_3 = UnicodeAttribute(null=True)
    # epoch s (logic/presence.py::note_guest_cart); absent on rows written before it was kept: not known
    guest_cart_until = NumberAttribute(null=True)
    # TTL (epoch seconds): housekeeping only, never trusted for correctness; at least guest_cart_until,
    # so a row is never removed while the session may hold a guest line (reads rely only on that)
    expires_at = NumberAttribute(null=True)
    version = VersionAttribute()

    online_by_activity = OnlineByActivity()
    online_by_last_name = OnlineByLastName()
    online_by_email = OnlineByEmail()
    online_search_1 = OnlineSearch1()
    online_search_2 = OnlineSearch2()
    online_search_3 = OnlineSearch3()
    sessions_by_customer = SessionsByCustomer()


class CustomersTableItem(Model):
    """Base of every item in the single-table customers collection (pk/sk + kind)."""

    class Meta:
        table_name = "CustomersTable"
        region = _region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    expires_at = NumberAttribute(null=True)  # TTL, epoch seconds


class OnlineConfigItem(CustomersTableItem, discriminator="online_config"):
    online_minutes_interval = NumberAttribute()
    customer_data_lifetime = NumberAttribute()
    updated_at = NumberAttribute()
    updated_by = UnicodeAttribute()


class WebsiteItem(CustomersTableItem, discriminator="website"):
    """pk WEBSITES, sk <website_id>: one registered website (PUT /websites/{id}).

    One partition for all of them (at most 1,000): a Query lists them (the online list reads each
    website's shards), a GetItem checks one. Only admins register websites; events never do.
    """

    website_id = UnicodeAttribute()
    name = UnicodeAttribute()
    storefront_url = UnicodeAttribute()
    timezone = UnicodeAttribute()
    updated_at = NumberAttribute()
    updated_by = UnicodeAttribute()


class GridByCreated(GlobalSecondaryIndex["ProfileItem"]):
    class Meta:
        index_name = "grid-by-created"
        projection = AllProjection()

    grid_pk = UnicodeAttribute(hash_key=True)
    grid_created = UnicodeAttribute(range_key=True)


class GridByEmail(GlobalSecondaryIndex["ProfileItem"]):
    class Meta:
        index_name = "grid-by-email"
        projection = AllProjection()

    grid_pk = UnicodeAttribute(hash_key=True)
    grid_email = UnicodeAttribute(range_key=True)


class GridByLastName(GlobalSecondaryIndex["ProfileItem"]):
    class Meta:
        index_name = "grid-by-last-name"
        projection = AllProjection()

    grid_pk = UnicodeAttribute(hash_key=True)
    grid_last_name = UnicodeAttribute(range_key=True)


class GridByFirstName(GlobalSecondaryIndex["ProfileItem"]):
    class Meta:
        index_name = "grid-by-first-name"
        projection = AllProjection()

    grid_pk = UnicodeAttribute(hash_key=True)
    grid_first_name = UnicodeAttribute(range_key=True)


class ProfileItem(CustomersTableItem, discriminator="profile"):
    """The Account Information of one customer (pk CUSTOMER#<id>, sk PROFILE)."""

    customer_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    prefix = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    middle_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    suffix = UnicodeAttribute(null=True)
    dob = UnicodeAttribute(null=True)
    gender = UnicodeAttribute(null=True)
    taxvat = UnicodeAttribute(null=True)
    website_id = UnicodeAttribute(null=True)
    group_id = NumberAttribute(default=1)
    company = UnicodeAttribute(null=True)
    allow_remote_assistance = BooleanAttribute(default=False)
    default_billing_id = UnicodeAttribute(null=True)
    default_shipping_id = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    updated_at = NumberAttribute(null=True)
    field_times = UnicodeAttribute(null=True)  # JSON {field: ms}: when each field's value was set (SPEC 9)
    # grid index keys: "<lower-cased value>#<id>" so every key is unique and prefix-searchable
    grid_pk = UnicodeAttribute(null=True)
    grid_created = UnicodeAttribute(null=True)
    grid_email = UnicodeAttribute(null=True)
    grid_last_name = UnicodeAttribute(null=True)
    grid_first_name = UnicodeAttribute(null=True)
    version = VersionAttribute()

    grid_by_created = GridByCreated()
    grid_by_email = GridByEmail()
    grid_by_last_name = GridByLastName()
    grid_by_first_name = GridByFirstName()


class AddressPage(CustomersTableItem, discriminator="address_book"):
    """Up to ADDRESSES_PER_PAGE addresses of the book, in book order (pk CUSTOMER#<id>, sk ADDRESSES#<page>).

    A book of 50 is 5 items: a full save replacing all of them fits one transaction with the
    profile, the email claims, the audit entries and the Now Online rows (DynamoDB: 100 items).
    """

    page = NumberAttribute()
    addresses = UnicodeAttribute()  # JSON object {address id: fields}, in book order


class EmailClaim(CustomersTableItem, discriminator="email_claim"):
    """pk EMAIL#<website>#<email>: written in the same transaction as the profile, so emails stay unique."""

    customer_id = UnicodeAttribute()


class ActivityItem(CustomersTableItem, discriminator="activity"):
    """Last login / logout, kept apart from the profile so logins never bump the form's version."""

    last_login_at = NumberAttribute(null=True)
    last_logout_at = NumberAttribute(null=True)


class OnlineCountItem(CustomersTableItem, discriminator="online_count"):
    """pk ONLINECOUNT#<shard>#<website>, sk <minute, epoch ms>: the summary's counters of one minute.

    Besides kind and expires_at it holds up to 120 numbers named by logic/online_counts.py
    (`c00`..`c59` customers, `v00`..`v59` visitors, per second), moved with ADD in the presence
    write's transaction and read raw by the summary: they are not declared here.
    """


class OrderItem(CustomersTableItem, discriminator="order"):
    order_id = UnicodeAttribute()
    status = UnicodeAttribute()
    total = UnicodeAttribute()  # decimal string, two decimals
    created_at = NumberAttribute()
    items = UnicodeAttribute(null=True)  # JSON list of lines
    placed_by = UnicodeAttribute(null=True)


class WishItem(CustomersTableItem, discriminator="wish"):
    sku = UnicodeAttribute()
    added_at = NumberAttribute()


class ReviewItem(CustomersTableItem, discriminator="review"):
    review_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    rating = NumberAttribute(null=True)
    status = UnicodeAttribute()
    created_at = NumberAttribute()


class NewsletterItem(CustomersTableItem, discriminator="newsletter"):
    website_id = UnicodeAttribute()
    subscribed = BooleanAttribute()
    changed_at = NumberAttribute()


class TabRecord(CustomersTableItem, discriminator="tab_record"):
    """Read-only tabs kept as documents: returns, gift registries, billing agreements, newsletters sent."""

    tab = UnicodeAttribute()
    data = UnicodeAttribute()  # JSON object


class BalanceItem(CustomersTableItem, discriminator="balance"):
    """sk BALANCE#<account>: the store credit (cents) or reward points balance, never negative."""

    account = UnicodeAttribute()  # "store_credit" | "reward_points"
    balance = NumberAttribute()  # integer: cents for store credit, points for reward points
    updated_at = NumberAttribute()


class LedgerItem(CustomersTableItem, discriminator="ledger_entry"):
    """sk LEDGER#<account>#<at ms, 13 digits>#<id>: one adjustment, written with its balance change."""

    account = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    at = NumberAttribute()
    delta = NumberAttribute()  # integer, same unit as the balance
    balance = NumberAttribute()  # the balance right after this entry
    reason = UnicodeAttribute()
    actor = UnicodeAttribute(null=True)


class AuditItem(CustomersTableItem, discriminator="audit"):
    """pk AUDIT#<customer id>, sk "<at ms>#<id>": apart from the profile so the page read skips it."""

    entry_id = UnicodeAttribute()
    at = NumberAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    changes = UnicodeAttribute()  # JSON {field: {before, after}}, secrets never included


class CartLine(CustomersTableItem, discriminator="cart_item"):
    """A cart line: the customer's saved cart (no TTL) or a guest cart (unsaved data, TTL)."""

    sku = UnicodeAttribute()
    qty = NumberAttribute()
    name = UnicodeAttribute(null=True)
    price = UnicodeAttribute(null=True)  # decimal string, two decimals
    updated_at = NumberAttribute()


class CheckoutDraft(CustomersTableItem, discriminator="checkout_draft"):
    """A visitor's checkout draft: unsaved data, expires after the customer data lifetime."""

    data = UnicodeAttribute()  # JSON, bounded by the event contract
    updated_at = NumberAttribute()


class EventMarker(CustomersTableItem, discriminator="event_marker"):
    """Written in the same transaction as an event's collection change: a replay finds it and stops."""


# ---------------------------------------------------------------- admin actions (issue 5 A)
class LoginAsSecretItem(CustomersTableItem, discriminator="login_as_secret"):
    """pk LOGINAS#<sha256 of the secret>, sk SECRET: the secret itself is never stored.

    Redeemed once by a conditional DeleteItem; `valid_until` (ms) is checked at redeem time,
    `expires_at` (TTL) only cleans up.
    """

    customer_id = UnicodeAttribute()
    website_id = UnicodeAttribute()
    issued_by = UnicodeAttribute()  # JWT subject of the admin
    created_at = NumberAttribute()
    valid_until = NumberAttribute()


class PasswordResetItem(CustomersTableItem, discriminator="password_reset"):
    """pk RESET#<sha256 of the token>, sk TOKEN: the token is never stored (it only travels in the mailer event)."""

    customer_id = UnicodeAttribute()
    issued_by = UnicodeAttribute()
    created_at = NumberAttribute()
    valid_until = NumberAttribute()


class CredentialRef(CustomersTableItem, discriminator="credential_ref"):
    """pk CUSTOMER#<id>, sk SECRET#<kind>#<hash>: finds a customer's outstanding secrets to revoke them."""

    ref_pk = UnicodeAttribute()  # pk of the LoginAsSecretItem / PasswordResetItem
    ref_sk = UnicodeAttribute()
    valid_until = NumberAttribute()  # epoch ms, as on the secret


class RateLimitItem(CustomersTableItem, discriminator="rate_limit"):
    """pk CUSTOMER#<id>, sk RATE#<action>: time (ms) of the last accepted request, for a conditional write."""

    last_at = NumberAttribute()


class DeletionItem(CustomersTableItem, discriminator="deletion"):
    """pk CUSTOMER#<id>, sk DELETED: tombstone of a deleted customer and the progress of its clean-up.

    No personal data. `phase` partition -> audit -> done; `cursor` is the sk to resume after.
    """

    deleted_at = NumberAttribute()
    deleted_by = UnicodeAttribute()
    phase = UnicodeAttribute()
    cursor = UnicodeAttribute(null=True)


class SessionRef(CustomersTableItem, discriminator="session_ref"):
    """pk CUSTOMER#<id>, sk SESSION#<session id>: a session the customer was bound to (written in the
    binding's transaction), so Delete Customer finds it with a consistent Query, index lag or not."""

    session_id = UnicodeAttribute()
    bound_at = NumberAttribute()


class IdempotencyRef(CustomersTableItem, discriminator="idempotency_ref"):
    """pk CUSTOMER#<id>, sk IDEMPOTENCY#<record id>: an Idempotency-Key record about the customer,
    written (conditional on the profile) before the action runs, so Delete Customer erases the record."""

    record_id = UnicodeAttribute()


class IdempotencyRecord(Model):
    """A Powertools idempotency record, by key only: Delete Customer removes those of the customer."""

    class Meta:
        table_name = "IdempotencyTable"
        region = _region()

    id = UnicodeAttribute(hash_key=True)


_connections: dict[str, Connection] = {}
_connections_lock = threading.Lock()


def transaction_connection() -> Connection:
    """The connection transactions go through (one per region, reused across invocations).

    Its botocore client is built here, once, under a lock: built lazily, the first transactions of
    the ingest's parallel session groups each built their own (~0.1-0.3 s of CPU apiece).
    """
    region = _region()
    with _connections_lock:
        if region not in _connections:
            connection = Connection(region=region)
            connection.client  # noqa: B018 - builds the shared client now, in one thread
            _connections[region] = connection
    return _connections[region]


def failed_conditions(error: TransactWriteError) -> list[str | None]:
    """Partition keys of the items whose condition failed in a cancelled transaction.

    PynamoDB sends transaction items grouped by kind (checks, deletes, puts, updates), not in the
    order they were added, so items are told apart by key: the item comes back when it was added
    with return_values="ALL_OLD"; None stands for a failed item that returned nothing.
    """
    keys = []
    for reason in getattr(error, "cancellation_reasons", None) or []:
        if reason is not None and reason.code == "ConditionalCheckFailed":
            keys.append((reason.raw_item or {}).get("pk", {}).get("S"))
    return keys


def failed_sessions(error: TransactWriteError) -> list[str]:
    """Session ids of presence rows (added with return_values="ALL_OLD") whose condition failed."""
    sessions = []
    for reason in getattr(error, "cancellation_reasons", None) or []:
        if reason is not None and reason.code == "ConditionalCheckFailed":
            session = (reason.raw_item or {}).get("session_id", {}).get("S")
            if session:
                sessions.append(session)
    return sessions


def failed_checks(error: Exception, count: int) -> bool:
    """Whether one of the first `count` items of a cancelled transaction failed its condition.

    PynamoDB sends condition checks first, so with `count` checks added they are reasons 0..count-1.
    """
    reasons = list(getattr(error, "cancellation_reasons", None) or [])[:count]
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)


def bind_tables(settings: Settings) -> None:
    """Point the models at the configured tables (idempotent; resets cached connections on change)."""
    bound: list[tuple[type[Model], str]] = [(PresenceItem, settings.presence_table),
                                             (CustomersTableItem, settings.customers_table)]
    if settings.idempotency_table:
        bound.append((IdempotencyRecord, settings.idempotency_table))
    for model, name in bound:
        if model.Meta.table_name != name:
            model.Meta.table_name = name
            model._connection = None
        model.Meta.region = _region()
