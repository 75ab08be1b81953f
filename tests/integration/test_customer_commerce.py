"""Manage Shopping Cart, Create Order, store credit, reward points and newsletter (SPEC 3.3, 4) against moto."""

from __future__ import annotations

import threading
from collections import Counter

import botocore.client
import pytest
from shopadmin.models.money import to_cents

from tests.integration.lambdas import invoke_http
from tests.support import http_event, storefront_event

ALL = "customers:read customers:write audit:read"
MIN = 60_000


def api(method, path, body=None, *, scopes=ALL, headers=None, query=None, sub="admin-1"):
    """Call the function serving `path` as API Gateway would (route key with the path templated)."""
    parts = path.strip("/").split("/")
    params, route_parts = {}, list(parts)
    if len(parts) >= 2 and parts[0] == "customers":
        params["customer_id"] = parts[1]
        route_parts[1] = "{customer_id}"
    if len(parts) == 5 and parts[2:4] == ["cart", "items"]:
        params["sku"] = parts[4]
        route_parts[4] = "{sku}"
    if len(parts) <= 2 or parts[2] == "addresses":
        function = "CustomersFunction"
    elif parts[2] == "audit":
        function = "CustomerAuditFunction"
    else:
        function = "CustomerCommerceFunction"
    route = "/" + "/".join(route_parts)
    event = http_event(method, path, scopes=scopes, body=body, headers=headers, query=query,
                       path_parameters=params or None, route=f"{method} {route}", claims={"sub": sub})
    return invoke_http(function, event)


def new_customer(email="ada@example.com"):
    status, customer, _ = api("POST", "/customers", {"email": email, "first_name": "Ada", "last_name": "Lovelace",
                                                     "website_id": "base"})
    assert status == 201, customer
    return customer["id"]


def profile(cid):
    status, body, _ = api("GET", f"/customers/{cid}")
    assert status == 200, body
    return body


def audit_actions(cid):
    status, page, _ = api("GET", f"/customers/{cid}/audit", query={"limit": "200"})
    assert status == 200
    return page["items"]


def put_item(cid, sku, qty, *, sub="admin-1", **fields):
    return api("PUT", f"/customers/{cid}/cart/items/{sku}", {"qty": qty, **fields}, sub=sub)


def order_count(cid):
    return len(api("GET", f"/customers/{cid}/orders")[1]["items"])


@pytest.fixture
def atomic_dynamodb(monkeypatch):
    """moto answers one request at a time, as DynamoDB applies each request atomically.

    moto's in-memory backend is not thread-safe (concurrent requests corrupt it); this lock makes
    each request atomic while the threads still interleave BETWEEN requests, where our
    read-then-write races would be.
    """
    lock = threading.Lock()
    original = botocore.client.BaseClient._make_api_call

    def one_at_a_time(self, operation_name, api_params):
        if self.meta.service_model.service_name == "dynamodb":
            with lock:
                return original(self, operation_name, api_params)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", one_at_a_time)


def run_threads(target, count):
    barrier = threading.Barrier(count)
    errors = []

    def run(i):
        barrier.wait()
        try:
            target(i)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def assert_one_chain(entries: list[tuple[int, int]], start: int, end: int) -> None:
    """(before, after) of every ledger entry: each entry started from the balance another one left (or
    from `start`), and the last left `end`. True only when every adjustment was applied to the exact
    balance before it: no lost update, and every entry's running balance is real."""
    befores = Counter(before for before, _ in entries)
    afters = Counter(after for _, after in entries)
    assert befores == Counter([start]) + afters - Counter([end]), entries


# ------------------------------------------------------------------ Manage Shopping Cart
def test_cart_set_change_and_remove(aws, clock):
    cid = new_customer()
    assert api("GET", f"/customers/{cid}/cart")[1] == {"items": []}
    status, cart, _ = put_item(cid, "MH01", 2, name="Hoodie", price="52.00")
    assert status == 200 and cart == {"items": [{"sku": "MH01", "name": "Hoodie", "qty": 2, "price": "52.00"}]}
    status, cart, _ = put_item(cid, "MH01", 5)  # name and price are kept when omitted
    assert cart["items"] == [{"sku": "MH01", "name": "Hoodie", "qty": 5, "price": "52.00"}]
    put_item(cid, "WT09", 1, price="34.00")
    assert [i["sku"] for i in api("GET", f"/customers/{cid}/cart")[1]["items"]] == ["MH01", "WT09"]
    status, body, _ = api("DELETE", f"/customers/{cid}/cart/items/MH01")
    assert status == 204 and body is None
    assert api("DELETE", f"/customers/{cid}/cart/items/MH01")[0] == 404
    assert profile(cid)["cart"]["items"] == [{"sku": "WT09", "name": None, "qty": 1, "price": "34.00"}]


def test_admin_cart_is_the_cart_the_storefront_fills(aws, clock, ingest):
    cid = new_customer()
    ingest([storefront_event("cart_item_added", "v-1", clock.now_ms - MIN, customer_id=cid,
                             data={"sku": "MH01", "qty": 1, "price": "52.00", "name": "Hoodie"})])
    status, cart, _ = put_item(cid, "MH01", 3)
    assert cart["items"] == [{"sku": "MH01", "name": "Hoodie", "qty": 3, "price": "52.00"}]


@pytest.mark.parametrize("body, field", [
    ({"qty": 0}, "qty"),
    ({"qty": 10001}, "qty"),
    ({"qty": "2"}, "qty"),
    ({"qty": 1, "price": "52.505"}, "price"),
    ({"qty": 1, "price": "\u0665\u0662.50"}, "price"),
    ({"qty": 1, "price": 52.0}, "price"),
    ({"qty": 1, "colour": "red"}, "colour"),
])
def test_cart_item_validation_names_the_field(aws, clock, body, field):
    cid = new_customer()
    status, error, _ = api("PUT", f"/customers/{cid}/cart/items/MH01", body)
    assert status == 422, error
    assert any(field in d["field"] for d in error["error"]["details"]), error
    assert api("GET", f"/customers/{cid}/cart")[1] == {"items": []}


def test_cart_routes_answer_404_for_an_unknown_customer(aws, clock):
    assert api("GET", "/customers/nobody/cart")[0] == 404
    assert put_item("nobody", "MH01", 1)[0] == 404
    assert api("DELETE", "/customers/nobody/cart/items/MH01")[0] == 404


def test_cart_changes_are_audited_with_before_and_after_qty(aws, clock):
    cid = new_customer()
    put_item(cid, "MH01", 2, price="52.00")
    clock.advance(seconds=1)
    put_item(cid, "MH01", 4, sub="admin-7")
    clock.advance(seconds=1)
    put_item(cid, "MH01", 4)  # no change: no audit
    clock.advance(seconds=1)
    api("DELETE", f"/customers/{cid}/cart/items/MH01")
    entries = [e for e in audit_actions(cid) if e["action"] == "cart.updated"]
    assert [e["changes"]["cart.MH01.qty"] for e in entries] == [
        {"before": 4, "after": None}, {"before": 2, "after": 4}, {"before": None, "after": 2}]
    assert entries[1]["actor"] == "admin-7"


def test_cart_scopes(aws, clock):
    cid = new_customer()
    assert api("GET", f"/customers/{cid}/cart", scopes="customers:write")[0] == 403
    assert api("PUT", f"/customers/{cid}/cart/items/MH01", {"qty": 1}, scopes="customers:read")[0] == 403


# ------------------------------------------------------------------ Create Order
def test_order_from_items(aws, clock):
    cid = new_customer()
    status, order, _ = api("POST", f"/customers/{cid}/orders", {"items": [
        {"sku": "MH01", "qty": 2, "price": "52.00", "name": "Hoodie"}, {"sku": "WT09", "qty": 3, "price": "0.10"}]},
        sub="admin-7")
    assert status == 201, order
    assert order["total"] == "104.30" and order["status"] == "pending" and order["placed_by"] == "admin admin-7"
    assert order["created_at"].endswith("Z") and len(order["items"]) == 2
    page = api("GET", f"/customers/{cid}/orders")[1]
    assert page["items"] == [order] and page["next_cursor"] is None


def test_order_from_cart_empties_the_cart_in_the_same_transaction(aws, clock, dynamo_calls):
    cid = new_customer()
    put_item(cid, "MH01", 2, price="52.00", name="Hoodie")
    put_item(cid, "WT09", 1, price="34.00")
    dynamo_calls.reset()
    status, order, _ = api("POST", f"/customers/{cid}/orders", {"from_cart": True})
    assert status == 201, order
    assert dynamo_calls["TransactWriteItems"] == 1
    (transaction,) = [p for n, p in dynamo_calls.log if n == "TransactWriteItems"]
    deletes = [i["Delete"] for i in transaction["TransactItems"] if "Delete" in i]
    assert sorted(d["Key"]["sk"]["S"] for d in deletes) == ["CART#MH01", "CART#WT09"]
    assert all("ConditionExpression" in d for d in deletes)  # each line guarded by what was ordered
    assert any("Put" in i and i["Put"]["Item"]["sk"]["S"].startswith("ORDER#") for i in transaction["TransactItems"])
    assert order["total"] == "138.00"
    assert [(i["sku"], i["qty"]) for i in order["items"]] == [("MH01", 2), ("WT09", 1)]
    assert api("GET", f"/customers/{cid}/cart")[1] == {"items": []}
    actions = [e["action"] for e in audit_actions(cid)]
    assert "order.created" in actions and actions.count("cart.updated") == 3  # two puts + the emptying


def test_order_from_a_cart_changed_meanwhile_orders_the_cart_as_it_is_now(aws, clock, monkeypatch, ingest):
    from shopadmin import wiring

    cid = new_customer()
    put_item(cid, "MH01", 2, price="52.00")
    store = wiring.customer_commerce()
    original = store.cart
    calls = []

    def cart_then_change(customer_id):
        lines = original(customer_id)
        if not calls:  # the storefront changes the cart between the read and the order's transaction
            calls.append(1)
            ingest([storefront_event("cart_item_updated", "v-1", clock.now_ms, customer_id=cid,
                                     data={"sku": "MH01", "qty": 5})])
        return lines

    monkeypatch.setattr(store, "cart", cart_then_change)
    status, order, _ = api("POST", f"/customers/{cid}/orders", {"from_cart": True})
    assert status == 201 and order["items"][0]["qty"] == 5 and order["total"] == "260.00"
    assert api("GET", f"/customers/{cid}/cart")[1] == {"items": []}
    assert order_count(cid) == 1


@pytest.mark.parametrize("body, field", [
    ({}, "body.items"),
    ({"from_cart": False}, "body.from_cart"),
    ({"items": [{"sku": "MH01", "qty": 1, "price": "1.00"}], "from_cart": True}, "body.from_cart"),
    ({"items": [{"sku": "MH01", "qty": 1}]}, "body.items.0.price"),
    ({"items": [{"sku": "MH01", "qty": 0, "price": "1.00"}]}, "qty"),
    ({"items": []}, "items"),
    ({"items": [{"sku": "A", "qty": 1, "price": "1.00"}, {"sku": "A", "qty": 2, "price": "1.00"}]},
     "body.items.1.sku"),
])
def test_order_validation_names_the_field(aws, clock, body, field):
    cid = new_customer()
    status, error, _ = api("POST", f"/customers/{cid}/orders", body)
    assert status == 422, error
    assert any(field in d["field"] for d in error["error"]["details"]), error
    assert order_count(cid) == 0


def test_order_from_an_empty_cart_or_unpriced_lines_is_422(aws, clock):
    cid = new_customer()
    status, error, _ = api("POST", f"/customers/{cid}/orders", {"from_cart": True})
    assert status == 422 and error["error"]["details"][0]["field"] == "body.from_cart"
    put_item(cid, "MH01", 1)  # no price
    status, error, _ = api("POST", f"/customers/{cid}/orders", {"from_cart": True})
    assert status == 422 and error["error"]["details"][0]["field"] == "cart.MH01.price"
    assert order_count(cid) == 0 and len(api("GET", f"/customers/{cid}/cart")[1]["items"]) == 1


def test_order_for_an_unknown_customer_is_404(aws, clock):
    assert api("POST", "/customers/nobody/orders", {"items": [{"sku": "A", "qty": 1, "price": "1.00"}]})[0] == 404
    assert api("POST", "/customers/nobody/orders", {"from_cart": True})[0] == 404
    assert api("GET", "/customers/nobody/orders")[0] == 404


def test_idempotent_order_retry_returns_the_first_result_and_creates_one_order(aws, clock):
    cid = new_customer()
    put_item(cid, "MH01", 2, price="52.00")
    key = {"idempotency-key": "order-7f3a"}
    first = api("POST", f"/customers/{cid}/orders", {"from_cart": True}, headers=key)
    clock.advance(seconds=5)
    put_item(cid, "WT09", 1, price="34.00")  # the cart changes after the first order
    again = api("POST", f"/customers/{cid}/orders", {"from_cart": True}, headers=key)
    assert first[0] == again[0] == 201 and first[1] == again[1]
    assert again[2].get("Idempotent-Replayed") == "true" and "Idempotent-Replayed" not in first[2]
    assert order_count(cid) == 1
    assert api("GET", f"/customers/{cid}/cart")[1]["items"][0]["sku"] == "WT09"  # not ordered again
    # another key, another admin or another customer is another request
    assert api("POST", f"/customers/{cid}/orders", {"from_cart": True}, headers={"idempotency-key": "x2"})[0] == 201
    assert order_count(cid) == 2


def test_idempotency_key_is_scoped_to_the_caller_and_the_customer(aws, clock):
    one, two = new_customer("one@example.com"), new_customer("two@example.com")
    body = {"items": [{"sku": "A", "qty": 1, "price": "1.00"}]}
    key = {"idempotency-key": "same-key"}
    assert api("POST", f"/customers/{one}/orders", body, headers=key)[0] == 201
    assert api("POST", f"/customers/{two}/orders", body, headers=key)[0] == 201
    assert api("POST", f"/customers/{one}/orders", body, headers=key, sub="admin-2")[0] == 201
    assert (order_count(one), order_count(two)) == (2, 1)


def test_same_idempotency_key_with_another_body_is_422_and_changes_nothing(aws, clock):
    cid = new_customer()
    key = {"idempotency-key": "k-1"}
    assert api("POST", f"/customers/{cid}/orders", {"items": [{"sku": "A", "qty": 1, "price": "1.00"}]},
               headers=key)[0] == 201
    status, error, _ = api("POST", f"/customers/{cid}/orders", {"items": [{"sku": "A", "qty": 2, "price": "1.00"}]},
                           headers=key)
    assert status == 422 and error["error"]["details"][0]["field"] == "header.idempotency-key"
    assert order_count(cid) == 1


def test_a_failed_request_is_not_remembered(aws, clock):
    cid = new_customer()
    key = {"idempotency-key": "k-empty"}
    assert api("POST", f"/customers/{cid}/orders", {"from_cart": True}, headers=key)[0] == 422  # empty cart
    put_item(cid, "MH01", 1, price="5.00")
    assert api("POST", f"/customers/{cid}/orders", {"from_cart": True}, headers=key)[0] == 201


def test_order_stats_on_the_profile_include_admin_orders(aws, clock, ingest):
    cid = new_customer()
    ingest([storefront_event("order_placed", "v-1", clock.now_ms - MIN, customer_id=cid,
                             data={"order_id": "o-1", "total": "10.00"})])
    clock.advance(seconds=1)
    _, order, _ = api("POST", f"/customers/{cid}/orders", {"items": [{"sku": "A", "qty": 3, "price": "10.00"}]})
    page = profile(cid)
    assert page["order_stats"] == {"count": 2, "lifetime_sales": "40.00", "average_sale": "20.00"}
    assert [o["id"] for o in page["orders"]] == [order["id"], "o-1"]
    assert page["orders"][0]["placed_by"] == "admin admin-1"


def test_orders_are_listed_newest_first_with_a_cursor(aws, clock):
    cid = new_customer()
    ids = []
    for n in range(5):
        clock.advance(seconds=1)
        ids.append(api("POST", f"/customers/{cid}/orders",
                       {"items": [{"sku": "A", "qty": n + 1, "price": "1.00"}]})[1]["id"])
    first = api("GET", f"/customers/{cid}/orders", query={"limit": "2"})[1]
    second = api("GET", f"/customers/{cid}/orders", query={"limit": "2", "cursor": first["next_cursor"]})[1]
    third = api("GET", f"/customers/{cid}/orders", query={"limit": "2", "cursor": second["next_cursor"]})[1]
    assert [o["id"] for o in first["items"] + second["items"] + third["items"]] == ids[::-1]
    assert third["next_cursor"] is None
    assert api("GET", f"/customers/{cid}/orders", query={"limit": "0"})[0] == 422


# ------------------------------------------------------------------ store credit
def credit(cid, amount, reason="goodwill", **kw):
    return api("POST", f"/customers/{cid}/store-credit/adjustments", {"amount": amount, "reason": reason}, **kw)


def points(cid, value, reason="promo", **kw):
    return api("POST", f"/customers/{cid}/reward-points/adjustments", {"points": value, "reason": reason}, **kw)


def test_store_credit_adjustments_and_the_profile(aws, clock):
    cid = new_customer()
    status, body, _ = credit(cid, "12.50", sub="admin-7")
    assert status == 201 and body["balance"] == "12.50"
    entry = body["entry"]
    assert (entry["amount"], entry["balance"], entry["reason"], entry["actor"]) == ("12.50", "12.50", "goodwill",
                                                                                     "admin-7")
    clock.advance(seconds=1)
    status, body, _ = credit(cid, "-2.25", "correction")
    assert status == 201 and body["balance"] == "10.25" and body["entry"]["amount"] == "-2.25"
    store_credit = profile(cid)["store_credit"]
    assert store_credit["balance"] == "10.25"
    assert [(e["amount"], e["balance"], e["reason"]) for e in store_credit["ledger"]] == [
        ("-2.25", "10.25", "correction"), ("12.50", "12.50", "goodwill")]


def test_store_credit_never_goes_negative_and_nothing_is_written(aws, clock, dynamo_calls):
    cid = new_customer()
    credit(cid, "5.00")
    dynamo_calls.reset()
    status, error, _ = credit(cid, "-5.01")
    assert status == 422 and error["error"]["details"][0]["field"] == "body.amount"
    assert dynamo_calls["TransactWriteItems"] == 0 and dynamo_calls["PutItem"] == 0
    page = profile(cid)
    assert page["store_credit"]["balance"] == "5.00" and len(page["store_credit"]["ledger"]) == 1
    assert [e["action"] for e in audit_actions(cid)].count("store_credit.adjusted") == 1
    assert credit(cid, "-5.00")[1]["balance"] == "0.00"  # down to zero is fine
    new = new_customer("new@example.com")
    assert credit(new, "-0.01")[0] == 422  # no balance yet is a zero balance


def test_the_table_itself_refuses_a_negative_balance(aws, clock):
    """Even a caller that computed wrongly cannot take the stored balance below zero."""
    from shopadmin import wiring
    from shopadmin.errors import ChangeConflict
    from shopadmin.logic.audit import audit_entry
    from shopadmin.models.commerce import LedgerRecord

    cid = new_customer()
    credit(cid, "1.00")
    store = wiring.customer_commerce()
    wrong = LedgerRecord("e1", clock.now_ms, -500, 0, "x", "admin-1")
    with pytest.raises(ChangeConflict):
        store.adjust_balance(cid, "store_credit", 100, wrong, audit_entry("admin-1", "store_credit.adjusted",
                                                                           clock.now_ms), clock.now_ms)
    assert profile(cid)["store_credit"]["balance"] == "1.00"


@pytest.mark.parametrize("body, field", [
    ({"amount": "0.00", "reason": "x"}, "amount"),
    ({"amount": "1.505", "reason": "x"}, "amount"),
    ({"amount": 1.5, "reason": "x"}, "amount"),
    ({"amount": "100000.01", "reason": "x"}, "amount"),
    ({"amount": "1.00", "reason": ""}, "reason"),
    ({"amount": "1.00", "reason": "x" * 256}, "reason"),
    ({"amount": "1.00"}, "reason"),
    ({"amount": "1.00", "reason": "x", "balance": "9.00"}, "balance"),
])
def test_store_credit_validation_names_the_field(aws, clock, body, field):
    cid = new_customer()
    status, error, _ = api("POST", f"/customers/{cid}/store-credit/adjustments", body)
    assert status == 422, error
    assert any(field in d["field"] for d in error["error"]["details"]), error


def test_concurrent_store_credit_adjustments_all_apply(aws, clock, atomic_dynamodb):
    from shopadmin import wiring
    from shopadmin.logic.customer_commerce import adjust_store_credit

    cid = new_customer()
    credit(cid, "10.00")  # enough that every order of the steps below is valid
    store = wiring.customer_commerce()
    amounts = ["1.25", "2.50", "-0.75", "10.00", "0.01", "3.33", "-1.00", "4.44", "5.55", "6.66"]

    run_threads(lambda i: adjust_store_credit(cid, amounts[i], f"r{i}", store, f"admin-{i}", clock.now_ms,
                                              pause=lambda attempt: None), len(amounts))
    page = profile(cid)
    assert page["store_credit"]["balance"] == "41.99"  # the exact sum: no adjustment lost
    ledger = [(to_cents(e["balance"]) - to_cents(e["amount"]), to_cents(e["balance"]))
              for e in page["store_credit"]["ledger"]]
    assert len(ledger) == len(amounts) + 1
    assert_one_chain(ledger, start=0, end=4199)
    assert len([e for e in audit_actions(cid) if e["action"] == "store_credit.adjusted"]) == len(amounts) + 1


def test_idempotent_store_credit_adjustment_applies_once(aws, clock):
    cid = new_customer()
    key = {"idempotency-key": "credit-1"}
    first = credit(cid, "7.00", headers=key)
    credit(cid, "1.00")
    again = credit(cid, "7.00", headers=key)
    assert first[0] == again[0] == 201 and first[1] == again[1] and again[1]["balance"] == "7.00"
    assert profile(cid)["store_credit"]["balance"] == "8.00"
    assert credit(cid, "8.00", headers=key)[0] == 422  # same key, another body


def test_store_credit_for_an_unknown_customer_is_404(aws, clock):
    assert credit("nobody", "1.00")[0] == 404
    assert credit("nobody", "-1.00")[0] == 404
    assert points("nobody", 5)[0] == 404


# ------------------------------------------------------------------ reward points
def test_reward_points_adjust_never_negative_and_show_on_the_profile(aws, clock):
    cid = new_customer()
    status, body, _ = points(cid, 120)
    assert status == 201 and body["balance"] == 120 and body["entry"]["points"] == 120
    clock.advance(seconds=1)
    assert points(cid, -20)[1]["balance"] == 100
    status, error, _ = points(cid, -101)
    assert status == 422 and error["error"]["details"][0]["field"] == "body.points"
    page = profile(cid)
    assert page["reward_points"]["balance"] == 100
    assert [(e["points"], e["balance"]) for e in page["reward_points"]["ledger"]] == [(-20, 100), (120, 120)]
    assert page["store_credit"] == {"balance": "0.00", "ledger": []}
    assert [e["action"] for e in audit_actions(cid)].count("reward_points.adjusted") == 2


@pytest.mark.parametrize("value", [0, "5", 1.5, 1_000_001, -1_000_001])
def test_reward_points_validation(aws, clock, value):
    cid = new_customer()
    status, error, _ = points(cid, value)
    assert status == 422 and any("points" in d["field"] for d in error["error"]["details"]), error


def test_concurrent_reward_points_adjustments_all_apply(aws, clock, atomic_dynamodb):
    from shopadmin import wiring
    from shopadmin.logic.customer_commerce import adjust_reward_points

    cid = new_customer()
    points(cid, 50)
    store = wiring.customer_commerce()
    deltas = [10, -5, 7, 3, -2, 8, 1, 6, -9, 4]
    run_threads(lambda i: adjust_reward_points(cid, deltas[i], "r", store, "admin", clock.now_ms,
                                               pause=lambda attempt: None), len(deltas))
    page = profile(cid)
    assert page["reward_points"]["balance"] == 50 + sum(deltas)
    ledger = [(e["balance"] - e["points"], e["balance"]) for e in page["reward_points"]["ledger"]]
    assert_one_chain(ledger, start=0, end=50 + sum(deltas))


def test_idempotent_points_adjustment_applies_once(aws, clock):
    cid = new_customer()
    key = {"idempotency-key": "pts-1"}
    assert points(cid, 50, headers=key)[1] == points(cid, 50, headers=key)[1]
    assert profile(cid)["reward_points"]["balance"] == 50


def test_a_transaction_conflict_is_retried_on_the_server(aws, clock, monkeypatch):
    """DynamoDB cancels one of two transactions on the same item (TransactionConflict): retry, never 409."""
    from botocore.exceptions import ClientError

    cid = new_customer()
    original = botocore.client.BaseClient._make_api_call
    conflicts = []

    def conflict_once(self, operation_name, api_params):
        if operation_name == "TransactWriteItems" and not conflicts:
            conflicts.append(1)
            reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}] * len(
                api_params["TransactItems"])
            raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                               "CancellationReasons": reasons}, operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", conflict_once)
    status, body, _ = credit(cid, "3.00")
    assert conflicts and status == 201 and body["balance"] == "3.00"
    assert len(profile(cid)["store_credit"]["ledger"]) == 1


# ------------------------------------------------------------------ newsletter
def test_newsletter_subscribe_unsubscribe_profile_and_audit(aws, clock):
    from shopadmin import wiring

    cid = new_customer()
    wiring.customer_commerce().record_newsletter_sent(cid, "q-1", "Spring sale", "base", clock.now_ms - MIN)
    status, state, _ = api("PUT", f"/customers/{cid}/newsletter", {"website_id": "base", "subscribed": True})
    assert status == 200 and state["subscriptions"] == {"base": True}
    assert [h["subject"] for h in state["history"]] == ["Spring sale"]
    clock.advance(seconds=1)
    api("PUT", f"/customers/{cid}/newsletter", {"website_id": "fr", "subscribed": True})
    clock.advance(seconds=1)
    status, state, _ = api("PUT", f"/customers/{cid}/newsletter", {"website_id": "base", "subscribed": False})
    assert state["subscriptions"] == {"base": False, "fr": True}
    newsletter = profile(cid)["newsletter"]
    assert newsletter["subscriptions"] == {"base": False, "fr": True}
    assert newsletter["history"][0]["subject"] == "Spring sale"
    entries = [e for e in audit_actions(cid) if e["action"] == "newsletter.updated"]
    assert [e["changes"] for e in entries] == [
        {"newsletter.base": {"before": True, "after": False}},
        {"newsletter.fr": {"before": None, "after": True}},
        {"newsletter.base": {"before": None, "after": True}}]


def test_newsletter_admin_change_overrides_the_storefront_state(aws, clock, ingest):
    cid = new_customer()
    ingest([storefront_event("newsletter_subscribed", "v-1", clock.now_ms - MIN, customer_id=cid)])
    status, state, _ = api("PUT", f"/customers/{cid}/newsletter", {"website_id": "base", "subscribed": False})
    assert status == 200 and state["subscriptions"] == {"base": False}
    (entry,) = [e for e in audit_actions(cid) if e["action"] == "newsletter.updated"]
    assert entry["changes"] == {"newsletter.base": {"before": True, "after": False}}


@pytest.mark.parametrize("body, field", [
    ({"website_id": "base"}, "subscribed"),
    ({"website_id": "base", "subscribed": "yes"}, "subscribed"),
    ({"website_id": "bad id!", "subscribed": True}, "website_id"),
    ({"website_id": "base", "subscribed": True, "store": 1}, "store"),
])
def test_newsletter_validation(aws, clock, body, field):
    cid = new_customer()
    status, error, _ = api("PUT", f"/customers/{cid}/newsletter", body)
    assert status == 422 and any(field in d["field"] for d in error["error"]["details"]), error


def test_newsletter_for_an_unknown_customer_is_404(aws, clock):
    assert api("PUT", "/customers/nobody/newsletter", {"website_id": "base", "subscribed": True})[0] == 404
