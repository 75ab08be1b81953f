"""Delete Customer (SPEC 3.3): the account and its personal data go, orders stay anonymized.

How one DELETE works (no AWS calls here; the dal is a port):
1. Start (once): profile and email claim deleted, tombstone and `customer.deleted` audit entry
   written, in one transaction. From then on every read says 404 and the email is free again.
2. Sessions (every invocation, a handful of rows): each session bound to the customer now (index)
   or ever (SESSION# references) is signed out like a logout at now (the name snapshot goes with
   the binding), so it leaves Now Online at once; the sessions' guest carts and checkout drafts
   are deleted. A binding racing with step 1 either committed before it (found here) or failed
   its check on the profile.
3. Pages of `PAGE_SIZE` items: the customer's partition (orders rewritten without personal data,
   everything else deleted), then the audit partition (kept, values redacted). The tombstone
   holds the phase and the cursor after every page.
4. Done: `customer.deleted` event, tombstone marked done (kept 15 days, then TTL).

A Lambda invocation handles at least one page and starts another only while `has_time()` says
so; a collection too big for one invocation answers 202 and the next DELETE continues from the
cursor. Once done, DELETE answers 404 and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal, Protocol

from shopadmin.clock import to_iso
from shopadmin.errors import ChangeConflict, NotFound
from shopadmin.logic.audit import audit_entry
from shopadmin.logic.credentials import EventBusPort, PresencePort, publish_event, sign_out_sessions
from shopadmin.models.credentials import DeletionJob
from shopadmin.models.records import AuditRecord

PAGE_SIZE = 100  # items per Query page; a page is written in BatchWriteItem chunks of 25
REDACTED = "[redacted]"


class DeletionPort(Protocol):
    def job(self, customer_id: str) -> DeletionJob | None: ...
    def claim_of(self, customer_id: str) -> str | None | Literal[False]: ...
    def start(self, customer_id: str, claim_pk: str | None, actor: str, audit: AuditRecord,
              now_ms: int) -> DeletionJob: ...
    def clean_partition_page(self, customer_id: str, after_sk: str | None, limit: int) -> str | None: ...
    def redact_audit_page(self, customer_id: str, after_sk: str | None, limit: int,
                          redact: Callable[[dict[str, Any]], dict[str, Any]]) -> str | None: ...
    def session_refs(self, customer_id: str) -> list[str]: ...
    def delete_guest_data(self, session_id: str) -> int: ...
    def save_progress(self, customer_id: str, phase: str, cursor: str | None) -> None: ...
    def finish(self, customer_id: str, now_ms: int) -> None: ...


def redact_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """An audit entry of a deleted customer keeps who, when, the action and which fields changed,
    never the values (names, emails, addresses were among them)."""
    redacted: dict[str, Any] = {}
    for name, change in changes.items():
        if isinstance(change, dict):
            redacted[name] = {key: (None if value is None else REDACTED) for key, value in change.items()}
        else:
            redacted[name] = None if change is None else REDACTED
    return redacted


def delete_customer(customer_id: str, store: DeletionPort, session_ids: Callable[[str], list[str]],
                    presence: PresencePort, bus: EventBusPort, admin: str, now_ms: int, interval_minutes: int,
                    has_time: Callable[[], bool]) -> bool:
    """True when the customer is completely deleted, False when pages remain (call again)."""
    job = store.job(customer_id)
    if job is None:
        claim = store.claim_of(customer_id)
        if claim is False:
            raise NotFound("No such customer")
        try:
            job = store.start(customer_id, claim, admin, audit_entry(admin, "customer.deleted", now_ms, {}), now_ms)
        except ChangeConflict:  # another DELETE got there first
            job = store.job(customer_id)
            if job is None:
                raise NotFound("No such customer") from None
    if job.phase == "done":
        raise NotFound("No such customer")  # deleted before: nothing to do, nothing changed

    # bound now (index) or ever (SESSION# references, consistent): their guest carts and drafts go too
    sessions = list(dict.fromkeys(session_ids(customer_id) + store.session_refs(customer_id)))
    sign_out_sessions(customer_id, sessions, presence, now_ms, interval_minutes)
    for session_id in sessions:
        store.delete_guest_data(session_id)

    while True:
        if job.phase == "partition":
            cursor = store.clean_partition_page(customer_id, job.cursor, PAGE_SIZE)
            job = replace(job, phase="partition" if cursor else "audit", cursor=cursor)
        else:
            cursor = store.redact_audit_page(customer_id, job.cursor, PAGE_SIZE, redact_changes)
            if cursor is None:
                break
            job = replace(job, cursor=cursor)
        store.save_progress(customer_id, job.phase, job.cursor)
        if not has_time():
            return False
    publish_event(bus, "customer.deleted", {"customer_id": customer_id, "admin": job.deleted_by,
                                       "deleted_at": to_iso(job.deleted_at)})
    store.finish(customer_id, now_ms)
    return True
