"""Bounded input through the handlers (SPEC 6 "Bounded input", issue 10, issue 11 item 8)."""

from __future__ import annotations

import json
import re

import boto3
import pytest

from local import template
from tests.integration.lambdas import invoke_http
from tests.support import http_event, registered, storefront_event

MIN = 60_000
ADMIN = "customers:read customers:write"
_ROUTES = template.routes()


def api(method: str, path: str, body=None, *, scopes: str = ADMIN, query: dict | None = None,
        raw_body: str | None = None):
    """Call the function template.yaml wires to this path, with the path parameters it declares."""
    for route in _ROUTES:
        match = route.path_regex.fullmatch(path)
        if route.method == method and match:
            event = http_event(method, path, scopes=scopes, body=body, raw_body=raw_body, query=query,
                               path_parameters=match.groupdict() or None, route=route.key)
            return invoke_http(route.function, event)
    raise AssertionError(f"no route {method} {path}")


def at_year_one(event: dict) -> dict:
    return {**event, "occurred_at": "0001-01-01T00:00:00+14:00"}


def cart(pk: str) -> dict[str, int]:
    response = boto3.client("dynamodb").query(
        TableName="CustomersTable", KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}})
    return {i["sk"]["S"].removeprefix("CART#"): int(i["qty"]["N"]) for i in response["Items"]
            if i["sk"]["S"].startswith("CART#")}


def reads_of(customer_id: str) -> list[tuple[str, dict | None]]:
    return [(f"/customers/{customer_id}", None), ("/customers", {"sort": "created_at"}),
            ("/customers", {"sort": "-created_at"}), ("/customers", {"q": "ada"}),
            (f"/customers/{customer_id}/orders", None)]


# ------------------------------------------------------------------ year 0001 and other far times
def test_a_year_one_event_is_rejected_and_every_read_stays_200(ingest, clock):
    t = clock.now_ms - MIN
    assert ingest([registered("v-1", "c-1", t, "ada@example.com")]) == [False]
    order = storefront_event("order_placed", "v-1", t, customer_id="c-1", data={"order_id": "o-1", "total": "5"})
    registration = registered("v-2", "c-2", t, "ada.b@example.com")
    assert ingest([at_year_one(order), at_year_one(registration)]) == [True, True]  # each fails alone: DLQ
    code, body, _ = api("POST", "/storefront/events", {"events": [at_year_one(order), order]}, scopes="events:write")
    assert code == 202
    assert [r["status"] for r in body["results"]] == ["rejected", "accepted"]
    assert body["results"][0]["reason"].startswith("occurred_at:")
    for path, query in reads_of("c-1"):
        code, body, _ = api("GET", path, query=query)
        assert code == 200, (path, query, body)
    code, _, _ = api("GET", "/customers/c-2")
    assert code == 404  # the year-one registration never stored anything


def test_a_year_one_time_stored_before_the_bounds_existed_still_reads(aws, clock):
    """Data written by an older version: reads must not fail on it (they answer the clamped time)."""
    from shopadmin import wiring
    from shopadmin.logic import customer_events
    from shopadmin.models.events import parse_event

    old = parse_event(at_year_one(registered("v-1", "c-1", clock.now_ms, "ada@example.com")))  # no clock: no bounds
    customer_events.register(old, wiring.customer_accounts(), clock.now_ms)
    for path, query in reads_of("c-1"):
        code, body, _ = api("GET", path, query=query)
        assert code == 200, (path, query, body)
    code, body, _ = api("GET", "/customers/c-1")
    assert body["customer"]["created_at"] == "0001-01-01T00:00:00.000Z"


@pytest.mark.parametrize("offset_ms, accepted", [(-15 * 24 * 60 * MIN - MIN, False), (-15 * 24 * 60 * MIN + MIN, True),
                                                 (6 * MIN, False), (4 * MIN, True)])
def test_occurred_at_bounds_at_the_intake_follow_the_injected_clock(aws, clock, offset_ms, accepted):
    clock.advance(minutes=60 * 24 * 400)  # far from wall time: only the injected clock can decide
    event = storefront_event("cart_item_added", "v-1", clock.now_ms + offset_ms, data={"sku": "A"})
    code, body, _ = api("POST", "/storefront/events", {"events": [event]}, scopes="events:write")
    assert code == 202
    result = body["results"][0]
    assert result["status"] == ("accepted" if accepted else "rejected"), result
    if not accepted:
        assert result["reason"].startswith("occurred_at:")


# ------------------------------------------------------------------ money, events and admin alike
@pytest.mark.parametrize("price", ["\u0665\u0662.\u0660\u0660", "\uff15\uff12.\uff10\uff10", "10000000.00", "5.001"])
def test_money_outside_the_contract_is_refused_by_events_and_admin(ingest, clock, price):
    event = storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A", "price": price})
    code, body, _ = api("POST", "/storefront/events", {"events": [event]}, scopes="events:write")
    assert body["results"][0]["status"] == "rejected" and body["results"][0]["reason"].startswith("data.price:")
    assert ingest([event]) == [True]
    code, customer, _ = api("POST", "/customers", {"email": "m@example.com", "first_name": "M", "last_name": "N",
                                                   "website_id": "base"})
    code, body, _ = api("PUT", f"/customers/{customer['id']}/cart/items/A", {"qty": 1, "price": price})
    assert code == 422 and body["error"]["details"][0]["field"] == "body.price", body
    assert not re.search(r"[\^\$\\]", body["error"]["details"][0]["reason"])  # plain words, no regex
    code, body, _ = api("POST", f"/customers/{customer['id']}/orders", {"items": [{"sku": "A", "qty": 1,
                                                                                   "price": price}]})
    assert code == 422, body


@pytest.mark.parametrize("price", ["5", "5.0", "5.00"])
def test_money_is_answered_with_two_decimals_by_events_and_admin(ingest, clock, price):
    code, customer, _ = api("POST", "/customers", {"email": "m@example.com", "first_name": "M", "last_name": "N",
                                                   "website_id": "base"})
    cid = customer["id"]
    code, body, _ = api("PUT", f"/customers/{cid}/cart/items/A", {"qty": 1, "price": price})
    assert code == 200, body
    code, order, _ = api("POST", f"/customers/{cid}/orders", {"items": [{"sku": "B", "qty": 2, "price": price}]})
    assert code == 201 and order["total"] == "10.00" and order["items"][0]["price"] == "5.00", order
    ingest([registered("v-1", "c-1", clock.now_ms, "ada@example.com"),
            storefront_event("cart_item_added", "v-1", clock.now_ms, customer_id="c-1",
                             data={"sku": "A", "price": price})])
    code, profile, _ = api("GET", "/customers/c-1")
    assert profile["cart"]["items"][0]["price"] == "5.00"
    assert api("GET", f"/customers/{cid}")[1]["cart"]["items"][0]["price"] == "5.00"


# ------------------------------------------------------------------ a cart line never passes 10000
def test_events_cannot_take_a_cart_line_past_10000(ingest, clock):
    t = clock.now_ms
    first = storefront_event("cart_item_added", "v-1", t, data={"sku": "A", "qty": 6000})
    over = storefront_event("cart_item_added", "v-1", t + 1, data={"sku": "A", "qty": 5000})
    assert ingest([first]) == [False]
    assert ingest([over]) == [True]  # rejected (the queue retries it, then the DLQ has it)
    assert cart("GUEST#v-1") == {"A": 6000}
    fill = storefront_event("cart_item_added", "v-1", t + 2, data={"sku": "A", "qty": 4000})
    assert ingest([fill]) == [False]
    assert ingest([fill]) == [False]  # a replay of an applied add is not a rejection
    assert cart("GUEST#v-1") == {"A": 10000}
    assert ingest([storefront_event("cart_item_added", "v-1", t + 3, data={"sku": "A", "qty": 1})]) == [True]
    assert cart("GUEST#v-1") == {"A": 10000}


def test_login_merge_caps_the_resulting_line_at_10000(ingest, clock):
    t = clock.now_ms
    ingest([registered("v-old", "c-1", t - 5 * MIN, "a@example.com"),
            storefront_event("cart_item_added", "v-old", t - 5 * MIN + 1, customer_id="c-1",
                             data={"sku": "A", "qty": 9000})])
    ingest([storefront_event("cart_item_added", "v-new", t, data={"sku": "A", "qty": 5000})])
    assert not any(ingest([storefront_event("customer_logged_in", "v-new", t + 1, customer_id="c-1")]))
    assert cart("CUSTOMER#c-1") == {"A": 10000}
    assert cart("GUEST#v-new") == {}


# ------------------------------------------------------------------ characters SQS refuses
def test_a_poison_string_rejects_only_its_event_at_the_intake(aws, clock):
    good = [storefront_event("cart_item_added", f"v-{i}", clock.now_ms, data={"sku": "A"}) for i in range(11)]
    poison = storefront_event("cart_item_added", "v-p", clock.now_ms, data={"sku": "A", "name": "Mug \uffff"})
    lone = storefront_event("cart_item_added", "v-l", clock.now_ms, data={"sku": "A", "name": "X"})
    events = [*good[:5], poison, *good[5:], lone]
    raw = json.dumps({"events": events}).replace('"name": "X"', '"name": "\\ud800"')  # an unpaired surrogate
    code, body, _ = api("POST", "/storefront/events", raw_body=raw, scopes="events:write")
    assert code == 202, body
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["accepted"] * 5 + ["rejected"] + ["accepted"] * 6 + ["rejected"]
    assert body["results"][5]["reason"].startswith("data.name:") and "not allowed" in body["results"][5]["reason"]
    assert body["results"][12]["reason"].startswith("data.name:")
    sqs = boto3.client("sqs")
    url = aws["queues"]["EventsQueue"]["url"]
    received = []
    for _ in range(5):
        received += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert sorted(json.loads(m["Body"])["session_id"] for m in received) == sorted(e["session_id"] for e in good)


def test_a_poison_string_fails_only_its_message_on_the_queue_path(ingest, clock):
    good = storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A"})
    poison = storefront_event("cart_item_added", "v-2", clock.now_ms, data={"sku": "B", "name": "Mug \uffff"})
    # json.dumps escapes U+FFFF as \\uffff: SQS carries that text, the event inside is still invalid
    assert ingest([good, poison, good | {"event_id": "e-3", "session_id": "v-3"}]) == [False, True, False]
    assert cart("GUEST#v-1") == {"A": 1} and cart("GUEST#v-3") == {"A": 1} and cart("GUEST#v-2") == {}


# ------------------------------------------------------------------ unsaved data expires from its last change
def test_a_guest_cart_line_last_changed_longer_ago_than_the_lifetime_is_not_merged(ingest, clock):
    t = clock.now_ms
    late = storefront_event("cart_item_added", "v-1", t - 90 * MIN, data={"sku": "A", "qty": 2})
    fresh = storefront_event("cart_item_added", "v-1", t - 30 * MIN, data={"sku": "B", "qty": 1})
    assert ingest([late, fresh]) == [False, False]  # both arrive now (a slow queue), lifetime 60
    response = boto3.client("dynamodb").get_item(TableName="CustomersTable",
                                                 Key={"pk": {"S": "GUEST#v-1"}, "sk": {"S": "CART#A"}})
    assert int(response["Item"]["expires_at"]["N"]) == (t - 90 * MIN) // 1000 + 60 * 60
    assert not any(ingest([registered("v-1", "c-1", t, "a@example.com")]))
    assert cart("CUSTOMER#c-1") == {"B": 1}


def test_a_checkout_draft_expires_a_lifetime_after_its_occurred_at(ingest, clock):
    t = clock.now_ms - 20 * MIN
    ingest([storefront_event("checkout_draft_saved", "v-1", t, data={"step": "shipping"})])
    response = boto3.client("dynamodb").get_item(TableName="CustomersTable",
                                                 Key={"pk": {"S": "GUEST#v-1"}, "sk": {"S": "CHECKOUT_DRAFT"}})
    assert int(response["Item"]["expires_at"]["N"]) == t // 1000 + 60 * 60


def test_a_deeply_nested_queue_message_fails_alone(ingest, clock):
    good = storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A"})
    deep = json.dumps(storefront_event("checkout_draft_saved", "v-2", clock.now_ms, data={"x": "Y"}))
    deep = deep.replace('"Y"', "[" * 100_000 + "]" * 100_000)  # json.loads alone would raise RecursionError
    assert ingest([good, deep, good | {"event_id": "e-3", "session_id": "v-3"}]) == [False, True, False]
    assert cart("GUEST#v-1") == {"A": 1} and cart("GUEST#v-3") == {"A": 1}
