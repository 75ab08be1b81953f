"""The presence state machine (SPEC 2.1, 10): how storefront events change one session's row.

Pure functions, no I/O. A session's activity is kept as runs: maximal spans of its events whose
gaps are within the interval (a gap of exactly the interval keeps the session; one millisecond
more ends it). Each run remembers its sign-in facts (login, registration, logout, assisted
login) by time, so the customer signed in at any moment of it is known too (`signed_in_at`).
The row is read off the newest run: Session Start is its start, last activity its
end, the customer its newest sign-in fact. Runs are the connected pieces of the event times, so
they — and the row — are the same whatever order the events arrive in, duplicates included: a
late event inside a gap bridges the runs on either side as if it had come in time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shopadmin.logic.online_window import MINUTE_MS
from shopadmin.models.events import BINDING_TYPES, IGNORED_TYPES, StorefrontEvent
from shopadmin.models.presence import (
    MAX_ACTIVITY_RUNS,
    MAX_SIGN_INS_PER_RUN,
    ActivityRun,
    CustomerSnapshot,
    PresenceState,
    SignIn,
)


def changes_presence(event: StorefrontEvent) -> bool:
    """Page views alone change nothing (they are accepted and counted only)."""
    return event.type not in IGNORED_TYPES


def sign_in_of(event: StorefrontEvent) -> SignIn | None:
    if event.type in BINDING_TYPES:
        return SignIn(event.occurred_ms, event.bound_customer_id)
    if event.type == "customer_logged_out":
        return SignIn(event.occurred_ms, None)
    return None


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
        state = PresenceState(session_id=event.session_id, website_id=event.website_id, last_activity=at,
                              session_start=at, last_url=event.url)
    newest = at >= state.last_activity
    state = add_activity(state, at, sign_in_of(event), interval_minutes, profiles)
    if newest:
        state = state.evolve(last_url=event.url or state.last_url, website_id=event.website_id)
    return state


def add_activity(state: PresenceState, at: int, sign_in: SignIn | None, interval_minutes: int,
                 profiles: Mapping[str, CustomerSnapshot]) -> PresenceState:
    """`state` with activity at `at` (and its sign-in fact): the runs it touches merge into one."""
    gap = interval_minutes * MINUTE_MS
    runs = list(state.runs) or [legacy_run(state)]
    touched = [run for run in runs if run.start - gap <= at <= run.end + gap]
    facts = {fact for run in touched for fact in run.sign_ins} | ({sign_in} if sign_in else set())
    merged = ActivityRun(start=min([at, *(run.start for run in touched)]), end=max([at, *(run.end for run in touched)]),
                         sign_ins=_kept_facts(facts))
    kept = sorted([run for run in runs if run not in touched] + [merged], key=lambda run: run.start)
    return derive(state, tuple(kept[-MAX_ACTIVITY_RUNS:]), profiles)


def legacy_run(state: PresenceState) -> ActivityRun:
    """The one run a row written before runs were kept stands for."""
    fact = None
    if state.customer_id is not None:
        fact = SignIn(state.bound_at, state.customer_id, state.assisted_by)
    elif state.signed_out:
        fact = SignIn(state.bound_at, None)
    return ActivityRun(state.session_start, state.last_activity, (fact,) if fact else ())


def _kept_facts(facts: Iterable[SignIn]) -> tuple[SignIn, ...]:
    return tuple(sorted(set(facts), key=SignIn.order)[-MAX_SIGN_INS_PER_RUN:])


def signed_in_at(state: PresenceState, at: int) -> SignIn | None:
    """The customer sign-in in force at `at` (ms): the newest sign-in fact up to `at` of the run holding `at`.

    None when no customer was signed in then: a visitor, after a logout, a run that began without a
    sign-in (the session had ended), or a fact made void by Force Sign-In / Delete Customer.
    """
    for run in state.runs or (legacy_run(state),):
        if run.start <= at <= run.end:
            fact = max((f for f in run.sign_ins if f.at <= at), key=SignIn.order, default=None)
            if fact is not None and fact.customer_id is not None and fact.at > state.signed_out_at:
                return fact
            return None
    return None


GUEST_LINE_TYPES = frozenset({"cart_item_added", "cart_item_updated"})


def unsaved_data_expiry(occurred_ms: int, data_lifetime_minutes: int) -> int:
    """Epoch s when unsaved data changed at `occurred_ms` expires: its change time + customer_data_lifetime."""
    return occurred_ms // 1000 + data_lifetime_minutes * 60


def note_guest_cart(state: PresenceState | None, events: Iterable[StorefrontEvent],
                    data_lifetime_minutes: int) -> PresenceState | None:
    """The row with `guest_cart_until` raised past every guest cart line these events may write.

    Any cart add or update naming no customer may write a guest line (whether it does depends on
    sign-ins that may arrive later), so each raises it to that line's expiry: a max, the same in
    any arrival order. The row is written before the lines (logic/ingest.py), and its TTL is at
    least this time, so 0 on a stored row proves the session holds no guest line and a sign-in
    skips reading the guest cart. An unknown value (None: a row from before it was kept) stays
    unknown.
    """
    if state is None or state.guest_cart_until is None:
        return state
    until = max([state.guest_cart_until] + [unsaved_data_expiry(event.occurred_ms, data_lifetime_minutes)
                                            for event in events
                                            if event.type in GUEST_LINE_TYPES and event.customer_id is None])
    return state if until == state.guest_cart_until else state.evolve(guest_cart_until=until)


def cart_holder(state: PresenceState, at: int, data_lifetime_minutes: int) -> str | None:
    """The customer whose saved cart holds a cart change made at `at` (ms) on this session (SPEC 2.3).

    The customer signed in then; else the customer of the session's first sign-in after `at` while
    the guest line was still unexpired (that login merged, or merges, the guest cart); else None:
    the change stays in the session's guest cart. Only sign-ins already folded into `state` count:
    one arriving later merges the guest cart when it comes (logic/ingest.py::merge_guest_cart).
    """
    fact = signed_in_at(state, at)
    if fact is not None:
        return fact.customer_id
    expires_s = unsaved_data_expiry(at, data_lifetime_minutes)
    later = [f for run in state.runs for f in run.sign_ins
             if f.customer_id is not None and at <= f.at and f.at // 1000 < expires_s
             and signed_in_at(state, f.at) == f]
    first = min(later, key=SignIn.order, default=None)
    return first.customer_id if first else None


def derive(state: PresenceState, runs: tuple[ActivityRun, ...], profiles: Mapping[str, CustomerSnapshot]
           ) -> PresenceState:
    """The row read off the newest run; sign-in facts up to a forced sign-out (`signed_out_at`) are void."""
    newest = runs[-1]
    fact = newest.sign_in
    if fact is not None and fact.at <= state.signed_out_at:
        fact = SignIn(state.signed_out_at, None)  # Force Sign-In / Delete Customer at that time
    customer_id = fact.customer_id if fact else None
    if customer_id is None:
        customer = CustomerSnapshot()
    elif customer_id == state.customer_id and state.customer != CustomerSnapshot():
        customer = state.customer  # the account's own writes keep a bound row's name current
    elif customer_id in profiles:
        customer = profiles[customer_id]
    else:
        customer = CustomerSnapshot()  # ingest reads the profile and folds again (logic/ingest.py)
    return state.evolve(
        runs=runs, session_start=newest.start, last_activity=max(state.last_activity, newest.end),
        customer_id=customer_id, customer=customer, assisted_by=fact.assisted_by if fact else None,
        signed_out=fact is not None and fact.customer_id is None, bound_at=fact.at if fact else newest.start,
        profile_at=fact.at if fact else newest.start,
    )


def account_touches(state: PresenceState | None, events: Iterable[StorefrontEvent], interval_minutes: int,
                    profiles: Mapping[str, CustomerSnapshot]) -> dict[str, dict[str, int]]:
    """customer id -> {"last_login_at" | "last_logout_at": the newest of the events' times, epoch ms}.

    A login or registration stamps its customer; a logout stamps the customer it names, else the one
    the row showed just before it (folding oldest first from `state`, as the events apply). The
    store keeps each time only if it moves forward (dal/account_activity.py).
    """
    touches: dict[str, dict[str, int]] = {}
    for event in sorted(events, key=lambda e: e.occurred_ms):
        bound_before = state.customer_id if state else None
        state = apply_event(state, event, interval_minutes, profiles)
        if event.type in BINDING_TYPES:
            customer_id, name = event.bound_customer_id, "last_login_at"
        elif event.type == "customer_logged_out" and (event.customer_id or bound_before):
            customer_id, name = event.customer_id or bound_before or "", "last_logout_at"
        else:
            continue
        times = touches.setdefault(customer_id, {})
        times[name] = max(times.get(name, 0), event.occurred_ms)
    return touches


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

    Works like a login event at `at` (activity now, a sign-in fact of its run) that also records
    who assists; a later storefront login or logout replaces it as usual.
    """
    if state is None:
        state = PresenceState(session_id=session_id, website_id=website_id, last_activity=at, session_start=at)
    newest = at >= state.last_activity
    state = add_activity(state, at, SignIn(at, customer_id, admin), interval_minutes, {customer_id: snapshot})
    return state.evolve(website_id=website_id) if newest else state


def forced_sign_out(state: PresenceState | None, customer_id: str, at: int) -> PresenceState | None:
    """Force Sign-In (or Delete Customer) at `at`: like a logout at that time; None when nothing changes.

    For a session bound to the customer, every sign-in fact up to the cut (`at`, and past any
    activity already seen) is void: the row leaves Now Online at once, the session check says
    signed out, and a login event that occurred before the cut, arriving late, cannot bind the
    session again. The void facts become logouts at the cut, so the row keeps no customer id it no
    longer shows. A session the customer left earlier only has the customer's facts in older runs
    turned into logouts at their own times: a late event bridging to them shows no one signed in,
    and Delete Customer leaves the id nowhere.
    """
    if state is None:
        return None
    runs = state.runs or (legacy_run(state),)
    if state.customer_id == customer_id:
        cut = max(state.bound_at, state.last_activity, at)
        voided = tuple(ActivityRun(run.start, run.end, _kept_facts([SignIn(cut, None), *(f for f in run.sign_ins
                                                                                   if f.at > cut)]))
                       if any(f.at <= cut for f in run.sign_ins) else run for run in runs)
        return derive(state.evolve(signed_out_at=max(state.signed_out_at, cut)), voided, {})
    scrubbed = tuple(ActivityRun(run.start, run.end, _kept_facts(SignIn(f.at, None) if f.customer_id == customer_id
                                                                 else f for f in run.sign_ins))
                     if any(f.customer_id == customer_id for f in run.sign_ins) else run for run in runs)
    if scrubbed == runs:
        return None  # not (or no longer) this customer's session
    return derive(state, scrubbed, {})
