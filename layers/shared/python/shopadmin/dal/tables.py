"""PynamoDB models of the two tables declared in template.yaml.

Table names come from Settings at first use (`bind_tables`), so importing this module never
needs the environment; tests and the local stack set the same variables Lambda gets.
"""

from __future__ import annotations

import os

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from shopadmin.settings import Settings

ONLINE_INDEX = "online-by-activity"


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class OnlineByActivity(GlobalSecondaryIndex):
    """Sparse, write-sharded: only visible sessions carry online_pk = "<website>#<shard>"."""

    class Meta:
        index_name = ONLINE_INDEX
        projection = AllProjection()

    online_pk = UnicodeAttribute(hash_key=True)
    online_sk = UnicodeAttribute(range_key=True)  # "<last_activity ms, 13 digits>#<session_id>"


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
    online_pk = UnicodeAttribute(null=True)
    online_sk = UnicodeAttribute(null=True)
    # TTL (epoch seconds): housekeeping only, never trusted for correctness
    expires_at = NumberAttribute(null=True)
    version = VersionAttribute()

    online_by_activity = OnlineByActivity()


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


class WebsitesItem(CustomersTableItem, discriminator="websites"):
    """Websites seen by ingest: the online list queries each website's shards."""

    websites = UnicodeSetAttribute(default=set)


class ProfileItem(CustomersTableItem, discriminator="profile"):
    customer_id = UnicodeAttribute()
    website_id = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute(null=True)
    last_name = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    version = VersionAttribute()


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


_connections: dict[str, Connection] = {}


def transaction_connection() -> Connection:
    """The connection transactions go through (one per region, reused across invocations)."""
    region = _region()
    if region not in _connections:
        _connections[region] = Connection(region=region)
    return _connections[region]


def bind_tables(settings: Settings) -> None:
    """Point the models at the configured tables (idempotent; resets cached connections on change)."""
    for model, name in ((PresenceItem, settings.presence_table), (CustomersTableItem, settings.customers_table)):
        if model.Meta.table_name != name:
            model.Meta.table_name = name
            model._connection = None
        model.Meta.region = _region()
