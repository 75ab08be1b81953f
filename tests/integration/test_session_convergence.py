"""SPEC 10: a session's row is the same whatever order its events arrive in, over any span (issue 23 item 4)."""

from __future__ import annotations

from tests.integration.admin_support import online_rows
from tests.support import registered, storefront_event

MIN = 60_000


def test_a_late_event_bridging_to_an_earlier_sign_in_shows_that_customer_with_its_name(ingest, clock):
    t = clock.now_ms - 25 * MIN
    assert ingest([registered("v-0", "c-1", t - MIN, "ada@example.com")]) == [False]
    assert ingest([storefront_event("customer_logged_in", "v-1", t, customer_id="c-1")]) == [False]
    assert ingest([storefront_event("cart_item_added", "v-1", t + 20 * MIN, data={"sku": "A"})]) == [False]
    row = online_rows()["v-1"]
    assert row["type"] == "visitor"  # 20 minutes without activity ended the customer's session
    # an event of minute 10 arrives late: in time order the session never ended
    assert ingest([storefront_event("page_viewed", "v-1", t + 10 * MIN)]) == [False]  # page views change nothing
    assert online_rows()["v-1"]["type"] == "visitor"
    assert ingest([storefront_event("cart_item_added", "v-1", t + 10 * MIN, data={"sku": "B"})]) == [False]
    row = online_rows()["v-1"]
    assert (row["type"], row["customer_id"], row["email"], row["first_name"]) == \
        ("customer", "c-1", "ada@example.com", "Ada")
    from shopadmin.clock import to_iso

    assert row["session_start"] == to_iso(t)


def test_arrival_order_over_three_intervals_gives_the_in_order_row(ingest, clock):
    t = clock.now_ms - 40 * MIN
    assert ingest([registered("v-0", "c-1", t - MIN, "ada@example.com")]) == [False]
    events = [storefront_event("customer_logged_in", "v-a", t, customer_id="c-1"),
              storefront_event("cart_item_added", "v-a", t + 15 * MIN, data={"sku": "A"}),   # exactly the interval
              storefront_event("cart_item_added", "v-a", t + 30 * MIN + 1, data={"sku": "B"}),  # one ms more
              storefront_event("customer_logged_in", "v-a", t + 31 * MIN, customer_id="c-1"),
              storefront_event("cart_item_added", "v-a", t + 39 * MIN, data={"sku": "C"})]
    in_order_session = "v-b"
    assert ingest([{**e, "session_id": in_order_session, "event_id": e["event_id"] + "-b"} for e in events]) == \
        [False] * len(events)
    for index in (4, 2, 0, 3, 1, 2):  # one per batch, late ones and a duplicate
        assert ingest([events[index]]) == [False]
    rows = online_rows()
    late, in_order = rows["v-a"], rows[in_order_session]
    for field in ("type", "customer_id", "session_start", "last_activity", "last_url", "assisted_by", "email"):
        assert late[field] == in_order[field], field
