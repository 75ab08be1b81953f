"""How storefront events keep a customer's account up to date (SPEC 2.1, 3.2, 9).

- customer_registered creates the account (id = customer_id) with its email claim, once; for an
  account that exists (a replay, or the admin created it first) it is a change like account_updated;
- account_updated changes name, email and company field by field, newest change by time wins
  whoever made it (logic/field_order.py); the customer's Now Online rows change in the same write;
- login and logout move last_login_at / last_logout_at forward only.
Collections (cart, orders, wish list, reviews, newsletter) are write intents in logic/ingest.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from shopadmin.errors import ChangeConflict, EmailTaken
from shopadmin.logic.audit import audit_entry, field_changes
from shopadmin.logic.concurrency import in_parallel
from shopadmin.logic.field_order import storefront_change
from shopadmin.models.events import EventInvalid, StorefrontEvent
from shopadmin.models.records import AccountRecord, AccountSave, AuditRecord

PROFILE_EVENT_FIELDS = ("email", "first_name", "last_name", "company")
ATTEMPTS = 3


class EventAccountsPort(Protocol):
    """What storefront events need of the accounts store (dal.customer_accounts.CustomerAccounts)."""

    def get_account(self, customer_id: str, consistent: bool = True) -> AccountRecord | None: ...
    def get_account_profiles(self, customer_ids: list[str]) -> dict[str, AccountRecord]: ...
    def session_ids(self, customer_id: str) -> list[str]: ...
    def save_account(self, before: AccountRecord | None, after: AccountRecord, audits: list[AuditRecord],
                     now_ms: int) -> int: ...
    def save_accounts(self, saves: list[AccountSave], now_ms: int) -> list[int | Exception]: ...
    def touch_activity(self, customer_id: str, field_name: str, at_ms: int) -> bool: ...
    def create_accounts(self, creations: list[tuple[AccountRecord, list[AuditRecord]]], now_ms: int) -> list[str]: ...


def storefront_actor(event: StorefrontEvent) -> str:
    """Who an event's audit entry names: the storefront, and which event (never personal data)."""
    return f"storefront event {event.event_id}"


def _values(event: StorefrontEvent) -> dict[str, object]:
    return {name: event.data[name] for name in PROFILE_EVENT_FIELDS if name in event.data}


def new_account(event: StorefrontEvent) -> tuple[AccountRecord, list[AuditRecord]]:
    """The account a `customer_registered` event creates, and its audit entry."""
    values = _values(event)
    fields = {**dict.fromkeys(PROFILE_EVENT_FIELDS), **values,
              "website_id": event.website_id, "group_id": 1, "allow_remote_assistance": False}
    record = AccountRecord(customer_id=event.bound_customer_id, fields=fields, created_at=event.occurred_ms,
                           field_times=dict.fromkeys(values, event.occurred_ms))
    audit = audit_entry(storefront_actor(event), "customer.created", event.occurred_ms, field_changes({}, values),
                        about_event=event.event_id)
    return record, [audit]


def _email_taken() -> EventInvalid:
    return EventInvalid("data.email: already used by another customer of this website")


def register(event: StorefrontEvent, accounts: EventAccountsPort, now_ms: int) -> None:
    """Create the account (an existing one takes the event's newer fields); EventInvalid when the email is taken."""
    record, audits = new_account(event)
    try:
        accounts.save_account(None, record, audits, now_ms)
    except ChangeConflict:
        update_account(event, accounts, now_ms)  # the account exists (or was deleted: then nothing)
    except EmailTaken:
        raise _email_taken() from None


def _change(event: StorefrontEvent, before: AccountRecord) -> tuple[AccountRecord, list[AuditRecord]] | None:
    """The account after the event's fields that no newer change holds, and its audit; None: nothing to save."""
    after = storefront_change(before, _values(event), event.occurred_ms)
    if after == before:
        return None  # every field it names holds a newer change (or this is a replay)
    changes = field_changes(before.fields, after.fields)
    audits = ([audit_entry(storefront_actor(event), "customer.updated", event.occurred_ms, changes,
                           about_event=event.event_id)]
              if changes else [])  # a newer time for the same values: stamped, not audited
    return after, audits


def update_accounts(events: list[StorefrontEvent], accounts: EventAccountsPort, now_ms: int,
                    parallel: int = 1) -> list[Exception | None]:
    """Several customers' account_updated events saved together; per event None (saved, or
    nothing to save) or what refused it (EventInvalid for a taken email, ChangeConflict, ...).

    One read of their profiles (the address books are left alone), the sessions of those whose
    Now Online rows change looked up `parallel` at once, the saves packed (save_accounts). A save
    that met a concurrent change, and an event whose customer another event here names, go the
    one-at-a-time way (update_account), which reads again.
    """
    results: list[Exception | None] = [None] * len(events)
    first: dict[str, int] = {}
    alone = []
    for position, event in enumerate(events):
        if first.setdefault(event.bound_customer_id, position) != position:
            alone.append(position)
    stored = accounts.get_account_profiles(list(first))
    planned = []
    for customer_id, position in first.items():
        before = stored.get(customer_id)
        change = _change(events[position], before) if before is not None else None  # unknown or deleted: nothing
        if before is not None and change is not None:
            planned.append((position, AccountSave(before, *change)))
    mirrored = [save.after.customer_id for _, save in planned if save.shows_in_now_online]
    sessions = dict(zip(mirrored, in_parallel(accounts.session_ids, mirrored, parallel), strict=True))
    saves = [replace(save, session_ids=sessions.get(save.after.customer_id, [])) for _, save in planned]
    for (position, _), saved in zip(planned, accounts.save_accounts(saves, now_ms) if saves else [], strict=True):
        if isinstance(saved, ChangeConflict):
            alone.append(position)
        elif isinstance(saved, EmailTaken):
            results[position] = _email_taken()
        elif isinstance(saved, Exception):
            results[position] = saved
    for position in sorted(alone):
        try:
            update_account(events[position], accounts, now_ms)
        except Exception as error:  # noqa: BLE001 - settled per event by the caller
            results[position] = error
    return results


def update_account(event: StorefrontEvent, accounts: EventAccountsPort, now_ms: int) -> bool:
    """Apply the event's fields that no newer change holds. True when something was saved."""
    for _ in range(ATTEMPTS):
        before = accounts.get_account(event.bound_customer_id)
        if before is None:
            return False  # unknown or deleted customer
        change = _change(event, before)
        if change is None:
            return False
        after, audits = change
        try:
            accounts.save_account(before, after, audits, now_ms)
        except ChangeConflict:
            continue  # an admin save or another event won the race: read again
        except EmailTaken:
            raise _email_taken() from None
        return True
    raise ChangeConflict(event.bound_customer_id)
