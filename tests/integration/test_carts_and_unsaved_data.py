"""Carts, checkout drafts and their lifetime (SPEC 2.1, 2.3) through the ingest handler."""

from __future__ import annotations

import boto3

from tests.support import registered, storefront_event

MIN = 60_000


def items(pk: str, table="CustomersTable") -> dict[str, dict]:
    response = boto3.client("dynamodb").query(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}})
    return {i["sk"]["S"]: i for i in response["Items"]}


def cart(pk: str) -> dict[str, int]:
    return {sk.removeprefix("CART#"): int(i["qty"]["N"]) for sk, i in items(pk).items() if sk.startswith("CART#")}


def test_guest_cart_is_unsaved_data_with_the_data_lifetime(ingest, clock):
    assert not any(ingest([storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A", "qty": 2})]))
    line = items("GUEST#v-1")["CART#A"]
    assert int(line["expires_at"]["N"]) == clock.now_ms // 1000 + 60 * 60


def test_cart_events_apply_once_per_event_id_whatever_their_age(ingest, clock):
    add = storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A", "qty": 2})
    old = storefront_event("cart_item_added", "v-1", clock.now_ms - 10 * MIN, data={"sku": "B", "qty": 1})
    assert not any(ingest([add, add, old]))
    assert not any(ingest([add, old]))  # redelivered
    assert cart("GUEST#v-1") == {"A": 2, "B": 1}


def test_update_and_remove(ingest, clock):
    t = clock.now_ms
    ingest([storefront_event("cart_item_added", "v-1", t, data={"sku": "A", "qty": 2}),
            storefront_event("cart_item_updated", "v-1", t + 1, data={"sku": "A", "qty": 5}),
            storefront_event("cart_item_added", "v-1", t + 2, data={"sku": "B"}),
            storefront_event("cart_item_removed", "v-1", t + 3, data={"sku": "B"})])
    assert cart("GUEST#v-1") == {"A": 5}


def test_login_merges_the_unexpired_guest_cart_into_the_saved_cart(ingest, clock):
    t = clock.now_ms
    ingest([registered("v-old", "c-1", t - 5 * MIN, "a@example.com"),
            storefront_event("cart_item_added", "v-old", t - 5 * MIN + 1, customer_id="c-1",
                             data={"sku": "A", "qty": 1})])
    ingest([storefront_event("cart_item_added", "v-new", t, data={"sku": "A", "qty": 2}),
            storefront_event("cart_item_added", "v-new", t + 1, data={"sku": "B", "qty": 1})])
    login = storefront_event("customer_logged_in", "v-new", t + 2, customer_id="c-1")
    assert not any(ingest([login]))
    assert cart("CUSTOMER#c-1") == {"A": 3, "B": 1}
    assert cart("GUEST#v-new") == {}
    assert "expires_at" not in items("CUSTOMER#c-1")["CART#A"]  # a customer's cart is saved
    assert not any(ingest([login]))  # replayed login merges nothing twice
    assert cart("CUSTOMER#c-1") == {"A": 3, "B": 1}


def test_guest_cart_older_than_the_data_lifetime_is_not_merged(ingest, clock):
    ingest([storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A", "qty": 2})])
    clock.advance(minutes=61)
    ingest([storefront_event("customer_logged_in", "v-1", clock.now_ms, customer_id="c-1")])
    assert cart("CUSTOMER#c-1") == {}


def test_customer_cart_is_kept_when_the_session_ends(ingest, clock):
    t = clock.now_ms
    ingest([registered("v-1", "c-1", t, "a@example.com"),
            storefront_event("cart_item_added", "v-1", t + 1, customer_id="c-1", data={"sku": "A"})])
    clock.advance(minutes=20)
    ingest([storefront_event("page_viewed", "v-1", clock.now_ms)])
    assert cart("CUSTOMER#c-1") == {"A": 1}


def test_checkout_draft_is_unsaved_data(ingest, clock):
    ingest([storefront_event("checkout_draft_saved", "v-1", clock.now_ms, data={"step": "shipping"})])
    draft = items("GUEST#v-1")["CHECKOUT_DRAFT"]
    assert int(draft["expires_at"]["N"]) == clock.now_ms // 1000 + 3600


def test_registration_creates_the_profile_once(ingest, clock):
    event = registered("v-1", "c-1", clock.now_ms, "a@example.com")
    ingest([event])
    ingest([event])
    profile = items("CUSTOMER#c-1")["PROFILE"]
    assert profile["email"]["S"] == "a@example.com"


def test_login_on_another_session_copies_the_profile(ingest, clock):
    t = clock.now_ms - 2 * MIN
    ingest([registered("v-1", "c-1", t, "ada@example.com")])
    ingest([storefront_event("customer_logged_in", "v-2", t + 1000, customer_id="c-1")])
    response = boto3.client("dynamodb").get_item(TableName="PresenceTable", Key={"session_id": {"S": "v-2"}})
    assert response["Item"]["email"]["S"] == "ada@example.com"
    assert response["Item"]["customer_id"]["S"] == "c-1"


def test_replayed_removal_changes_nothing_and_does_not_fail(ingest, clock):
    add = storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A", "qty": 2})
    remove = storefront_event("cart_item_removed", "v-1", clock.now_ms + 1, data={"sku": "A"})
    assert ingest([add, remove]) == [False, False]
    assert ingest([remove]) == [False]  # a delete sorts before the marker inside the transaction
    assert ingest([add]) == [False]  # and the replayed add does not bring the line back
    assert cart("GUEST#v-1") == {}


def test_a_guarded_move_that_lost_a_race_is_a_conflict_not_a_replay(aws, clock):
    import pytest
    from shopadmin import wiring
    from shopadmin.errors import ChangeConflict
    from shopadmin.models.collections import CartLineAdd, CartLineRemove, CartOwner, CollectionChange
    from shopadmin.models.records import AccountRecord

    store = wiring.customer_store()
    wiring.customer_accounts().save_account(None, AccountRecord("c-1", {"email": "a@example.com", "website_id": "base"},
                                                                clock.now_ms), [], clock.now_ms)
    guest, customer = CartOwner("guest", "v-1"), CartOwner("customer", "c-1")
    store.apply_change(CollectionChange("e-add", "apply", (CartLineAdd(guest, "B2", 3),), clock.now_ms))
    stale_move = CollectionChange("e-login", "merge-0", (CartLineAdd(customer, "B2", 2),
                                                         CartLineRemove(guest, "B2", expected_qty=2)), clock.now_ms)
    with pytest.raises(ChangeConflict):
        store.apply_change(stale_move)
    assert cart("CUSTOMER#c-1") == {} and cart("GUEST#v-1") == {"B2": 3}
    fresh_move = CollectionChange("e-login", "merge-0", (CartLineAdd(customer, "B2", 3),
                                                         CartLineRemove(guest, "B2", expected_qty=3)), clock.now_ms)
    assert store.apply_change(fresh_move) is True  # no marker was left by the cancelled attempt
    assert cart("CUSTOMER#c-1") == {"B2": 3} and cart("GUEST#v-1") == {}


# ------------------------------------------------- the row's proof that a session holds no guest line
def guest_cart_reads(dynamo_calls) -> int:
    return sum(1 for name, params in dynamo_calls.log if name == "Query"
               and any(value.get("S", "").startswith("GUEST#")
                       for value in params.get("ExpressionAttributeValues", {}).values()))


def presence_row(session_id: str) -> dict:
    return boto3.client("dynamodb").get_item(TableName="PresenceTable", Key={"session_id": {"S": session_id}})["Item"]


def test_a_sign_in_on_a_session_that_never_wrote_a_guest_line_reads_no_guest_cart(ingest, clock, dynamo_calls):
    t = clock.now_ms
    ingest([registered("v-reg", "c-1", t, "a@example.com")])
    dynamo_calls.reset()
    assert not any(ingest([storefront_event("page_viewed", "v-1", t + 1),
                           storefront_event("cart_item_added", "v-1", t + 2, customer_id="c-1", data={"sku": "A"}),
                           storefront_event("customer_logged_in", "v-1", t + 3, customer_id="c-1"),
                           storefront_event("customer_logged_in", "v-2", t + 4, customer_id="c-1")]))
    assert guest_cart_reads(dynamo_calls) == 0
    assert int(presence_row("v-1")["guest_cart_until"]["N"]) == 0
    assert cart("CUSTOMER#c-1") == {"A": 1}


def test_a_guest_line_written_in_an_earlier_batch_is_noted_on_the_row_and_merged(ingest, clock, dynamo_calls):
    t = clock.now_ms
    ingest([registered("v-reg", "c-1", t, "a@example.com")])
    ingest([storefront_event("cart_item_added", "v-1", t + 1, data={"sku": "A", "qty": 2})])
    row = presence_row("v-1")
    assert int(row["guest_cart_until"]["N"]) == (t + 1) // 1000 + 60 * 60
    # the row outlives the line, so a row that is gone proves the guest cart is gone too
    assert int(row["expires_at"]["N"]) >= int(row["guest_cart_until"]["N"])
    dynamo_calls.reset()
    assert not any(ingest([storefront_event("customer_logged_in", "v-1", t + 2, customer_id="c-1")]))
    assert guest_cart_reads(dynamo_calls) == 1
    assert cart("CUSTOMER#c-1") == {"A": 2} and cart("GUEST#v-1") == {}


def test_a_guest_line_and_the_sign_in_in_one_batch_merge_in_either_arrival_order(ingest, clock):
    t = clock.now_ms
    ingest([registered("v-reg", "c-1", t, "a@example.com")])
    add = storefront_event("cart_item_added", "v-1", t + 1, data={"sku": "A", "qty": 2})
    login = storefront_event("customer_logged_in", "v-1", t + 2, customer_id="c-1")
    assert not any(ingest([login, add]))
    assert cart("CUSTOMER#c-1") == {"A": 2} and cart("GUEST#v-1") == {}


def test_a_row_written_before_the_note_was_kept_still_has_its_guest_cart_read(ingest, clock):
    t = clock.now_ms
    ingest([registered("v-reg", "c-1", t, "a@example.com")])
    ingest([storefront_event("cart_item_added", "v-1", t + 1, data={"sku": "A", "qty": 2})])
    # as the previous version left it: no guest_cart_until on the row
    boto3.client("dynamodb").update_item(TableName="PresenceTable", Key={"session_id": {"S": "v-1"}},
                                         UpdateExpression="REMOVE guest_cart_until")
    assert not any(ingest([storefront_event("customer_logged_in", "v-1", t + 2, customer_id="c-1")]))
    assert cart("CUSTOMER#c-1") == {"A": 2}
    assert "guest_cart_until" not in presence_row("v-1")  # still not known: never taken as proof
