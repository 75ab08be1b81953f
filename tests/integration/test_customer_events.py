"""Storefront events keep the Customer Information page right, in any order, once per event id."""

from __future__ import annotations

import os
import random

from tests.integration.test_customers import api
from tests.support import registered, storefront_event

MIN = 60_000


def profile(cid):
    status, body, _ = api("GET", f"/customers/{cid}")
    assert status == 200, body
    return body


def test_registration_creates_a_grid_visible_account_with_its_email_claim(ingest, clock):
    assert ingest([registered("v-1", "c-1", clock.now_ms - MIN, "ada@example.com")]) == [False]
    page = api("GET", "/customers", query={"q": "ada@"})[1]
    assert [c["id"] for c in page["items"]] == ["c-1"]
    status, _, _ = api("POST", "/customers", {"email": "ada@example.com", "first_name": "X", "last_name": "Y",
                                              "website_id": "base"})
    assert status == 409  # the storefront's registration holds the email
    taken = registered("v-2", "c-2", clock.now_ms - MIN, "ada@example.com")
    assert ingest([taken]) == [True]  # another customer with the same email: refused (then the DLQ)


def test_login_and_logout_times_only_move_forward(ingest, clock):
    t = clock.now_ms - 10 * MIN
    ingest([registered("v-1", "c-1", t, "ada@example.com")])
    ingest([storefront_event("customer_logged_out", "v-1", t + 5 * MIN, customer_id="c-1")])
    ingest([storefront_event("customer_logged_in", "v-2", t + 3 * MIN, customer_id="c-1")])
    ingest([storefront_event("customer_logged_in", "v-3", t + 1 * MIN, customer_id="c-1")])  # late
    activity = profile("c-1")["activity"]
    assert activity["last_login_at"].startswith(_iso_minute(t + 3 * MIN))
    assert activity["last_logout_at"].startswith(_iso_minute(t + 5 * MIN))


def _iso_minute(ms):
    from shopadmin.clock import to_iso

    return to_iso(ms)[:16]


def test_account_updated_newest_wins_and_refreshes_the_row(ingest, clock):
    t = clock.now_ms - 10 * MIN
    ingest([registered("v-1", "c-1", t, "ada@example.com")])
    newer = storefront_event("account_updated", "v-1", t + 2 * MIN, customer_id="c-1",
                             data={"last_name": "King", "email": "ada.king@example.com"})
    older = storefront_event("account_updated", "v-1", t + 1 * MIN, customer_id="c-1", data={"last_name": "Byron"})
    assert ingest([newer]) == [False]
    assert ingest([older]) == [False]
    customer = profile("c-1")["customer"]
    assert (customer["last_name"], customer["email"]) == ("King", "ada.king@example.com")
    assert customer["version"] == 2  # an admin editing from version 1 now gets 409
    status, _, _ = api("POST", "/customers", {"email": "ada@example.com", "first_name": "X", "last_name": "Y",
                                              "website_id": "base"})
    assert status == 201  # the old email was released


def test_independent_changes_apply_in_any_order_and_replays_change_nothing(ingest, clock):
    t = clock.now_ms - 10 * MIN
    ingest([registered("v-1", "c-1", t, "ada@example.com")])
    events = [
        storefront_event("order_placed", "v-1", t + 1000, customer_id="c-1",
                         data={"order_id": "o-1", "total": "52.00"}),
        storefront_event("order_placed", "v-1", t + 2000, customer_id="c-1",
                         data={"order_id": "o-2", "total": "10.50"}),
        storefront_event("wishlist_item_added", "v-1", t + 4000, customer_id="c-1", data={"sku": "W2"}),
        storefront_event("review_submitted", "v-1", t + 6000, customer_id="c-1",
                         data={"sku": "MH01", "review_id": "r-1", "rating": 4}),
        storefront_event("newsletter_subscribed", "v-1", t + 7000, customer_id="c-1"),
        # the customer's own website only: an event naming a customer of another website is refused (SPEC 6)
        storefront_event("newsletter_unsubscribed", "v-1", t + 8000, customer_id="c-1"),
    ]
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    for event in shuffled:  # one per batch: every one arrives on its own, some late
        assert ingest([event]) == [False]
    assert not any(ingest(events))  # replayed all at once
    page = profile("c-1")
    assert [o["id"] for o in page["orders"]] == ["o-2", "o-1"]
    assert page["order_stats"] == {"count": 2, "lifetime_sales": "62.50", "average_sale": "31.25"}
    assert [w["sku"] for w in page["wishlist"]] == ["W2"]
    assert [(r["id"], r["rating"], r["status"]) for r in page["reviews"]] == [("r-1", 4, "pending")]
    assert page["newsletter"]["subscriptions"] == {"base": False}  # the newest decision, whatever the order


def test_events_for_an_unknown_customer_are_retried_until_it_is_registered(ingest, clock):
    """SPEC 6: never a nameless customer row; the message fails alone (SQS retries it, then the DLQ)."""
    from tests.integration.admin_support import api, online_rows, scan

    t = clock.now_ms - MIN
    waiting = [storefront_event("customer_logged_in", "v-1", t, customer_id="c-late"),
               storefront_event("account_updated", "v-1", t + 1, customer_id="c-late", data={"company": "Later Ltd"}),
               storefront_event("order_placed", "v-1", t + 2, customer_id="c-late", data={"order_id": "o-1"}),
               storefront_event("customer_logged_out", "v-2", t + 3, customer_id="c-late")]
    visitor = storefront_event("cart_item_added", "v-3", t, data={"sku": "A"})
    assert ingest([*waiting, visitor]) == [True, True, True, True, False]
    assert api("GET", "/customers/c-late")[0] == 404
    assert "v-1" not in online_rows() and "v-3" in online_rows()
    assert not [i for i in scan(os.environ["CUSTOMERS_TABLE"]) if "c-late" in i["pk"]["S"]]
    # the retry after the registration arrived (here in the same batch, after it: registrations go first)
    assert ingest([*waiting, registered("v-0", "c-late", t - 1000, "late@example.com")]) == [False] * 5
    row = online_rows()["v-1"]
    assert row["customer_id"] == "c-late" and row["email"] == "late@example.com"
    page = profile("c-late")
    assert [o["id"] for o in page["orders"]] == ["o-1"] and page["customer"]["company"] == "Later Ltd"


def test_collection_changes_apply_whatever_their_age(ingest, clock):
    """SPEC 2.1: ordering protects presence fields only; each new event id applies, even if late."""
    t = clock.now_ms - 10 * MIN
    ingest([registered("v-1", "c-1", t, "ada@example.com")])
    add = storefront_event("wishlist_item_added", "v-1", t + 1000, customer_id="c-1", data={"sku": "W1"})
    remove = storefront_event("wishlist_item_removed", "v-1", t + 2000, customer_id="c-1", data={"sku": "W1"})
    ingest([add, remove])
    assert profile("c-1")["wishlist"] == []
    ingest([add])  # a replay: nothing
    assert profile("c-1")["wishlist"] == []
    late_add = storefront_event("wishlist_item_added", "v-1", t + 500, customer_id="c-1", data={"sku": "W1"})
    ingest([late_add])  # a new event id, older than the removal: applies
    assert [w["sku"] for w in profile("c-1")["wishlist"]] == ["W1"]
