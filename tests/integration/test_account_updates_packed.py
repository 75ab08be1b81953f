"""A round's account_updated events read and saved together (issue 24 item 4), with the same
outcomes as one at a time: the newest change by time, the Now Online rows in the account's
transaction, a taken email refused alone, the address book left as it is."""

from __future__ import annotations

import boto3

from tests.integration.faults import key_contains
from tests.integration.test_customer_events import profile
from tests.integration.test_customers import api, new_customer
from tests.support import registered, storefront_event

MIN = 60_000
CUSTOMERS = 5


def account_saves(dynamo_calls) -> list[dict]:
    """The transactions that saved a profile."""
    return [params for name, params in dynamo_calls.log if name == "TransactWriteItems"
            and any(item.get("Put", {}).get("Item", {}).get("sk", {}).get("S") == "PROFILE"
                    for item in params["TransactItems"])]


def whole_customer_reads(dynamo_calls) -> int:
    return sum(1 for name, params in dynamo_calls.log if name == "Query" and params["TableName"] == "CustomersTable"
               and "IndexName" not in params)


def row(session_id: str) -> dict:
    return boto3.client("dynamodb").get_item(TableName="PresenceTable", Key={"session_id": {"S": session_id}})["Item"]


def test_a_batch_of_account_updates_is_one_profile_read_one_row_read_and_one_transaction(ingest, clock,
                                                                                         dynamo_calls):
    t = clock.now_ms - 10 * MIN
    assert not any(ingest([registered(f"v-{n}", f"c-{n}", t, f"c{n}@example.com") for n in range(CUSTOMERS)]))
    dynamo_calls.reset()
    updates = [storefront_event("account_updated", f"v-{n}", t + MIN, customer_id=f"c-{n}",
                                data={"last_name": f"Renamed{n}", "company": "New Ltd"}) for n in range(CUSTOMERS)]
    assert not any(ingest(updates))
    assert whole_customer_reads(dynamo_calls) == 0  # the profiles only, never the customer's whole partition
    assert len(account_saves(dynamo_calls)) == 1
    row_reads = [params for name, params in dynamo_calls.log
                 if name == "BatchGetItem" and "PresenceTable" in params["RequestItems"]]
    assert len(row_reads) == 2  # the batch's own rows, then the rows to mirror the accounts on
    for n in range(CUSTOMERS):
        customer = profile(f"c-{n}")["customer"]
        assert (customer["last_name"], customer["company"], customer["version"]) == (f"Renamed{n}", "New Ltd", 2)
        assert row(f"v-{n}")["last_name"]["S"] == f"Renamed{n}"  # the Now Online row, in the same transaction
        audit = api("GET", f"/customers/c-{n}/audit")[1]["items"]
        assert audit[0]["action"] == "customer.updated"


def test_a_taken_email_is_refused_alone_and_the_other_updates_are_saved(ingest, clock):
    t = clock.now_ms - 10 * MIN
    ingest([registered(f"v-{n}", f"c-{n}", t, f"c{n}@example.com") for n in range(3)])
    taken = storefront_event("account_updated", "v-0", t + MIN, customer_id="c-0", data={"email": "c1@example.com"})
    fine = storefront_event("account_updated", "v-2", t + MIN, customer_id="c-2", data={"company": "Kept Ltd"})
    assert ingest([taken, fine]) == [True, False]  # the taken email goes to the DLQ, the other is saved
    assert profile("c-0")["customer"]["email"] == "c0@example.com"
    assert profile("c-2")["customer"]["company"] == "Kept Ltd"
    assert row("v-0")["email"]["S"] == "c0@example.com"  # the row never shows what the account refused


def test_an_older_update_loses_to_a_newer_admin_save_and_two_updates_of_one_customer_both_apply(ingest, clock):
    t = clock.now_ms - 10 * MIN
    ingest([registered("v-1", "c-1", t, "ada@example.com")])
    status, body, _ = api("PATCH", "/customers/c-1", {"email": "admin@example.com"}, headers={"If-Match": '"1"'})
    assert status == 200, body
    older = storefront_event("account_updated", "v-1", t + MIN, customer_id="c-1",
                             data={"email": "old@example.com", "first_name": "Augusta"})
    later = storefront_event("account_updated", "v-9", t + 2 * MIN, customer_id="c-1", data={"last_name": "King"})
    assert ingest([older, later]) == [False, False]
    customer = profile("c-1")["customer"]
    assert (customer["email"], customer["first_name"], customer["last_name"]) == ("admin@example.com", "Augusta",
                                                                                  "King")


def test_the_address_book_is_left_as_it_is(ingest, clock):
    book = [{"first_name": "A", "last_name": f"B{n}", "street": [f"{n} Road"], "city": "Lyon", "country_id": "FR"}
            for n in range(12)]  # two pages of the book
    customer, _ = new_customer(addresses=book)
    before = profile(customer["id"])["addresses"]
    update = storefront_event("account_updated", "v-1", clock.now_ms, customer_id=customer["id"],
                              data={"last_name": "Byron"})
    assert ingest([update]) == [False]
    after = profile(customer["id"])
    assert after["customer"]["last_name"] == "Byron" and after["addresses"] == before


def saves_a_profile(body: dict) -> bool:
    return any(item.get("Put", {}).get("Item", {}).get("sk", {}).get("S") == "PROFILE"
               for item in body.get("TransactItems", []))


def test_a_pack_dynamodb_cancels_is_saved_again_one_account_at_a_time(ingest, clock, faults, dynamo_calls):
    t = clock.now_ms - 10 * MIN
    ingest([registered(f"v-{n}", f"c-{n}", t, f"c{n}@example.com") for n in range(3)])
    faults.cancel(["ConditionalCheckFailed"], times=1, match=saves_a_profile)
    dynamo_calls.reset()
    updates = [storefront_event("account_updated", f"v-{n}", t + MIN, customer_id=f"c-{n}",
                                data={"last_name": f"Renamed{n}"}) for n in range(3)]
    assert ingest(updates) == [False, False, False]
    assert len(account_saves(dynamo_calls)) == 1 + 3  # the cancelled pack, then each account alone
    for n in range(3):
        assert profile(f"c-{n}")["customer"]["last_name"] == f"Renamed{n}"
        assert row(f"v-{n}")["last_name"]["S"] == f"Renamed{n}"


def test_a_session_lookup_that_keeps_failing_fails_only_the_account_updates(ingest, clock, faults):
    t = clock.now_ms - 10 * MIN
    ingest([registered("v-1", "c-1", t, "ada@example.com")])
    update = storefront_event("account_updated", "v-1", t + MIN, customer_id="c-1", data={"last_name": "King"})
    cart = storefront_event("cart_item_added", "v-2", t + MIN, data={"sku": "A"})
    faults.error("Query", "ProvisionedThroughputExceededException", times=None,
                 match=key_contains("sessions-by-customer"))
    assert ingest([update, cart]) == [True, False]  # retried by SQS; the cart line is in
    assert int(row("v-1")["last_activity"]["N"]) == t + MIN  # the row took the event before the account step
    faults.rules.clear()
    assert profile("c-1")["customer"]["last_name"] == "Lovelace"
    assert row("v-2")["guest_cart_until"]
