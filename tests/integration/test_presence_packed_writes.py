"""The ingest writes a batch's presence rows packed into few transactions, with the customers' login and
logout times in them, and settles each session on its own when DynamoDB cancels a packed transaction."""

from __future__ import annotations

import json

import boto3

from tests.integration.test_ingest_handler import rows_by_session
from tests.support import registered, storefront_event

MIN = 60_000


def presence_transactions(dynamo_calls) -> list[dict]:
    return [params for name, params in dynamo_calls.log if name == "TransactWriteItems"
            and any(item.get("Put", {}).get("TableName") == "PresenceTable" for item in params["TransactItems"])]


def activity(customer_id: str) -> dict:
    from shopadmin import wiring
    from shopadmin.dal.keys import ACTIVITY_SK, customer_pk
    from shopadmin.dal.tables import ActivityItem

    wiring.tables()
    try:
        item = ActivityItem.get(customer_pk(customer_id), ACTIVITY_SK, consistent_read=True)
    except ActivityItem.DoesNotExist:
        return {}
    return {name: int(value) for name in ("last_login_at", "last_logout_at")
            if (value := getattr(item, name)) is not None}


def register(ingest, clock, customers: list[str]) -> int:
    t = clock.now_ms - 10 * MIN
    assert not any(ingest([registered(f"v-reg-{c}", c, t, f"{c}@example.com") for c in customers]))
    return t


def test_a_batch_of_sessions_is_written_in_one_transaction_with_the_login_times(ingest, clock, dynamo_calls):
    customers = [f"c-{n}" for n in range(10)]
    register(ingest, clock, customers)
    t = clock.now_ms - 2 * MIN
    events = [storefront_event("customer_logged_in", f"v-{n}", t + n, customer_id=c) for n, c in enumerate(customers)]
    events += [storefront_event("cart_item_added", f"v-guest-{n}", t + n, data={"sku": "A"}) for n in range(20)]
    dynamo_calls.reset()
    assert not any(ingest(events))
    assert len(presence_transactions(dynamo_calls)) == 1
    # the login times went with the rows: no transaction of their own
    alone = [p for name, p in dynamo_calls.log if name == "TransactWriteItems"
             and all("ACTIVITY" in str(item) or "ConditionCheck" in item for item in p["TransactItems"])]
    assert alone == []
    for n, customer in enumerate(customers):
        assert activity(customer)["last_login_at"] == t + n
    rows = rows_by_session()
    assert {f"v-{n}" for n in range(10)} | {f"v-guest-{n}" for n in range(20)} <= set(rows)
    assert all(rows[f"v-{n}"]["customer_id"] == c for n, c in enumerate(customers))


def test_a_late_login_leaves_the_newer_time_and_a_newer_logout_in_the_same_batch_still_lands(ingest, clock):
    register(ingest, clock, ["c-1", "c-2"])
    t = clock.now_ms - 5 * MIN
    assert not any(ingest([storefront_event("customer_logged_in", "v-new", t + 3 * MIN, customer_id="c-1")]))
    assert not any(ingest([
        storefront_event("customer_logged_in", "v-old", t, customer_id="c-1"),  # late: older than the stored login
        storefront_event("customer_logged_out", "v-old", t + 4 * MIN, customer_id="c-1"),
        storefront_event("customer_logged_in", "v-other", t + MIN, customer_id="c-2"),
    ]))
    assert activity("c-1") == {"last_login_at": t + 3 * MIN, "last_logout_at": t + 4 * MIN}
    assert activity("c-2") == {"last_login_at": t + MIN}
    rows = rows_by_session()
    assert rows["v-other"]["customer_id"] == "c-2" and rows["v-new"]["customer_id"] == "c-1"
    assert "v-old" not in rows  # logged out


def test_a_row_changed_meanwhile_is_read_again_and_the_other_sessions_are_not_held_back(ingest, clock,
                                                                                          dynamo_calls, monkeypatch):
    from shopadmin import wiring

    register(ingest, clock, ["c-1", "c-2"])
    t = clock.now_ms - 3 * MIN
    assert not any(ingest([storefront_event("cart_item_added", s, t, data={"sku": "A"}) for s in ("v-1", "v-2")]))
    store = wiring.presence_store()
    original = store.get_many
    raced = []

    def read_then_race(session_ids):
        rows = original(session_ids)
        if not raced:  # another writer changes v-2 between the ingest's read and its write
            raced.append(True)
            boto3.client("dynamodb").update_item(
                TableName="PresenceTable", Key={"session_id": {"S": "v-2"}},
                UpdateExpression="SET version = version + :one", ExpressionAttributeValues={":one": {"N": "1"}})
        return rows

    monkeypatch.setattr(store, "get_many", read_then_race)
    dynamo_calls.reset()
    assert not any(ingest([storefront_event("customer_logged_in", "v-1", t + MIN, customer_id="c-1"),
                           storefront_event("customer_logged_in", "v-2", t + MIN, customer_id="c-2")]))
    sent = presence_transactions(dynamo_calls)
    # both together (cancelled by v-2's moved version), v-1 again at once, then v-2 read again and folded again
    sessions = [sorted(s for s in ("v-1", "v-2") if f'"{s}"' in json.dumps(p)) for p in sent]
    assert sessions == [["v-1", "v-2"], ["v-1"], ["v-2"]]
    rows = rows_by_session()
    assert (rows["v-1"]["customer_id"], rows["v-2"]["customer_id"]) == ("c-1", "c-2")
    assert activity("c-2") == {"last_login_at": t + MIN}


def test_a_customer_deleted_before_the_write_is_left_out_and_the_batch_applies(ingest, clock, monkeypatch):
    from shopadmin import wiring

    registered_at = register(ingest, clock, ["c-1", "c-gone"])
    t = clock.now_ms - 2 * MIN
    store = wiring.presence_store()
    original = store.save_many

    def delete_then_save(writes, interval):
        boto3.client("dynamodb").delete_item(
            TableName="CustomersTable", Key={"pk": {"S": "CUSTOMER#c-gone"}, "sk": {"S": "PROFILE"}})
        return original(writes, interval)

    monkeypatch.setattr(store, "save_many", delete_then_save)
    assert not any(ingest([
        storefront_event("customer_logged_in", "v-1", t, customer_id="c-1"),
        storefront_event("cart_item_added", "v-2", t, data={"sku": "A"}),
        storefront_event("customer_logged_in", "v-2", t + 1000, customer_id="c-gone"),
    ]))
    rows = rows_by_session()
    assert rows["v-1"]["customer_id"] == "c-1"
    assert rows["v-2"]["customer_id"] is None  # the guest's row, without the deleted customer's login
    assert activity("c-gone") == {"last_login_at": registered_at}  # the registration's, not the dropped login's
