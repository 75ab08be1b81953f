"""User flows against the local stack: storefront events in, Now Online / config / session check out.

Events take both real paths: POST /storefront/events and EventBridge PutEvents (through the
template's rule, SQS, the poller and the ingest handler). Reads are polled for at most 5 s
(SPEC 4: accepted events and config saves are visible within 5 s).
"""

from __future__ import annotations

import json

DLQ_WITHIN_SECONDS = 15  # maxReceiveCount (3) receives, each after the batching window and a 1 s retry delay


def post_events(api, events):
    response = api.post("/storefront/events", json={"events": events})
    assert response.status_code == 202, response.text
    results = response.json()["results"]
    assert [r["event_id"] for r in results] == [e["event_id"] for e in events]
    return results


def test_demo_data_is_online(api):
    rows = api.get("/online-customers", params={"limit": 200}).json()["items"]
    demo = [r for r in rows if r["session_id"].startswith("v-demo-")]
    assert {r["type"] for r in demo} == {"customer", "visitor"}
    assert all(r["email"].endswith("@example.com") for r in demo if r["type"] == "customer")


def test_customer_who_signs_up_and_shops_is_online(api, customer, row_of, wait_for):
    storefront, email = customer
    results = post_events(api, storefront.sign_up_and_shop(email))
    assert {r["status"] for r in results} == {"accepted"}

    row = wait_for(lambda: row_of(storefront.session_id), what="the customer's row")
    assert row["type"] == "customer"
    assert row["customer_id"] == storefront.customer_id
    assert row["email"] == email
    assert (row["first_name"], row["last_name"], row["company"]) == ("Erin", "Tester", "E2E Ltd")
    assert row["website_id"] == "base"
    assert row["last_url"] == "https://shop.example/mh01.html"
    assert row["assisted_by"] is None


def test_page_view_alone_adds_no_row(api, new_visitor, row_of, wait_for):
    browsing, shopping = new_visitor(), new_visitor()
    viewed = browsing.event("page_viewed", path="/women.html", customer=False)
    # Sent in the same request, the shopper's cart change shows when that batch was applied.
    marker = shopping.event("cart_item_added", {"sku": "WS03", "qty": 1}, "/checkout/cart", customer=False)
    results = post_events(api, [viewed, marker])
    assert [r["status"] for r in results] == ["accepted", "accepted"]

    assert wait_for(lambda: row_of(shopping.session_id), what="the shopper's row")["type"] == "visitor"
    assert row_of(browsing.session_id) is None


def test_logout_removes_the_row(api, customer, row_of, wait_for):
    storefront, email = customer
    post_events(api, storefront.sign_up_and_shop(email))
    wait_for(lambda: row_of(storefront.session_id), what="the customer's row")

    post_events(api, [storefront.event("customer_logged_out", path="/customer/account/logout")])
    wait_for(lambda: row_of(storefront.session_id) is None, what="the row gone after logout")


def test_session_check(api, customer, row_of, wait_for):
    storefront, email = customer
    post_events(api, storefront.sign_up_and_shop(email))
    wait_for(lambda: row_of(storefront.session_id), what="the customer's row")

    signed_in = api.get(f"/storefront/sessions/{storefront.session_id}")
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json() == {"session_id": storefront.session_id, "signed_in": True,
                                "customer_id": storefront.customer_id}

    unknown = api.get("/storefront/sessions/v-e2e-never-seen")
    assert unknown.status_code == 200, unknown.text
    assert unknown.json()["signed_in"] is False


def test_same_flow_through_eventbridge(customer, row_of, send_to_bus, wait_for):
    storefront, email = customer
    send_to_bus(storefront.sign_up_and_shop(email))
    row = wait_for(lambda: row_of(storefront.session_id), what="the customer's row (via EventBridge)")
    assert (row["type"], row["email"], row["customer_id"]) == ("customer", email, storefront.customer_id)

    send_to_bus([storefront.event("customer_logged_out")])
    wait_for(lambda: row_of(storefront.session_id) is None, what="the row gone after logout (via EventBridge)")


def test_invalid_event_goes_to_the_dlq_without_blocking_a_valid_one(aws, stack, customer, row_of, send_to_bus,
                                                                     wait_for):
    storefront, email = customer
    invalid = storefront.event("cart_item_added", {"sku": "MH01"})
    invalid["type"] = "not_a_storefront_event"
    send_to_bus([invalid, *storefront.sign_up_and_shop(email)])  # one PutEvents call, one SQS batch

    wait_for(lambda: row_of(storefront.session_id), what="the valid events applied")

    dlq = stack.printed("queue EventsDeadLetterQueue")

    def invalid_in_dlq():
        # VisibilityTimeout 0: peek without hiding the messages from anyone else.
        messages = aws["sqs"].receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                              WaitTimeSeconds=0).get("Messages", [])
        return any(json.loads(m["Body"]).get("detail", {}).get("event_id") == invalid["event_id"] for m in messages)

    wait_for(invalid_in_dlq, timeout=DLQ_WITHIN_SECONDS, what="the invalid event in the DLQ")


def test_saved_config_is_read_back(api, wait_for):
    before = api.get("/config/online-customers")
    assert before.status_code == 200, before.text
    wanted = {"online_minutes_interval": 20, "customer_data_lifetime": 90}
    try:
        saved = api.put("/config/online-customers", json=wanted)
        assert saved.status_code == 200, saved.text
        assert {k: saved.json()[k] for k in wanted} == wanted
        wait_for(lambda: {k: api.get("/config/online-customers").json()[k] for k in wanted} == wanted,
                 what="the saved config read back")
    finally:
        original = {k: before.json()[k] for k in wanted}
        assert api.put("/config/online-customers", json=original).status_code == 200
