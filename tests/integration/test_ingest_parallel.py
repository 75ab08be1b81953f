"""Sessions that share no customer are applied side by side; the stored result is the one applied one by one."""

from __future__ import annotations

import random

from shopadmin.logic.ingest import independent_groups
from shopadmin.models.collections import CartOwner

from tests.integration.conftest import local_stack, make_ingest
from tests.integration.lambdas import invoke_http
from tests.support import FakeClock, http_event, registered, storefront_event

MIN = 60_000
CUSTOMERS = [f"c-{n}" for n in range(6)]


def _batch(now_ms: int) -> list[dict]:
    """24 sessions: registrations, logins into shared customers, guest carts merged on login, logouts."""
    rng = random.Random(7)
    t = now_ms - 10 * MIN
    events = [registered(f"v-reg-{n}", customer, t + n, f"{customer}@example.com", first=f"F{n}", last=f"L{n}")
              for n, customer in enumerate(CUSTOMERS)]
    for n in range(18):
        session, customer = f"v-{n}", rng.choice(CUSTOMERS)
        at = t + MIN + n * 1000
        events.append(storefront_event("cart_item_added", session, at, data={"sku": f"S{n % 4}", "qty": 1}))
        events.append(storefront_event("customer_logged_in", session, at + 100, customer_id=customer))
        events.append(storefront_event("cart_item_added", session, at + 200, customer_id=customer,
                                       data={"sku": "SHARED", "qty": 1}))
        if n % 3 == 0:
            events.append(storefront_event("customer_logged_out", session, at + 300, customer_id=customer))
    return events


def _stored(now_ms: int) -> dict:
    from shopadmin import wiring

    status, body, _ = invoke_http("OnlineCustomersFunction", http_event(
        "GET", "/online-customers", scopes="online:read", query={"limit": "100"}))
    assert status == 200, body
    status, summary, _ = invoke_http("OnlineCustomersFunction", http_event(
        "GET", "/online-customers/summary", scopes="online:read"))
    assert status == 200, summary
    store = wiring.customer_store()
    carts = {c: sorted((line.sku, line.qty) for line in store.cart_lines(CartOwner("customer", c))) for c in CUSTOMERS}
    rows = sorted((r["session_id"], r["type"], r["customer_id"], r["email"]) for r in body["items"])
    return {"rows": rows, "summary": summary, "carts": carts}


def _apply(monkeypatch, parallel: int) -> dict:
    monkeypatch.setenv("INGEST_PARALLEL_SESSIONS", str(parallel))
    with local_stack(monkeypatch):
        from shopadmin import wiring

        clock = FakeClock()
        wiring.use_clock(clock)
        assert wiring.ingest_context().parallel_sessions == parallel
        events = _batch(clock.now_ms)
        ingest = make_ingest()
        for start in range(0, len(events), 100):
            assert not any(ingest(events[start:start + 100]))
        return _stored(clock.now_ms)


def test_parallel_groups_store_what_one_by_one_stores(monkeypatch):
    one_by_one = _apply(monkeypatch, 1)
    side_by_side = _apply(monkeypatch, 8)
    assert side_by_side == one_by_one
    assert sum(len(cart) for cart in one_by_one["carts"].values()) > len(CUSTOMERS)  # guest lines were merged


def test_sessions_sharing_a_customer_share_a_group():
    from shopadmin.models.events import parse_event

    def event(type_, session, customer=None):
        return parse_event(storefront_event(type_, session, 1_800_000_000_000, customer_id=customer))

    groups = independent_groups({
        "a": [event("customer_logged_in", "a", "c-1")],
        "b": [event("page_viewed", "b")],
        "c": [event("customer_logged_in", "c", "c-2")],
        "d": [event("customer_logged_in", "d", "c-2"), event("customer_logged_in", "d", "c-1")],
        "e": [event("customer_logged_out", "e")],
    }, {})
    assert groups == [["a", "c", "d"], ["b"], ["e"]]


def test_a_stored_sign_in_joins_the_group_of_its_customer():
    from shopadmin.models.events import parse_event
    from shopadmin.models.presence import PresenceState

    login = parse_event(storefront_event("customer_logged_in", "a", 1_800_000_000_000, customer_id="c-1"))
    later = parse_event(storefront_event("customer_logged_out", "b", 1_800_000_000_000))
    row = PresenceState(session_id="b", website_id="base", last_activity=0, session_start=0, customer_id="c-1")
    assert independent_groups({"a": [login], "b": [later]}, {"b": row}) == [["a", "b"]]
    assert independent_groups({"a": [login], "b": [later]}, {}) == [["a"], ["b"]]
