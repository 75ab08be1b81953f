"""What DynamoDB does on AWS and moto never does: conflicts, throttling, lost responses, stale reads,
unprocessed batch keys (issue 11). Faults are injected at the botocore transport (faults.py); no
test sleeps. The numbers in the test names are the defects of issue 11.
"""

from __future__ import annotations

import os
from collections import Counter

import boto3

from tests.integration import test_customer_commerce as commerce
from tests.integration.admin_support import api, new_customer, scan, session_check
from tests.integration.faults import key_contains
from tests.support import registered, storefront_event

MIN = 60_000
CREDENTIALS = "customers:credentials"


def _account_body(email="ada@example.com", first="Ada"):
    return {"email": email, "first_name": first, "last_name": "Lovelace", "website_id": "base"}


# ------------------------------------------------------------------ 2: TransactionConflict everywhere
def test_2_a_transaction_conflict_on_an_account_save_is_retried_not_a_500(aws, clock, faults):
    status, customer, headers = api("POST", "/customers", _account_body())
    assert status == 201
    faults.cancel(["None", "TransactionConflict"], times=2)
    status, body, _ = api("PUT", f"/customers/{customer['id']}", _account_body(first="Grace"),
                          headers={"if-match": headers["ETag"]})
    assert status == 200, body
    assert body["first_name"] == "Grace" and body["version"] == customer["version"] + 1
    assert len(faults.our_sleeps) == 2 and all(0 <= s <= 1.0 for s in faults.our_sleeps)


def test_2_conflicts_on_address_add_and_delete_are_retried(aws, clock, faults):
    cid = new_customer(assist=False)
    address = {"first_name": "Ada", "last_name": "Lovelace", "street": ["1 Main St"], "city": "London",
               "postcode": "N1", "country_id": "GB", "telephone": "1"}
    faults.cancel(["TransactionConflict"], times=1)
    status, body, _ = api("POST", f"/customers/{cid}/addresses", address)
    assert status == 201, body
    faults.cancel(["TransactionConflict", "None"], times=1)
    status, body, _ = api("DELETE", f"/customers/{cid}", scopes="customers:delete")
    assert status == 204, body


def test_2_a_conflict_that_outlasts_the_retries_is_a_503_with_retry_after_and_changes_nothing(aws, clock, faults):
    status, customer, headers = api("POST", "/customers", _account_body())
    faults.cancel(["TransactionConflict"], times=None)
    faults.calls.clear()
    status, body, response_headers = api("PUT", f"/customers/{customer['id']}", _account_body(first="Grace"),
                                         headers={"if-match": headers["ETag"]})
    assert status == 503 and body["error"]["code"] == "busy"
    assert response_headers["Retry-After"] == "1"
    assert faults.calls["TransactWriteItems"] == 5  # bounded
    faults.rules.clear()
    assert api("GET", f"/customers/{customer['id']}")[1]["customer"]["first_name"] == "Ada"


def test_2_throttling_that_outlasts_botocore_retries_is_a_503_not_a_500(aws, clock, faults):
    cid = new_customer(assist=False)
    faults.error("Query", "ProvisionedThroughputExceededException", times=None)
    status, body, headers = api("GET", f"/customers/{cid}")
    assert status == 503 and headers["Retry-After"] == "1", body
    assert faults.botocore_sleeps  # botocore's standard mode retried before giving up


# ------------------------------------------------------------------ 3: lost responses, ClientRequestToken
def _applied_then_unreachable(faults):
    """The first attempt is applied but its response is lost; botocore's three resends fail with 500."""
    faults.lose_response("TransactWriteItems", times=1)
    faults.error("TransactWriteItems", "InternalServerError", times=3, status=500)


def _as_a_client_would(call):
    """An admin's console retries a failed request once (same Idempotency-Key)."""
    status, body, headers = call()
    return (status, body, headers) if status < 500 else call()


def test_3_a_store_credit_adjustment_whose_response_was_lost_applies_once(aws, clock, faults):
    cid = commerce.new_customer()
    _applied_then_unreachable(faults)
    faults.sent.clear()
    status, body, _ = _as_a_client_would(lambda: commerce.api(
        "POST", f"/customers/{cid}/store-credit/adjustments", {"amount": "5.00", "reason": "goodwill"},
        headers={"idempotency-key": "adj-1"}))
    assert status == 201, body
    credit = commerce.profile(cid)["store_credit"]
    assert credit["balance"] == "5.00" and len(credit["ledger"]) == 1
    # the lost transaction (the Idempotency-Key's claim under the customer, the first one written) was
    # sent 5 times with one token (4 botocore attempts + our resend); every other transaction once
    counts = sorted(Counter(faults.tokens()).values(), reverse=True)
    assert counts[0] == 5 and set(counts[1:]) <= {1}, counts


def test_3_an_order_whose_response_was_lost_is_stored_once(aws, clock, faults):
    cid = commerce.new_customer()
    _applied_then_unreachable(faults)
    status, order, _ = _as_a_client_would(lambda: commerce.api(
        "POST", f"/customers/{cid}/orders", {"items": [{"sku": "A", "qty": 1, "price": "3.00"}]},
        headers={"idempotency-key": "order-1"}))
    assert status == 201, order
    status, orders, _ = commerce.api("GET", f"/customers/{cid}/orders")
    assert [o["id"] for o in orders["items"]] == [order["id"]]


def test_3_a_cancelled_attempt_is_resent_with_a_new_token(aws, clock, faults):
    cid = commerce.new_customer()
    faults.cancel(["None", "TransactionConflict", "None"], times=1)
    faults.sent.clear()
    assert commerce.api("POST", f"/customers/{cid}/store-credit/adjustments",
                        {"amount": "1.00", "reason": "x"})[0] == 201
    tokens = faults.tokens()
    assert len(tokens) == 2 and tokens[0] != tokens[1] and all(len(t) == 36 for t in tokens)


# ------------------------------------------------------------------ 5: consistent reads feeding writes
def test_5_the_guest_cart_read_at_login_is_consistent(ingest, clock, faults):
    t = clock.now_ms
    ingest([registered("v-old", "c-1", t - 5 * MIN, "a@example.com")])
    ingest([storefront_event("cart_item_added", "v-new", t, data={"sku": "A", "qty": 2})])
    faults.stale("Query", match=key_contains("GUEST#v-new"))  # the line is not yet visible to a plain read
    assert not any(ingest([storefront_event("customer_logged_in", "v-new", t + 1, customer_id="c-1")]))
    items = boto3.client("dynamodb").query(
        TableName=aws_table("CustomersTable"), KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "CUSTOMER#c-1"}})["Items"]
    assert {i["sk"]["S"] for i in items} >= {"CART#A"}


def test_5_a_profile_registered_moments_ago_names_the_login_row(ingest, clock, faults):
    t = clock.now_ms - MIN
    ingest([registered("v-1", "c-1", t, "ada@example.com")])
    faults.stale("BatchGetItem", match=key_contains("CUSTOMER#c-1"))
    ingest([storefront_event("customer_logged_in", "v-2", t + 1000, customer_id="c-1")])
    row = boto3.client("dynamodb").get_item(TableName=aws_table("PresenceTable"), Key={"session_id": {"S": "v-2"}})
    assert row["Item"]["email"]["S"] == "ada@example.com"


def test_5_force_sign_in_signs_out_a_session_whose_row_reads_stale(aws, clock, ingest, faults):
    cid = new_customer(assist=False)
    assert ingest([storefront_event("customer_logged_in", "v-phone", clock.now_ms - MIN, customer_id=cid)]) == [False]
    faults.stale("GetItem", match=key_contains("v-phone"))
    status, body, _ = api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS)
    assert status == 200 and body["sessions_signed_out"] == 1, body
    faults.rules.clear()
    assert session_check("v-phone")["signed_in"] is False


def test_5_presence_write_retries_pause_with_backoff(ingest, clock, faults):
    t = clock.now_ms - MIN
    ingest([storefront_event("cart_item_added", "v-1", t, data={"sku": "A"})])
    faults.error("PutItem", "ConditionalCheckFailedException", times=2, match=key_contains("v-1"))
    assert ingest([storefront_event("cart_item_added", "v-1", t + 1, data={"sku": "B"})]) == [False]
    assert len(faults.our_sleeps) >= 2


# ------------------------------------------------------------------ 6: batch APIs
def test_6_unprocessed_batch_get_keys_are_retried_with_backoff_and_bounded(aws, clock, faults):
    cid = commerce.new_customer()
    faults.unprocessed("BatchGetItem", times=2)
    status, body, _ = commerce.api("POST", f"/customers/{cid}/store-credit/adjustments",
                                   {"amount": "1.00", "reason": "x"})
    assert status == 201, body
    assert len(faults.our_sleeps) == 2
    faults.unprocessed("BatchGetItem", times=None)
    status, body, headers = commerce.api("POST", f"/customers/{cid}/store-credit/adjustments",
                                         {"amount": "1.00", "reason": "x"})
    assert status == 503 and headers["Retry-After"] == "1", body
    assert faults.calls["BatchGetItem"] < 20  # not a tight loop of thousands of calls


def test_6_force_sign_in_outlasts_unprocessed_items_and_the_secret_is_revoked(aws, clock, faults):
    from tests.integration.test_customer_credentials import redeem, started_secret

    cid = new_customer()
    secret = started_secret(cid)
    faults.unprocessed("BatchWriteItem", times=4)
    status, body, _ = api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS)
    assert status == 200 and body["secrets_revoked"] == 1, body
    assert redeem(secret, "v-1")[0] == 404
    assert not [i for i in scan(aws["tables"]["CustomersTable"]) if i["pk"]["S"].startswith("LOGINAS#")]


def test_6_force_sign_in_never_reports_success_while_a_secret_is_left(aws, clock, faults):
    from tests.integration.test_customer_credentials import redeem, started_secret

    cid = new_customer()
    secret = started_secret(cid)
    faults.unprocessed("BatchWriteItem", times=None)
    status, body, headers = api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS)
    assert status == 503 and headers["Retry-After"] == "1", body
    faults.rules.clear()
    assert redeem(secret, "v-1")[0] == 201  # it was not revoked, and the admin was told so


def aws_table(logical_id: str) -> str:
    return os.environ["CUSTOMERS_TABLE" if logical_id == "CustomersTable" else "PRESENCE_TABLE"]


# ------------------------------------------------------------------ 9: index key byte limits
def test_9_a_name_of_255_emoji_fits_the_1024_byte_index_sort_key(aws, clock):
    name = "\U0001F600" * 255  # 255 characters pass the API's rule; 1,020 bytes of UTF-8
    status, customer, _ = api("POST", "/customers", {**_account_body(), "first_name": name, "last_name": name})
    assert status == 201, customer
    (profile,) = [i for i in scan(aws["tables"]["CustomersTable"]) if i["sk"]["S"] == "PROFILE"]
    for key in ("grid_first_name", "grid_last_name", "grid_email", "grid_created"):
        assert len(profile[key]["S"].encode("utf-8")) <= 1024, key
    assert profile["first_name"]["S"] == name  # the field itself is kept whole
    status, page, _ = api("GET", "/customers", query={"q": "\U0001F600" * 3})
    assert status == 200 and [c["id"] for c in page["items"]] == [customer["id"]]


def test_9_a_full_save_of_50_non_latin_addresses_fits_its_audit_entry(aws, clock):
    text = "東" * 255
    address = {"first_name": text, "last_name": text, "company": text, "city": text, "region": text,
               "street": [text] * 4, "postcode": "100-0001", "country_id": "JP", "telephone": "0312345678"}
    status, customer, headers = api("POST", "/customers", _account_body())
    assert status == 201
    body = {**_account_body(), "addresses": [address] * 50}
    status, saved, _ = api("PUT", f"/customers/{customer['id']}", body, headers={"if-match": headers["ETag"]})
    assert status == 200, saved
    audits = [i for i in scan(aws["tables"]["CustomersTable"]) if i["pk"]["S"] == f"AUDIT#{customer['id']}"]
    assert audits and all(len(i["changes"]["S"].encode("utf-8")) < 400_000 for i in audits)
    status, page, _ = api("GET", f"/customers/{customer['id']}/audit", scopes="audit:read")
    assert status == 200 and any(entry["action"] == "address.changed" for entry in page["items"])
