"""The presence state machine (SPEC 2.1): how storefront events change one session's row.

Pure functions, no I/O. Any order of arrival converges on the same row for events that
arrive within the interval of each other, because every field group is last-writer-wins by
event time (`occurred_at`), ties apply, and replays rewrite identical values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shopadmin.logic.online_window import MINUTE_MS
from shopadmin.models.events import BINDING_TYPES, IGNORED_TYPES, StorefrontEvent
from shopadmin.models.presence import CustomerSnapshot, PresenceState


def changes_presence(event: StorefrontEvent) -> bool:
    """Page views alone change nothing (they are accepted and counted only)."""
    return event.type not in IGNORED_TYPES


def apply_event(
    state: PresenceState | None,
    event: StorefrontEvent,
    interval_minutes: int,
    profiles: Mapping[str, CustomerSnapshot],
) -> PresenceState | None:
    if not changes_presence(event):
        return state
    at = event.occurred_ms
    if state is None:
        state = PresenceState(
            session_id=event.session_id, website_id=event.website_id,
            last_activity=at, session_start=at, last_url=event.url,
        )
    newest = at >= state.last_activity

    if newest and at - state.last_activity > interval_minutes * MINUTE_MS:
        # The session ended by inactivity: the customer must log in again (the cart is kept,
        # it belongs to the customer), and what follows is a new visit.
        state = state.evolve(
            customer_id=None, customer=CustomerSnapshot(), assisted_by=None, signed_out=False,
            bound_at=max(state.bound_at, state.last_activity + interval_minutes * MINUTE_MS),
            profile_at=max(state.profile_at, state.last_activity + interval_minutes * MINUTE_MS),
            session_start=at,
        )

    if event.type in BINDING_TYPES and at >= state.bound_at:
        state = state.evolve(
            customer_id=event.bound_customer_id,
            customer=profiles.get(event.bound_customer_id, CustomerSnapshot()),
            bound_at=at, profile_at=at, signed_out=False, assisted_by=None,
        )
    elif event.type == "customer_logged_out" and at >= state.bound_at:
        state = state.evolve(
            customer_id=None, customer=CustomerSnapshot(), bound_at=at, profile_at=at, signed_out=True,
            assisted_by=None,
        )
    # account_updated changes no snapshot here: the account applies it (or refuses it) and changes
    # the customer's rows in the same write (dal/customer_accounts.py), so a row never shows what
    # the account refused.

    if newest:
        state = state.evolve(
            last_activity=at,
            last_url=event.url or state.last_url,
            website_id=event.website_id,
        )
    elif at < state.session_start and state.last_activity - at <= interval_minutes * MINUTE_MS:
        # a late event of the same visit: the visit started earlier than the first event we saw
        state = state.evolve(session_start=at)
    return state


def session_website(state: PresenceState | None, events: Iterable[StorefrontEvent]) -> str | None:
    """The website a session belongs to: its row's, else its earliest state-changing event's (SPEC 6).

    Events naming the session for another website are refused before they reach `apply_event`.
    """
    if state is not None:
        return state.website_id
    first = min((e for e in events if changes_presence(e)), key=lambda e: e.occurred_ms, default=None)
    return first.website_id if first else None


def apply_events(
    state: PresenceState | None,
    events: Iterable[StorefrontEvent],
    interval_minutes: int,
    profiles: Mapping[str, CustomerSnapshot],
) -> PresenceState | None:
    """Fold a session's events, oldest first (stable: equal times keep arrival order)."""
    for event in sorted(events, key=lambda e: e.occurred_ms):
        state = apply_event(state, event, interval_minutes, profiles)
    return state


# ------------------------------------------------------------------ admin actions (SPEC 3.3)
def assisted_login(
    state: PresenceState | None,
    *,
    session_id: str,
    website_id: str,
    customer_id: str,
    snapshot: CustomerSnapshot,
    admin: str,
    at: int,
    interval_minutes: int,
) -> PresenceState:
    """Login as Customer redeemed at `at`: the session is the customer's, started by `admin`.

    Works like a login event at `at` (a new binding, `bound_at` = at, activity now) that also
    records who assists; a later storefront login or logout replaces it as usual.
    """
    if state is None:
        return PresenceState(
            session_id=session_id, website_id=website_id, last_activity=at, session_start=at,
            customer_id=customer_id, customer=snapshot, bound_at=at, profile_at=at, assisted_by=admin,
        )
    new_visit = at - state.last_activity > interval_minutes * MINUTE_MS
    return state.evolve(
        website_id=website_id,
        last_activity=max(state.last_activity, at),
        session_start=at if new_visit else state.session_start,
        customer_id=customer_id, customer=snapshot, signed_out=False, assisted_by=admin,
        bound_at=max(state.bound_at, at), profile_at=max(state.profile_at, at),
    )


def forced_sign_out(state: PresenceState | None, customer_id: str, at: int) -> PresenceState | None:
    """Force Sign-In (or Delete Customer) at `at`: like a logout at that time; None when nothing changes.

    `bound_at` moves to `at` (and past any activity already seen), so the row leaves Now Online at
    once, the session check says signed out, and a login event that occurred before `at`, arriving
    late, cannot bind the session again (apply_event binds only when occurred_at >= bound_at). The
    name snapshot is cleared with the binding.
    """
    if state is None or state.customer_id != customer_id:
        return None  # not (or no longer) this customer's session
    cut = max(state.bound_at, state.last_activity, at)
    return state.evolve(
        customer_id=None, customer=CustomerSnapshot(), assisted_by=None, signed_out=True,
        bound_at=cut, profile_at=max(state.profile_at, cut),
    )
