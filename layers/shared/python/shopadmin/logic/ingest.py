"""ingest_batch: apply one SQS batch of storefront events (SPEC 2.1, 2.3, 5).

- invalid events fail alone (their message goes back to the queue, then to the DLQ);
- events of one session are folded and its row written once; the batch's rows go together in
  packed transactions with the summary's counters and the login/logout times (_write_presence);
- cart and checkout changes apply once per event id, whatever their age, each all-or-nothing
  with a marker of the event id;
- on login the visitor's unexpired guest cart moves into the customer's saved cart;
- sessions that share no customer form separate groups that take one step per round side by
  side; a round's changes are written together in packed transactions (_apply_collections), and
  sessions that do share a customer take their steps one after another, so no two writers of one
  customer race in one batch;
- events naming a deleted customer are dropped (counted, logged by id; never retried): every
  write under a customer checks its profile in the same transaction, so one racing with the
  delete is dropped too; events naming a customer not registered yet fail alone and are retried
  (registrations in the batch are applied first), then go to the dead-letter queue.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol

from shopadmin.clock import Clock
from shopadmin.errors import ChangeConflict, CustomerGone, ProfileChanged
from shopadmin.logic import customer_events
from shopadmin.logic.concurrency import in_parallel
from shopadmin.logic.customer_events import EventAccountsPort
from shopadmin.logic.online_config import CachedConfig
from shopadmin.logic.presence import (
    account_touches,
    apply_event,
    apply_events,
    cart_holder,
    legacy_run,
    note_guest_cart,
    session_website,
    signed_in_at,
    unsaved_data_expiry,
)
from shopadmin.logic.websites import UNKNOWN_WEBSITE, WebsiteRegistry
from shopadmin.models.collections import (
    DUPLICATE,
    CartLineAdd,
    CartLineRemove,
    CartLineSet,
    CartLineView,
    CartOwner,
    ChangeResult,
    CheckoutDraftSave,
    CollectionChange,
    NewsletterSet,
    Operation,
    OrderPut,
    ReviewPut,
    WishlistAdd,
    WishlistRemove,
)
from shopadmin.models.events import (
    BINDING_TYPES,
    IGNORED_TYPES,
    MAX_CART_QTY,
    EventInvalid,
    StorefrontEvent,
    parse_event,
)
from shopadmin.models.json_limits import MAX_JSON_DEPTH, json_nesting_exceeds
from shopadmin.models.online_config import OnlineCustomersConfig
from shopadmin.models.presence import LOST_RACE, SAVED, CustomerSnapshot, PresenceState, PresenceWrite, WriteResult
from shopadmin.observability import logger
from shopadmin.retry import Backoff, pause

PRESENCE_WRITE_ATTEMPTS = 5
PRESENCE_BACKOFF = Backoff(attempts=PRESENCE_WRITE_ATTEMPTS, base_seconds=0.02, cap_seconds=0.5)
CHANGE_ATTEMPTS = 3
# Each moved line costs two transaction items (add + remove) next to the marker: 100 items at most.
MERGE_LINES_PER_TRANSACTION = 49
PROFILE_READ = "profile read"
PROFILE_READ_FAILED = f"retry: {PROFILE_READ} failed"


class PresenceStorePort(Protocol):
    def get(self, session_id: str) -> PresenceState | None: ...
    def get_many(self, session_ids: list[str]) -> dict[str, PresenceState]: ...
    def save_many(self, writes: list[PresenceWrite], interval_minutes: int) -> dict[str, WriteResult]: ...


class CustomerStorePort(Protocol):
    def customer_websites(self, customer_ids: list[str]) -> dict[str, str]: ...
    def get_profiles(self, customer_ids: list[str]) -> dict[str, CustomerSnapshot]: ...
    def newsletter_changed_at(self, customer_id: str, website_id: str) -> int | None: ...
    def deleted_customers(self, customer_ids: list[str]) -> set[str]: ...
    def cart_lines(self, owner: CartOwner) -> list[CartLineView]: ...
    def apply_changes(self, changes: list[CollectionChange]) -> list[ChangeResult]: ...


@dataclass
class IncomingMessage:
    message_id: str
    body: str


@dataclass
class BatchOutcome:
    failures: dict[str, str] = field(default_factory=dict)  # message id -> reason (no personal data)
    applied: int = 0
    page_views: int = 0
    invalid: int = 0
    duplicates: int = 0
    presence_writes: int = 0
    dropped: dict[str, str] = field(default_factory=dict)  # message id -> reason: applied never, retried never


@dataclass
class IngestContext:
    presence: PresenceStorePort
    customers: CustomerStorePort
    accounts: EventAccountsPort
    config: CachedConfig
    clock: Clock
    websites: WebsiteRegistry  # only registered websites take events; events never register one
    parallel_sessions: int = 1  # reads and account updates of a round at once (settings.ingest_parallel_sessions)


ChangeBuilder = Callable[[IngestContext], list[CollectionChange]]
"""Builds an event's collection changes; called again on retry, so a merge re-reads the guest cart."""


def unwrap(body: str) -> Any:
    """SQS bodies hold either the event (HTTP intake) or an EventBridge envelope with it in `detail`."""
    if isinstance(body, str) and json_nesting_exceeds(body, MAX_JSON_DEPTH + 1):  # + the envelope
        raise EventInvalid(f"body: nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        payload = json.loads(body)
    except (TypeError, ValueError):
        raise EventInvalid("body: not valid JSON") from None
    if isinstance(payload, dict) and "detail" in payload and "detail-type" in payload:
        if payload.get("source") != "storefront":
            raise EventInvalid("source: must be storefront")
        detail = payload["detail"]
        if isinstance(detail, dict) and detail.get("type") != payload["detail-type"]:
            raise EventInvalid("detail-type: must equal the event type")
        return detail
    return payload


def validate_event(raw: Any, now_ms: int) -> StorefrontEvent:
    """The event contract, with `occurred_at` bounded by `now_ms` (the injected clock, never wall time)."""
    return parse_event(raw, now_ms)


def ingest_batch(messages: list[IncomingMessage], ctx: IngestContext) -> BatchOutcome:
    """Shared reads (config, profiles, presence) that still fail after the DAL's retries fail only
    the messages that need them, never the whole batch (issue 11, defect 7)."""
    outcome = BatchOutcome()
    now = ctx.clock()

    events: list[tuple[str, StorefrontEvent]] = []
    for message in messages:
        try:
            events.append((message.message_id, validate_event(unwrap(message.body), now)))
        except EventInvalid as invalid:
            outcome.failures[message.message_id] = f"invalid event: {invalid.reason}"
            outcome.invalid += 1
    if events:
        events = _refuse_foreign(events, ctx, outcome)
    outcome.page_views = sum(1 for _, e in events if e.type in IGNORED_TYPES)
    if not events:
        return outcome
    try:
        config = ctx.config.get()
    except Exception as error:  # noqa: BLE001 - page views need no config; the rest is retried
        _fail(events, lambda event: event.type not in IGNORED_TYPES, "config read", error, outcome)
        events = [(m, e) for m, e in events if m not in outcome.failures]
        outcome.applied = len(events)
        return outcome

    by_session: dict[str, list[tuple[str, StorefrontEvent]]] = defaultdict(list)
    for message_id, event in events:
        if event.type not in IGNORED_TYPES:
            by_session[event.session_id].append((message_id, event))
    read = _read_presence(list(by_session), ctx) if by_session else _PresenceRead()
    for session_id in list(by_session):
        if session_id not in read.unreadable:  # unreadable: its messages are retried below
            by_session[session_id] = _same_website(by_session[session_id], read.get(session_id), outcome)
    # refused events register nobody and name nobody; then events of deleted customers are dropped
    # and those of customers not registered yet wait for the registration
    profiles = _profiles_for([pair for pair in events if pair[0] not in outcome.failures], ctx, now, outcome)
    events = _screen_customers(events, profiles, ctx, outcome)
    kept = {message_id for message_id, _ in events}
    for session_id in list(by_session):
        message_ids = [m for m, _ in by_session[session_id]]
        if any(outcome.failures.get(m, "").startswith(PROFILE_READ_FAILED) for m in message_ids):
            for message_id in message_ids:  # events of a session fold together, in order: all retried
                outcome.failures.setdefault(message_id, "retry: an event of the same session was not applied")
        by_session[session_id] = [(m, e) for m, e in by_session[session_id]
                                  if m in kept and m not in outcome.failures]
    gone: set[str] = set()  # customers deleted while this batch was being applied
    _write_presence(by_session, read, config, profiles, ctx, gone, outcome)

    live = {s: [e for m, e in pairs if m not in outcome.failures] for s, pairs in by_session.items()}
    groups = independent_groups({s: events for s, events in live.items() if events}, read)
    _apply_collections(groups, by_session, read, config, profiles, ctx, now, gone, outcome)

    outcome.applied = len(events) - sum(1 for m, _ in events if m in outcome.failures or m in outcome.dropped)
    return outcome


def independent_groups(events_by_session: dict[str, list[StorefrontEvent]],
                       rows: dict[str, PresenceState]) -> list[list[str]]:
    """Sessions grouped so that no two groups touch one customer; groups and members in batch order.

    A session touches every customer its events name and every customer its stored row has
    signed in (a logout, a merge of the guest cart or a late event can reach any of them).
    """
    parent = {session_id: session_id for session_id in events_by_session}

    def root(session_id: str) -> str:
        while parent[session_id] != session_id:
            parent[session_id] = parent[parent[session_id]]  # path halving
            session_id = parent[session_id]
        return session_id

    first_toucher: dict[str, str] = {}  # customer id -> first session touching it
    for session_id, events in events_by_session.items():
        for customer in _customers_touched(events, rows.get(session_id)):
            other = first_toucher.setdefault(customer, session_id)
            mine, theirs = root(session_id), root(other)
            if mine != theirs:
                parent[mine] = theirs
    groups: dict[str, list[str]] = {}
    for session_id in events_by_session:
        groups.setdefault(root(session_id), []).append(session_id)
    return list(groups.values())


def _customers_touched(events: list[StorefrontEvent], row: PresenceState | None) -> set[str]:
    customers = {e.customer_id for e in events if e.customer_id}
    if row is not None:
        customers |= {s.customer_id for run in row.runs for s in run.sign_ins if s.customer_id}
        if row.customer_id:
            customers.add(row.customer_id)
    return customers


def _refuse_foreign(events: list[tuple[str, StorefrontEvent]], ctx: IngestContext,
                    outcome: BatchOutcome) -> list[tuple[str, StorefrontEvent]]:
    """Events of an unknown website, or naming a customer of another website, fail alone (SPEC 6).

    Their messages go back to the queue and, after the retries, to the DLQ; the rest of the batch applies.
    """
    known = {website: ctx.websites.is_known(website) for website in {e.website_id for _, e in events}}
    named = [e.customer_id for _, e in events if e.customer_id]
    try:
        customer_websites = ctx.customers.customer_websites(named) if named else {}
    except Exception as error:  # noqa: BLE001 - a shared read: only the events naming a customer are retried
        _fail(events, lambda event: bool(event.customer_id), PROFILE_READ, error, outcome)
        customer_websites = {}
    kept = []
    for message_id, event in events:
        reason = None
        if not known[event.website_id]:
            reason = UNKNOWN_WEBSITE
        elif event.customer_id and customer_websites.get(event.customer_id, event.website_id) != event.website_id:
            reason = "customer_id: the customer belongs to another website"
        if reason is None:
            kept.append((message_id, event))
        else:
            outcome.failures[message_id] = f"invalid event: {reason}"
            outcome.invalid += 1
    return kept


def _same_website(session_events: list[tuple[str, StorefrontEvent]], current: PresenceState | None,
                  outcome: BatchOutcome) -> list[tuple[str, StorefrontEvent]]:
    """A session belongs to the website of its first state-changing event: others' events fail alone."""
    owner = session_website(current, [e for _, e in session_events])
    kept = []
    for message_id, event in session_events:
        if event.website_id == owner:
            kept.append((message_id, event))
        else:
            outcome.failures[message_id] = "invalid event: session_id: the session belongs to another website"
            outcome.invalid += 1
    return kept


DROPPED_DELETED = "dropped: customer_id: the customer was deleted"
NOT_REGISTERED = "retry: customer_id: no such customer yet (waiting for its registration)"


def _drop(outcome: BatchOutcome, message_id: str, event: StorefrontEvent) -> None:
    """An event for a deleted customer: applied never, retried never (logged by ids only)."""
    if message_id not in outcome.dropped:
        outcome.dropped[message_id] = DROPPED_DELETED
        logger.info("event dropped: customer deleted", extra={"message_id": message_id, "event_id": event.event_id,
                                                              "event_type": event.type,
                                                              "customer_id": event.customer_id})


def _screen_customers(events: list[tuple[str, StorefrontEvent]], profiles: dict[str, CustomerSnapshot],
                      ctx: IngestContext, outcome: BatchOutcome) -> list[tuple[str, StorefrontEvent]]:
    """Keep the events whose customer exists (or that name none); drop those of deleted customers;
    fail those of customers not registered yet, so SQS retries them until the registration arrives."""
    named = sorted({e.customer_id for m, e in events
                    if e.customer_id and e.type not in IGNORED_TYPES and m not in outcome.failures})
    try:
        deleted = ctx.customers.deleted_customers(named) if named else set()
    except Exception as error:  # noqa: BLE001 - a shared read: only the events naming a customer are retried
        _fail(events, lambda event: bool(event.customer_id) and event.type not in IGNORED_TYPES, PROFILE_READ,
              error, outcome)
        deleted = set()
    kept = []
    for message_id, event in events:
        if message_id in outcome.failures:
            continue
        if event.customer_id and event.type not in IGNORED_TYPES:
            if event.customer_id in deleted:
                _drop(outcome, message_id, event)
                continue
            if event.customer_id not in profiles:
                outcome.failures[message_id] = NOT_REGISTERED
                continue
        kept.append((message_id, event))
    return kept



def _profiles_for(events: list[tuple[str, StorefrontEvent]], ctx: IngestContext, now: int,
                  outcome: BatchOutcome) -> dict[str, CustomerSnapshot]:
    """Name, email and company to copy into rows, from the stored accounts (never from event data).

    Registrations create the account first (once), so a login anywhere finds it; a row shows what
    the account holds, so an account change the store refused (an email taken, an older change)
    never reaches a row.
    """
    profiles: dict[str, CustomerSnapshot] = {}
    by_customer: dict[str | None, list[tuple[str, StorefrontEvent]]] = defaultdict(list)
    for message_id, event in events:
        if event.type == "customer_registered":
            by_customer[event.customer_id].append((message_id, event))

    def register_all(registrations: list[tuple[str, StorefrontEvent]]) -> dict[str, str]:
        failures = {}
        for message_id, event in registrations:  # one customer's: one after another
            try:
                customer_events.register(event, ctx.accounts, now)
            except EventInvalid as invalid:
                failures[message_id] = f"invalid event: {invalid.reason}"
            except Exception as error:  # noqa: BLE001 - transient: the message is retried
                failures[message_id] = f"retry: registration failed ({type(error).__name__})"
        return failures

    # A customer's only registration of the batch: created with the others in packed transactions;
    # what a pack could not create (it exists, an email taken...) goes the one-at-a-time way below.
    single = [registrations[0][1] for registrations in by_customer.values() if len(registrations) == 1]
    try:
        left = set(ctx.accounts.create_accounts([customer_events.new_account(event) for event in single], now)
                   if len(single) > 1 else [event.bound_customer_id for event in single])
    except Exception:  # noqa: BLE001 - the one-at-a-time path retries each and reports its own failures
        left = {event.bound_customer_id for event in single}
    remaining = [registrations for registrations in by_customer.values()
                 if len(registrations) > 1 or registrations[0][1].bound_customer_id in left]
    for failures in in_parallel(register_all, remaining, ctx.parallel_sessions):
        outcome.failures.update(failures)
    # every customer an event names: whether it exists decides what happens to the event
    wanted = [e.customer_id for _, e in events if e.customer_id and e.type not in IGNORED_TYPES]
    if wanted:
        try:
            profiles.update(ctx.customers.get_profiles(wanted))
        except Exception as error:  # noqa: BLE001 - only the logins needing a stored profile are retried
            missing = set(wanted)
            _fail(events, lambda event: event.type in BINDING_TYPES and event.customer_id in missing,
                  PROFILE_READ, error, outcome)
    return profiles


def _fail(events: list[tuple[str, StorefrontEvent]], affected: Callable[[StorefrontEvent], bool], what: str,
          error: Exception, outcome: BatchOutcome) -> None:
    logger.error(f"{what} failed", extra={"error_type": type(error).__name__})
    for message_id, event in events:
        if affected(event):
            outcome.failures.setdefault(message_id, f"retry: {what} failed ({type(error).__name__})")


class _PresenceRead(dict[str, PresenceState]):
    """Rows read by session; `unreadable` holds sessions whose read failed (their messages are retried)."""

    def __init__(self) -> None:
        super().__init__()
        self.unreadable: set[str] = set()


def _read_presence(session_ids: list[str], ctx: IngestContext) -> _PresenceRead:
    """One batch read; if it fails, one read per session, so a failure stays with its own session."""
    read = _PresenceRead()
    try:
        read.update(ctx.presence.get_many(session_ids))
        return read
    except Exception as error:  # noqa: BLE001
        logger.warning("presence batch read failed; reading per session", extra={"error_type": type(error).__name__})
    for session_id in session_ids:
        try:
            state = ctx.presence.get(session_id)
        except Exception:  # noqa: BLE001
            read.unreadable.add(session_id)
            continue
        if state is not None:
            read[session_id] = state
    return read


def _write_presence(by_session: dict[str, list[tuple[str, StorefrontEvent]]], read: _PresenceRead,
                    config: OnlineCustomersConfig, profiles: dict[str, CustomerSnapshot], ctx: IngestContext,
                    gone: set[str], outcome: BatchOutcome) -> None:
    """Every session's row folded and written, packed into few transactions with the customers'
    login/logout times (PresenceStore.save_many); a session whose write keeps failing has its
    messages retried, the others are unaffected.

    A session whose row moved meanwhile is read again (consistently), folded again, and its
    collection changes start from that row (`read` is updated); a binding to
    a customer deleted meanwhile fails in its transaction: that customer's events are left out
    (added to `gone`) and the rest folded again; a profile changed since it was read is read again.
    """
    stored: dict[str, PresenceState | None] = {}
    for session_id, pairs in by_session.items():
        if session_id in read.unreadable:
            for message_id, _ in pairs:
                outcome.failures[message_id] = "retry: presence read failed"
        elif pairs:
            stored[session_id] = read.get(session_id)
    pending = list(stored)
    interval = config.online_minutes_interval
    for attempt in range(PRESENCE_WRITE_ATTEMPTS):
        writes = []
        for session_id in pending:
            try:
                write = _presence_write([e for _, e in by_session[session_id]], stored[session_id], config,
                                        profiles, ctx, gone)
            except Exception as error:  # noqa: BLE001 - a profile read failed: this session is retried
                _fail_session(by_session[session_id], error, outcome)
                continue
            if write is not None:
                writes.append(write)
        results = ctx.presence.save_many(_same_times(writes), interval) if writes else {}
        pending, raced = [], []
        for write in writes:
            session_id = write.state.session_id
            result = results[session_id]
            if result == SAVED:
                outcome.presence_writes += 1
                continue
            pending.append(session_id)
            if isinstance(result, CustomerGone):
                gone.add(result.customer_id)  # the row did not change: fold again without that customer's events
            elif isinstance(result, ProfileChanged):
                # an admin save landed between the profile read and this binding: copy the new one
                try:
                    profiles.update(ctx.customers.get_profiles([result.customer_id]))
                except Exception as error:  # noqa: BLE001 - this session is retried
                    pending.pop()
                    _fail_session(by_session[session_id], error, outcome)
            elif result == LOST_RACE:
                raced.append(session_id)
            else:
                pending.pop()
                _fail_session(by_session[session_id], result, outcome)
        if raced:
            pause(PRESENCE_BACKOFF, attempt)  # a concurrent writer: let it finish, then re-read (consistently)
            try:
                fresh = ctx.presence.get_many(raced)
            except Exception as error:  # noqa: BLE001 - these sessions are retried
                for session_id in raced:
                    _fail_session(by_session[session_id], error, outcome)
                pending = [session_id for session_id in pending if session_id not in raced]
            else:
                stored.update({session_id: fresh.get(session_id) for session_id in raced})
                for session_id in raced:  # its guest-cart marker, runs and binding are the ones to judge by
                    if session_id in fresh:
                        read[session_id] = fresh[session_id]
        if not pending:
            return
    for session_id in pending:
        _fail_session(by_session[session_id], RuntimeError("presence write kept conflicting"), outcome)


def _same_times(writes: list[PresenceWrite]) -> list[PresenceWrite]:
    """Every write touching a customer carries the batch's newest times of that customer.

    Two sessions of one customer are written in different transactions (dal/presence_store.py::pack);
    carrying the same times, the second never holds an older one (which would cancel its transaction),
    and either one landing records them.
    """
    newest: dict[str, dict[str, int]] = {}
    for write in writes:
        for customer_id, times in write.activity.items():
            merged = newest.setdefault(customer_id, {})
            for name, at in times.items():
                merged[name] = max(merged.get(name, 0), at)
    return [replace(write, activity={customer_id: newest[customer_id] for customer_id in write.activity})
            for write in writes]


def _fail_session(pairs: list[tuple[str, StorefrontEvent]], error: Exception | str, outcome: BatchOutcome) -> None:
    logger.error("presence write failed", extra={"error_type": type(error).__name__})
    for message_id, _ in pairs:
        outcome.failures.setdefault(message_id, f"retry: presence write failed ({type(error).__name__})")


def _presence_write(events: list[StorefrontEvent], current: PresenceState | None, config: OnlineCustomersConfig,
                    profiles: dict[str, CustomerSnapshot], ctx: IngestContext, gone: set[str]) -> PresenceWrite | None:
    """The session's row with its events folded (None: nothing changes), and what goes with it.

    The row notes the guest cart lines its events may write (`note_guest_cart`) before any is written.
    """
    live = [e for e in events if e.customer_id not in gone]
    interval = config.online_minutes_interval

    def fold() -> PresenceState | None:
        return note_guest_cart(apply_events(current, live, interval, profiles), live, config.customer_data_lifetime)

    updated = fold()
    revived = updated.customer_id if updated is not None else None
    if revived and revived not in profiles and revived != (current.customer_id if current else None):
        # a late event bridged into a run whose sign-in no event of this batch names: read that profile
        profiles.update(ctx.customers.get_profiles([revived]))
        updated = fold()
    if updated is None or updated == current:
        return None  # nothing newer (replays, or only older presence fields)
    bound_before = current.customer_id if current else None
    # every customer logging in here, even if a later logout in the batch unbinds it: the session is theirs too
    logins = frozenset(e.customer_id for e in live
                       if e.type in BINDING_TYPES and e.customer_id and e.customer_id != bound_before)
    activity = {customer_id: times for customer_id, times in account_touches(current, live, interval, profiles).items()
                if customer_id not in gone}
    return PresenceWrite(updated, current, logins, activity)


@dataclass
class _Step:
    """One piece of a session's collection work: an account update or a collection change builder."""

    message_id: str
    event: StorefrontEvent
    build: ChangeBuilder | None = None
    account_update: bool = False
    attempts: int = 0


def _session_steps(session_events: list[tuple[str, StorefrontEvent]], state: PresenceState | None,
                   config: OnlineCustomersConfig, profiles: dict[str, CustomerSnapshot], now: int) -> Iterator[_Step]:
    """A session's account and collection steps, oldest event first, each judged at its own time."""
    for message_id, event in sorted(session_events, key=lambda pair: pair[1].occurred_ms):
        runs_before = len(state.runs or (legacy_run(state),)) if state else 0
        state = note_guest_cart(apply_event(state, event, config.online_minutes_interval, profiles), [event],
                                config.customer_data_lifetime)
        bridged = state is not None and len(state.runs) < runs_before
        if event.type == "account_updated":  # logins and logouts are stamped with the row (_write_presence)
            yield _Step(message_id, event, account_update=True)
        for build in _changes_for(event, state, config, now, bridged):
            yield _Step(message_id, event, build=build)


def _apply_collections(groups: list[list[str]], by_session: dict[str, list[tuple[str, StorefrontEvent]]],
                       read: _PresenceRead, config: OnlineCustomersConfig, profiles: dict[str, CustomerSnapshot],
                       ctx: IngestContext, now: int, gone: set[str], outcome: BatchOutcome) -> None:
    """Every session's account and collection changes, in rounds: each group of sessions (no two
    share a customer: `independent_groups`) takes its next step in every round. A round's reads
    (guest carts to merge, lines over the cap, stored consent) run side by side
    (IngestContext.parallel_sessions at once) and its account updates together
    (customer_events.update_accounts); its collection changes are written together, packed
    into as few transactions as DynamoDB allows (CustomerStore.apply_changes). A change that met a
    concurrent one is built again (re-read) in the next round, up to CHANGE_ATTEMPTS times."""

    def lane(group: list[str]) -> Iterator[_Step]:
        for session_id in group:
            pairs = [(m, e) for m, e in by_session[session_id] if m not in outcome.failures]
            for message_id, event in pairs:
                if event.customer_id in gone:
                    _drop(outcome, message_id, event)
            pairs = [(m, e) for m, e in pairs if m not in outcome.dropped]
            yield from _session_steps(pairs, read.get(session_id), config, profiles, now)

    def next_step(steps: Iterator[_Step]) -> _Step | None:
        # the steps of a message that failed or was dropped are skipped
        return next((s for s in steps if s.message_id not in outcome.failures and s.message_id not in outcome.dropped),
                    None)

    def update_accounts(steps: list[_Step]) -> dict[int, Exception | None]:
        """The round's account updates (one customer each: groups share none), read and saved together."""
        if not steps:
            return {}
        try:
            results = customer_events.update_accounts([step.event for step in steps], ctx.accounts, now,
                                                      ctx.parallel_sessions)
        except Exception as error:  # noqa: BLE001 - the shared read failed: these messages are retried
            results = [error] * len(steps)
        return {id(step): result for step, result in zip(steps, results, strict=True)}

    def prepare(step: _Step) -> list[CollectionChange] | Exception:
        try:
            assert step.build is not None
            return step.build(ctx)
        except Exception as error:  # noqa: BLE001 - settled per message below
            return error

    def prepare_round(steps: list[_Step]) -> list[list[CollectionChange] | Exception]:
        """Each step's changes (an account update has none: it is saved here); the account updates
        go together as one task beside the others' reads, last (in_parallel runs its first task alone)."""
        updates = [step for step in steps if step.account_update]
        tasks: list[Callable[[], Any]] = [partial(prepare, step) for step in steps if not step.account_update]
        if updates:
            tasks.append(partial(update_accounts, updates))
        done = in_parallel(lambda task: task(), tasks, ctx.parallel_sessions)
        updated: dict[int, Exception | None] = done.pop() if updates else {}
        built = iter(done)
        return [(updated[id(step)] or []) if step.account_update else next(built) for step in steps]

    heads = [(steps, step) for steps in map(lane, groups) if (step := next_step(steps)) is not None]
    while heads:
        prepared = prepare_round([step for _, step in heads])
        changes = [change for built in prepared if not isinstance(built, Exception) for change in built]
        try:
            written = ctx.customers.apply_changes(changes) if changes else []
        except Exception as error:  # noqa: BLE001 - the round's changes are retried with their messages
            written = [error] * len(changes)
        results = iter(written)
        following = []
        for (steps, step), built in zip(heads, prepared, strict=True):
            if isinstance(built, Exception):
                errors = [built]
            else:
                mine = [next(results) for _ in built]
                outcome.duplicates += sum(1 for result in mine if result == DUPLICATE)
                errors = [result for result in mine if isinstance(result, Exception)]
            if errors and all(isinstance(e, ChangeConflict) for e in errors) and step.attempts + 1 < CHANGE_ATTEMPTS:
                step.attempts += 1
                following.append((steps, step))  # built again (re-read) in the next round
                continue
            if errors:
                _settle_failure(step, errors[0], outcome)
            upcoming = next_step(steps)
            if upcoming is not None:
                following.append((steps, upcoming))
        heads = following


def _settle_failure(step: _Step, error: Exception, outcome: BatchOutcome) -> None:
    if isinstance(error, EventInvalid):
        outcome.failures[step.message_id] = f"invalid event: {error.reason}"
    elif isinstance(error, CustomerGone):
        _drop(outcome, step.message_id, step.event)  # deleted while the batch ran: nothing was written
    else:  # transient: the message is retried
        outcome.failures[step.message_id] = f"retry: collection change failed ({type(error).__name__})"


def _changes_for(event: StorefrontEvent, state: PresenceState | None, config: OnlineCustomersConfig,
                 now: int, bridged: bool = False) -> Iterator[ChangeBuilder]:
    """Callables building the event's changes (rebuilt on retry so merges re-read the guest cart).

    `state` is the session after the event; `bridged`: the event joined runs that were apart.
    """
    # unsaved data lives customer_data_lifetime after its last change: this event's time, not ingest time
    guest_expiry = unsaved_data_expiry(event.occurred_ms, config.customer_data_lifetime)
    at = event.occurred_ms
    # who was signed in when the event happened, not who is now: a late event keeps its own time's effects
    signed = signed_in_at(state, at) if state else None
    customer_id = event.customer_id or (signed.customer_id if signed else None)
    data = event.data
    single: Operation | None = None
    if event.type in ("cart_item_added", "cart_item_updated", "cart_item_removed"):
        holder = event.customer_id or (cart_holder(state, at, config.customer_data_lifetime) if state else None)
        owner = CartOwner("customer", holder) if holder else CartOwner("guest", event.session_id)
        expires = None if owner.kind == "customer" else guest_expiry
        if event.type == "cart_item_added":
            add = CartLineAdd(owner, data["sku"], data["qty"], data.get("name"), data.get("price"), expires,
                              max_qty_before=MAX_CART_QTY - data["qty"])
            yield _capped_add(event, add, now)
        elif event.type == "cart_item_updated":
            single = CartLineSet(owner, data["sku"], data["qty"], data.get("name"), data.get("price"), expires)
        else:
            single = CartLineRemove(owner, data["sku"])
    elif event.type == "checkout_draft_saved":
        single = CheckoutDraftSave(event.session_id, json.dumps(data, sort_keys=True), guest_expiry, customer_id)
    elif event.type == "order_placed" and customer_id:
        total = data.get("total") or "0.00"
        # an order placed in a Login as Customer session: "admin <subject>", as admin-created orders say it
        assisted_by = signed.assisted_by if signed and signed.customer_id == customer_id else None
        placed_by = f"admin {assisted_by}" if assisted_by else None
        single = OrderPut(customer_id, data["order_id"], total, at, placed_by=placed_by)
    elif event.type == "wishlist_item_added":
        single = WishlistAdd(event.bound_customer_id, data["sku"], at)
    elif event.type == "wishlist_item_removed":
        single = WishlistRemove(event.bound_customer_id, data["sku"])
    elif event.type == "review_submitted" and customer_id:
        single = ReviewPut(customer_id, data.get("review_id") or event.event_id, data["sku"], data.get("rating"), at)
    elif event.type in ("newsletter_subscribed", "newsletter_unsubscribed"):
        consent = NewsletterSet(event.bound_customer_id, event.website_id, event.type == "newsletter_subscribed", at)
        yield _newest_consent(event, consent, now)
    if single is not None:
        operation = single
        yield lambda ctx: [CollectionChange(event.event_id, "apply", (operation,), now)]
    if (event.type in BINDING_TYPES and signed is not None and signed.customer_id == event.bound_customer_id) \
            or bridged:
        # every effective sign-in (also one arriving late into an earlier run), and every late event
        # joining runs: guest lines now known to be a customer's move as they would have in time order
        yield _merge(event, state, config.customer_data_lifetime, now)


def _newest_consent(event: StorefrontEvent, consent: NewsletterSet, now: int) -> ChangeBuilder:
    """The subscription decision, unless a newer one (by time, from any writer) is stored (SPEC 9).

    The write itself is guarded by "stored time <= this one": a newer decision landing meanwhile
    cancels it, and the retry reads that decision and writes nothing.
    """
    def build(ctx: IngestContext) -> list[CollectionChange]:
        stored_at = ctx.customers.newsletter_changed_at(consent.customer_id, consent.website_id)
        if stored_at is not None and stored_at > consent.changed_at:
            return []  # an older decision arriving late
        return [CollectionChange(event.event_id, "apply", (consent,), now)]

    return build


def _capped_add(event: StorefrontEvent, add: CartLineAdd, now: int) -> ChangeBuilder:
    """The add, guarded so the resulting line stays within MAX_CART_QTY.

    The first attempt is the guarded add alone (a replay is then recognised by its marker,
    whatever the line holds now). When the guard refused it, the line is read: if the resulting
    quantity would pass the cap the event is rejected, else the line changed meanwhile and the
    add is tried again.
    """
    attempts = [0]

    def build(ctx: IngestContext) -> list[CollectionChange]:
        attempts[0] += 1
        if attempts[0] > 1:
            current = next((line.qty for line in ctx.customers.cart_lines(add.owner) if line.sku == add.sku), 0)
            if current + add.qty > MAX_CART_QTY:
                raise EventInvalid(f"data.qty: the cart line would hold more than {MAX_CART_QTY}")
        return [CollectionChange(event.event_id, "apply", (add,), now)]

    return build


def _merge(event: StorefrontEvent, state: PresenceState | None, data_lifetime_minutes: int, now: int) -> ChangeBuilder:
    """The merge, first without reading the customers' carts (each move guarded so the line stays
    within MAX_CART_QTY); when a guard refused it, built again reading them, so the moves are capped."""
    attempts = [0]

    def build(ctx: IngestContext) -> list[CollectionChange]:
        attempts[0] += 1
        return merge_guest_cart(event, state, data_lifetime_minutes, ctx, now, read_held=attempts[0] > 1)

    return build


def merge_guest_cart(event: StorefrontEvent, state: PresenceState | None, data_lifetime_minutes: int,
                     ctx: IngestContext, now: int, read_held: bool = True) -> list[CollectionChange]:
    """Move each of the session's guest lines that now has a holder into that customer's saved cart.

    A line's holder (logic/presence.py::cart_holder) is judged at the line's last change, which is
    its `expires_at` less the data lifetime: the customer signed in then, or the first one signing
    in after it while it was unexpired. A sign-in gives lines a holder, and so does a late event
    that joins a signed-in run to later guest activity; judged on the whole state, a late event
    moves the same lines as in time order. Quantities add up to at most MAX_CART_QTY per line
    (what would pass it is dropped with the guest line): with `read_held` the customers' carts are
    read to cap each move; without, every line moves whole and its add is guarded, so one that
    would pass the cap cancels the change (ChangeConflict) and `_merge` builds it again reading them.
    """
    if state is None or state.guest_cart_until == 0:
        return []  # the row proves the session never wrote a guest line (logic/presence.py::note_guest_cart)
    guest = CartOwner("guest", event.session_id)
    lifetime_s = data_lifetime_minutes * 60
    moves = [(line, holder) for line in ctx.customers.cart_lines(guest) if line.expires_at is not None
             and (holder := cart_holder(state, (line.expires_at - lifetime_s) * 1000, data_lifetime_minutes))]
    # without `read_held` every line moves whole, guarded: the add fails if it would pass the cap
    held: dict[str, dict[str, int]] = defaultdict(dict)
    if read_held:
        held.update({holder: {line.sku: line.qty for line in ctx.customers.cart_lines(CartOwner("customer", holder))}
                     for holder in {holder for _, holder in moves}})
    changes = []
    for start in range(0, len(moves), MERGE_LINES_PER_TRANSACTION):
        operations: list[Operation] = []
        for line, holder in moves[start:start + MERGE_LINES_PER_TRANSACTION]:
            before = held[holder].get(line.sku, 0)
            moved = max(0, min(line.qty, MAX_CART_QTY - before))
            if moved:
                operations.append(CartLineAdd(CartOwner("customer", holder), line.sku, moved, line.name, line.price,
                                              None, max_qty_before=MAX_CART_QTY - moved))
            operations.append(CartLineRemove(guest, line.sku, expected_qty=line.qty))
        changes.append(CollectionChange(event.event_id, f"merge-{start // MERGE_LINES_PER_TRANSACTION}",
                                        tuple(operations), now))
    return changes
