"""The ingest writes a batch's collection changes in rounds, packed into few transactions, and settles each
change on its own when DynamoDB cancels a packed transaction (a replay, a line over the cap, a deleted customer)."""

from __future__ import annotations

import boto3

from tests.integration.test_carts_and_unsaved_data import cart
from tests.support import registered, storefront_event

MIN = 60_000


def change_transactions(dynamo_calls) -> list[dict]:
    return [params for name, params in dynamo_calls.log if name == "TransactWriteItems"
            and any("EVENT#" in str(item) for item in params["TransactItems"])]


def test_each_round_of_a_batch_is_one_transaction_whatever_the_number_of_sessions(ingest, clock, dynamo_calls):
    t = clock.now_ms - 2 * MIN
    events = []
    for s in range(20):
        events += [storefront_event("cart_item_added", f"v-{s}", t + s, data={"sku": "A", "qty": 1}),
                   storefront_event("cart_item_updated", f"v-{s}", t + s + 1000, data={"sku": "A", "qty": 3}),
                   storefront_event("cart_item_added", f"v-{s}", t + s + 2000, data={"sku": "B", "qty": 2})]
    ingest([storefront_event("page_viewed", "warm", t)])
    dynamo_calls.reset()
    assert not any(ingest(events))
    assert len(change_transactions(dynamo_calls)) == 3  # three rounds of 20 changes (2 items each)
    assert all(cart(f"GUEST#v-{s}") == {"A": 3, "B": 2} for s in range(20))


def test_a_replayed_event_in_a_packed_round_is_a_replay_and_the_others_apply(ingest, clock):
    t = clock.now_ms - 2 * MIN
    first = storefront_event("cart_item_added", "v-1", t, data={"sku": "A", "qty": 2})
    assert ingest([first]) == [False]
    again = [first] + [storefront_event("cart_item_added", f"v-{s}", t + s, data={"sku": "A", "qty": 1})
                       for s in range(2, 6)]
    assert not any(ingest(again))
    assert cart("GUEST#v-1") == {"A": 2}  # not added twice
    assert all(cart(f"GUEST#v-{s}") == {"A": 1} for s in range(2, 6))


def test_a_line_over_the_cap_fails_alone_in_its_round(ingest, clock):
    t = clock.now_ms - 2 * MIN
    assert ingest([storefront_event("cart_item_added", "v-1", t, data={"sku": "A", "qty": 9_999})]) == [False]
    failed = ingest([storefront_event("cart_item_added", "v-1", t + 1, data={"sku": "A", "qty": 2})]
                    + [storefront_event("cart_item_added", f"v-{s}", t + s, data={"sku": "A", "qty": 1})
                       for s in range(2, 6)])
    assert failed == [True, False, False, False, False]
    assert cart("GUEST#v-1") == {"A": 9_999}
    assert all(cart(f"GUEST#v-{s}") == {"A": 1} for s in range(2, 6))


def test_a_customer_deleted_while_the_batch_runs_is_dropped_and_the_others_apply(ingest, clock, monkeypatch):
    from shopadmin import wiring

    t = clock.now_ms - 5 * MIN
    assert not any(ingest([registered("v-1", "c-1", t, "a@example.com"), registered("v-2", "c-2", t, "b@example.com")]))
    store = wiring.customer_store()
    original = store.apply_changes

    def delete_then_apply(changes):
        boto3.client("dynamodb").delete_item(
            TableName="CustomersTable", Key={"pk": {"S": "CUSTOMER#c-2"}, "sk": {"S": "PROFILE"}})
        return original(changes)

    monkeypatch.setattr(store, "apply_changes", delete_then_apply)
    failed = ingest([storefront_event("cart_item_added", "v-1", t + MIN, customer_id="c-1", data={"sku": "A"}),
                     storefront_event("cart_item_added", "v-2", t + MIN, customer_id="c-2", data={"sku": "A"})])
    assert failed == [False, False]  # the deleted customer's event is dropped, never retried
    assert cart("CUSTOMER#c-1") == {"A": 1} and cart("CUSTOMER#c-2") == {}
