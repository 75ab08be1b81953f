"""One cached factory per dependency, built at first use (cold start), replaceable in tests.

Each factory returns the logic-layer port (a Protocol) it is wired to, so mypy proves that the
dal class meets it; the dal modules are imported inside the factories (only the functions that
use them load them). The ports are imported for the type checker only: no cold-start cost.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Protocol

from shopadmin import clock
from shopadmin.clock import Clock, system_clock
from shopadmin.settings import Settings, get_settings

if TYPE_CHECKING:
    from shopadmin.dal.idempotency_records import ErasableIdempotencyLayer
    from shopadmin.logic.audit import AuditTrail
    from shopadmin.logic.credentials import CredentialsPort, EventBusPort, PresencePort
    from shopadmin.logic.customer_accounts import AccountsPort, SessionsPort
    from shopadmin.logic.customer_commerce import CommercePort
    from shopadmin.logic.customer_deletion import DeletionPort
    from shopadmin.logic.customer_events import EventAccountsPort
    from shopadmin.logic.ingest import CustomerStorePort, IngestContext, PresenceStorePort
    from shopadmin.logic.online_config import CachedConfig, ConfigStore
    from shopadmin.logic.online_list import OnlineIndex
    from shopadmin.logic.online_sweep import SweepIndex
    from shopadmin.logic.privacy_export import AuditPort, ExportFilesPort, ExportReaderPort
    from shopadmin.logic.storefront import EventQueue
    from shopadmin.logic.websites import CustomerWebsitePort, WebsiteRegistry, WebsiteStorePort

    class PresenceStoreService(PresenceStorePort, OnlineIndex, SweepIndex, SessionsPort, PresencePort, Protocol):
        """The presence table as ingest, Now Online, the sweeper, the customer page and sign-outs use it."""

    class CustomerStoreService(CustomerStorePort, ConfigStore, WebsiteStorePort, CustomerWebsitePort, Protocol):
        """Websites, profiles, collections and the saved config, as ingest and the config use them."""

    class CustomerAccountsService(AccountsPort, EventAccountsPort, AuditTrail, AuditPort, Protocol):
        """Accounts as the admin routes, the storefront events and the audit tab use them."""


# The key is cached for the container's life (lru_cache below); the provider's own cache agrees.
CURSOR_KEY_MAX_AGE_SECONDS = 24 * 3600


def now() -> int:
    """Current epoch ms from the injected clock."""
    return clock.now_ms()


def use_clock(fake: Clock) -> None:
    """Tests control time with this (interval, TTL and expiry rules), never with sleeps."""
    clock.use_clock(fake)


@functools.lru_cache(maxsize=1)
def tables() -> Settings:
    """The settings, once the PynamoDB models point at their tables (every dal factory starts here)."""
    from shopadmin.dal.tables import bind_tables

    settings = get_settings()
    bind_tables(settings)
    return settings


@functools.lru_cache(maxsize=1)
def presence_store() -> PresenceStoreService:
    from shopadmin.dal.presence_store import PresenceStore

    return PresenceStore(tables().online_shard_count)


@functools.lru_cache(maxsize=1)
def customer_store() -> CustomerStoreService:
    from shopadmin.dal.customer_store import CustomerStore

    tables()
    return CustomerStore()


@functools.lru_cache(maxsize=1)
def customer_accounts() -> CustomerAccountsService:
    from shopadmin.dal.customer_accounts import CustomerAccounts

    tables()
    return CustomerAccounts()


@functools.lru_cache(maxsize=1)
def online_config() -> CachedConfig:
    from shopadmin.logic.online_config import CachedConfig

    return CachedConfig(customer_store(), now, get_settings().config_cache_seconds)


@functools.lru_cache(maxsize=1)
def websites() -> WebsiteRegistry:
    """The website registry (logic/websites.py) over the customers table, cached like the config."""
    from shopadmin.logic.websites import WebsiteRegistry

    return WebsiteRegistry(customer_store(), now, get_settings().config_cache_seconds)


@functools.lru_cache(maxsize=1)
def events_queue() -> EventQueue:
    from shopadmin.dal.events_queue import SqsEventQueue

    queue_url = get_settings().events_queue_url
    if not queue_url:
        raise RuntimeError("EVENTS_QUEUE_URL is not set")
    return SqsEventQueue(queue_url)


@functools.lru_cache(maxsize=1)
def ingest_context() -> IngestContext:
    from shopadmin.logic.ingest import IngestContext

    return IngestContext(presence_store(), customer_store(), customer_accounts(), online_config(), now, websites(),
                         parallel_sessions=get_settings().ingest_parallel_sessions)


@functools.lru_cache(maxsize=1)
def customer_commerce() -> CommercePort:
    from shopadmin.dal.customer_commerce import CustomerCommerce

    tables()
    return CustomerCommerce()


@functools.lru_cache(maxsize=1)
def idempotency_store() -> ErasableIdempotencyLayer:
    """Powertools' DynamoDB persistence layer over the IdempotencyTable (api/idempotency.py uses it)."""
    from shopadmin.dal.idempotency_records import ErasableIdempotencyLayer

    table = tables().idempotency_table
    if not table:
        raise RuntimeError("IDEMPOTENCY_TABLE is not set")
    return ErasableIdempotencyLayer(table_name=table)


@functools.lru_cache(maxsize=1)
def credential_store() -> CredentialsPort:
    from shopadmin.dal.credentials import CredentialStore

    tables()
    return CredentialStore()


@functools.lru_cache(maxsize=1)
def customer_deletion() -> DeletionPort:
    from shopadmin.dal.customer_deletion import CustomerDeletionStore

    tables()
    return CustomerDeletionStore()


@functools.lru_cache(maxsize=1)
def admin_events() -> EventBusPort:
    """Admin action events (login as customer, password reset, force sign-in, deletion) on the bus."""
    from shopadmin.dal.admin_events import AdminEventBus

    bus = get_settings().event_bus_name
    if not bus:
        raise RuntimeError("EVENT_BUS_NAME is not set")
    return AdminEventBus(bus)


@functools.lru_cache(maxsize=1)
def privacy_export_reader() -> ExportReaderPort:
    from shopadmin.dal.privacy_export import PrivacyExportReader

    tables()
    return PrivacyExportReader()


@functools.lru_cache(maxsize=1)
def export_files() -> ExportFilesPort:
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
    for factory in (tables, presence_store, customer_store, customer_accounts, online_config, websites,
                    events_queue, ingest_context, customer_commerce, idempotency_store, credential_store,
                    customer_deletion, admin_events, privacy_export_reader, export_files, cursor_key,
                    get_settings):
        factory.cache_clear()
    clock.use_clock(system_clock)
