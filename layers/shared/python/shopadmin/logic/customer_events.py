"""How storefront events keep a customer's account up to date (SPEC 2.1, 3.2).

- customer_registered creates the account (id = customer_id) with its email claim, once;
- account_updated changes name, email and company, newest event wins (late ones are ignored);
- login and logout move last_login_at / last_logout_at forward only.
Collections (cart, orders, wish list, reviews, newsletter) are write intents in logic/ingest.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from shopadmin.errors import ChangeConflict, EmailTaken
from shopadmin.models.events import EventInvalid, StorefrontEvent
from shopadmin.models.records import AccountRecord, AuditRecord

PROFILE_EVENT_FIELDS = ("email", "first_name", "last_name", "company")
ATTEMPTS = 3


class EventAccountsPort(Protocol):
    """What storefront events need of the accounts store (dal.customer_accounts.CustomerAccounts)."""

    def get_account(self, customer_id: str, consistent: bool = True) -> AccountRecord | None: ...
    def save_account(self, before: AccountRecord | None, after: AccountRecord, audits: list[AuditRecord],
                     now_ms: int) -> int: ...
    def refresh_sessions(self, customer_id: str, snapshot: dict[str, str | None]) -> int: ...
    def touch_activity(self, customer_id: str, field_name: str, at_ms: int) -> bool: ...


def register(event: StorefrontEvent, accounts: EventAccountsPort, now_ms: int) -> None:
    fields = {name: event.data.get(name) for name in PROFILE_EVENT_FIELDS}
    fields.update(website_id=event.website_id, group_id=1, allow_remote_assistance=False)
    record = AccountRecord(customer_id=event.bound_customer_id, fields=fields, created_at=event.occurred_ms,
                           account_event_at=event.occurred_ms)
    try:
        accounts.save_account(None, record, [], now_ms)
    except ChangeConflict:
        return  # the account exists: a replay, or the admin created it first
    except EmailTaken:
        raise EventInvalid("data.email: already used by another customer of this website") from None


def update_account(event: StorefrontEvent, accounts: EventAccountsPort, now_ms: int) -> bool:
    """Apply the event's fields unless a newer account_updated was applied. True when saved."""
    changes = {name: event.data[name] for name in PROFILE_EVENT_FIELDS if name in event.data}
    for _ in range(ATTEMPTS):
        before = accounts.get_account(event.bound_customer_id)
        if before is None or (before.account_event_at or 0) > event.occurred_ms:
            return False  # unknown customer, or this event is older than the last one applied
        after = replace(before, fields={**before.fields, **changes}, account_event_at=event.occurred_ms)
        if after == before:
            return False
        try:
            accounts.save_account(before, after, [], now_ms)
        except ChangeConflict:
            continue  # an admin save or another event won the race: read again
        except EmailTaken:
            raise EventInvalid("data.email: already used by another customer of this website") from None
        snapshot = {name: after.fields.get(name) for name in PROFILE_EVENT_FIELDS}
        accounts.refresh_sessions(event.bound_customer_id, snapshot)
        return True
    raise ChangeConflict(event.bound_customer_id)
