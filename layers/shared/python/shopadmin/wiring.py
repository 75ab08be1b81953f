"""One cached factory per dependency, built at first use (cold start), replaceable in tests."""

from __future__ import annotations

import functools

from shopadmin.clock import Clock, system_clock
from shopadmin.settings import get_settings

_clock: list[Clock] = [system_clock]


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
def known_websites():
    from shopadmin.logic.cached import CachedValue

    return CachedValue(lambda: customer_store().known_websites(), now, get_settings().config_cache_seconds)


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

    return IngestContext(presence_store(), customer_store(), customer_accounts(), online_config(), now)


@functools.lru_cache(maxsize=1)
def customer_commerce():
    from shopadmin.dal.customer_commerce import CustomerCommerce
    from shopadmin.dal.tables import bind_tables

    bind_tables(get_settings())
    return CustomerCommerce()


@functools.lru_cache(maxsize=1)
def idempotency_store():
    """Powertools' DynamoDB persistence layer over the IdempotencyTable (api/idempotency.py uses it)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    table = get_settings().idempotency_table
    if not table:
        raise RuntimeError("IDEMPOTENCY_TABLE is not set")
    return DynamoDBPersistenceLayer(table_name=table)


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


def reset() -> None:
    """Forget every cached dependency (tests switch environments between cases)."""
    for factory in (presence_store, customer_store, customer_accounts, online_config, known_websites, events_queue,
                    ingest_context, customer_commerce, idempotency_store, credential_store, customer_deletion,
                    admin_events, get_settings):
        factory.cache_clear()
    _clock[0] = system_clock
