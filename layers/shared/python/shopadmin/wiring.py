"""One cached factory per dependency, built at first use (cold start), replaceable in tests."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from shopadmin.clock import Clock, system_clock
from shopadmin.settings import get_settings

if TYPE_CHECKING:
    from shopadmin.logic.websites import WebsiteRegistry

_clock: list[Clock] = [system_clock]
# The key is cached for the container's life (lru_cache below); the provider's own cache agrees.
CURSOR_KEY_MAX_AGE_SECONDS = 24 * 3600


def now() -> int:
    """Current epoch ms from the injected clock."""
    return _clock[0]()


def use_clock(clock: Clock) -> None:
    """Tests control time with this (interval, TTL and expiry rules), never with sleeps."""
    _clock[0] = clock


@functools.lru_cache(maxsize=1)
def presence_store():
    from shopadmin.dal.presence_store import PresenceStore
    from shopadmin.dal.tables import bind_tables

    settings = get_settings()
    bind_tables(settings)
    return PresenceStore(settings.online_shard_count)


@functools.lru_cache(maxsize=1)
def customer_store():
    from shopadmin.dal.customer_store import CustomerStore
    from shopadmin.dal.tables import bind_tables

    bind_tables(get_settings())
    return CustomerStore()


@functools.lru_cache(maxsize=1)
def customer_accounts():
    from shopadmin.dal.customer_accounts import CustomerAccounts
    from shopadmin.dal.tables import bind_tables

    bind_tables(get_settings())
    return CustomerAccounts()


@functools.lru_cache(maxsize=1)
def online_config():
    from shopadmin.logic.online_config import CachedConfig

    return CachedConfig(customer_store(), now, get_settings().config_cache_seconds)


@functools.lru_cache(maxsize=1)
def websites() -> WebsiteRegistry:
    """The website registry (logic/websites.py) over the customers table, cached like the config."""
    from shopadmin.logic.websites import WebsiteRegistry

    return WebsiteRegistry(customer_store(), now, get_settings().config_cache_seconds)


@functools.lru_cache(maxsize=1)
def events_queue():
    from shopadmin.dal.events_queue import SqsEventQueue

    queue_url = get_settings().events_queue_url
    if not queue_url:
        raise RuntimeError("EVENTS_QUEUE_URL is not set")
    return SqsEventQueue(queue_url)


@functools.lru_cache(maxsize=1)
def ingest_context():
    from shopadmin.logic.ingest import IngestContext

    return IngestContext(presence_store(), customer_store(), customer_accounts(), online_config(), now, websites())


@functools.lru_cache(maxsize=1)
def customer_commerce():
    from shopadmin.dal.customer_commerce import CustomerCommerce
    from shopadmin.dal.tables import bind_tables

    bind_tables(get_settings())
    return CustomerCommerce()


@functools.lru_cache(maxsize=1)
def idempotency_store():
    """Powertools' DynamoDB persistence layer over the IdempotencyTable (api/idempotency.py uses it)."""
    from shopadmin.dal.idempotency_records import ErasableIdempotencyLayer
    from shopadmin.dal.tables import bind_tables

    table = get_settings().idempotency_table
    if not table:
        raise RuntimeError("IDEMPOTENCY_TABLE is not set")
    bind_tables(get_settings())
    return ErasableIdempotencyLayer(table_name=table)


@functools.lru_cache(maxsize=1)
def credential_store():
    from shopadmin.dal.credentials import CredentialStore
    from shopadmin.dal.tables import bind_tables

    bind_tables(get_settings())
    return CredentialStore()


@functools.lru_cache(maxsize=1)
def customer_deletion():
    from shopadmin.dal.customer_deletion import CustomerDeletionStore
    from shopadmin.dal.tables import bind_tables

    bind_tables(get_settings())
    return CustomerDeletionStore()


@functools.lru_cache(maxsize=1)
def admin_events():
    """Admin action events (login as customer, password reset, force sign-in, deletion) on the bus."""
    from shopadmin.dal.admin_events import AdminEventBus

    bus = get_settings().event_bus_name
    if not bus:
        raise RuntimeError("EVENT_BUS_NAME is not set")
    return AdminEventBus(bus)


@functools.lru_cache(maxsize=1)
def privacy_export_reader():
    from shopadmin.dal.privacy_export import PrivacyExportReader
    from shopadmin.dal.tables import bind_tables

    bind_tables(get_settings())
    return PrivacyExportReader()


@functools.lru_cache(maxsize=1)
def export_files():
    """The exports bucket, for privacy exports too large for one response."""
    from shopadmin.dal.privacy_export import ExportFiles

    bucket = get_settings().exports_bucket
    if not bucket:
        raise RuntimeError("EXPORTS_BUCKET is not set")
    return ExportFiles(bucket)


@functools.lru_cache(maxsize=1)
def cursor_key() -> bytes:
    """The key signing pagination cursors: read once per container through Powertools Parameters."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    arn = get_settings().cursor_secret_arn
    if not arn:
        raise RuntimeError("CURSOR_SECRET_ARN is not set")
    secret = SecretsProvider().get(arn, max_age=CURSOR_KEY_MAX_AGE_SECONDS)
    if not isinstance(secret, str) or len(secret) < 32:
        raise RuntimeError("the cursor signing secret must be a string of at least 32 characters")
    return secret.encode()


def reset() -> None:
    """Forget every cached dependency (tests switch environments between cases)."""
    for factory in (presence_store, customer_store, customer_accounts, online_config, websites, events_queue, ingest_context,
                    customer_commerce, idempotency_store, credential_store, customer_deletion, admin_events,
                    privacy_export_reader, export_files, cursor_key, get_settings):
        factory.cache_clear()
    _clock[0] = system_clock
