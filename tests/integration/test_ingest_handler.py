"""IngestFunction against moto: the presence state machine end to end, with call counts."""

from __future__ import annotations

from tests.integration.lambdas import invoke_http
from tests.support import eventbridge_envelope, http_event, registered, storefront_event

MIN = 60_000


def online(scopes="online:read", **query):
    status, body, _ = invoke_http("OnlineCustomersFunction",
                                  http_event("GET", "/online-customers", scopes=scopes, query=query or None))
    assert status == 200, body
    return body


def rows_by_session():
    return {row["session_id"]: row for row in online()["items"]}


def test_registration_then_cart_shows_a_customer_row(ingest, clock):
    t = clock.now_ms - 2 * MIN
    failed = ingest([
        registered("v-1", "c-1", t, "ada@example.com"),
        storefront_event("cart_item_added", "v-1", t + 1000, customer_id="c-1",
                         data={"sku": "MH01", "qty": 1, "price": "52.00"}, url="https://shop.example/cart"),
    ])
    assert failed == [False, False]
    row = rows_by_session()["v-1"]
    assert row["type"] == "customer"
    assert row["customer_id"] == "c-1"
    assert (row["first_name"], row["last_name"], row["email"], row["company"]) == (
        "Ada", "Lovelace", "ada@example.com", "Analytical Ltd")
    assert row["last_url"] == "https://shop.example/cart"


def test_page_view_alone_changes_nothing(ingest, clock, dynamo_calls):
    failed = ingest([storefront_event("page_viewed", "v-page", clock.now_ms - MIN)])
    assert failed == [False]
    assert "v-page" not in rows_by_session()
    assert dynamo_calls["PutItem"] == 0 and dynamo_calls["TransactWriteItems"] == 0


def test_one_presence_write_per_session_per_batch(ingest, clock, dynamo_calls):
    t = clock.now_ms - 5 * MIN
    events = []
    for s in range(10):
        for k in range(10):
            events.append(storefront_event("cart_item_updated", f"v-{s}", t + k * 1000,
                                           data={"sku": f"S{k}", "qty": 2}))
    ingest([storefront_event("page_viewed", "warm", t)])  # registers the website first
    dynamo_calls.reset()
    assert not any(ingest(events))
    # a row whose second changes moves the summary's counters with it, in one transaction
    presence_writes = [p for name, p in dynamo_calls.log if name == "PutItem" and p["TableName"] == "PresenceTable"]
    presence_writes += [item for name, p in dynamo_calls.log if name == "TransactWriteItems"
                        for item in p["TransactItems"] if item.get("Put", {}).get("TableName") == "PresenceTable"]
    assert len(presence_writes) == 10
    assert dynamo_calls["BatchGetItem"] == 1
    assert dynamo_calls["Scan"] == 0


def test_logout_removes_row_and_late_event_does_not_bring_it_back(ingest, clock):
    t = clock.now_ms - 3 * MIN
    ingest([registered("v-2", "c-2", t, "bob@example.com")])
    assert "v-2" in rows_by_session()
    ingest([storefront_event("customer_logged_out", "v-2", t + 2000, customer_id="c-2")])
    assert "v-2" not in rows_by_session()
    ingest([storefront_event("cart_item_added", "v-2", t + 1000, customer_id="c-2", data={"sku": "A1"})])
    assert "v-2" not in rows_by_session()


def test_invalid_event_fails_alone(ingest, clock):
    good = storefront_event("cart_item_added", "v-3", clock.now_ms - MIN, data={"sku": "A1"})
    bad = storefront_event("cart_item_added", "v-4", clock.now_ms - MIN, data={"sku": "A1", "qty": -3})
    assert ingest([bad, good, "not json"]) == [True, False, True]
    assert "v-3" in rows_by_session()


def test_eventbridge_envelope_is_unwrapped(ingest, clock):
    event = storefront_event("cart_item_added", "v-eb", clock.now_ms - MIN, data={"sku": "A1"})
    assert ingest([eventbridge_envelope(event)]) == [False]
    assert rows_by_session()["v-eb"]["type"] == "visitor"
