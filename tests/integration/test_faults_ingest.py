"""Issue 11, defect 7: a shared read failing before the per-message stage fails only the messages
that need it, never the whole batch of up to 100. Faults at the botocore transport; no sleeps."""

from __future__ import annotations

import os

import boto3

from tests.integration.faults import key_contains
from tests.support import registered, storefront_event

MIN = 60_000
THROTTLED = "ProvisionedThroughputExceededException"


def presence_row(session_id: str) -> dict | None:
    return boto3.client("dynamodb").get_item(TableName=os.environ["PRESENCE_TABLE"],
                                             Key={"session_id": {"S": session_id}}).get("Item")


def test_7_a_config_read_throttled_past_botocore_is_retried_and_the_batch_applies(ingest, clock, faults):
    faults.error("GetItem", THROTTLED, times=5, match=key_contains("online-customers"))  # 4 botocore + 1 of ours
    events = [storefront_event("cart_item_added", f"v-{n}", clock.now_ms - MIN, data={"sku": "A"}) for n in range(20)]
    assert ingest(events) == [False] * 20
    assert faults.our_sleeps and presence_row("v-7") is not None


def test_7_a_config_read_that_keeps_failing_fails_only_the_messages_needing_it(ingest, clock, faults):
    faults.error("GetItem", THROTTLED, times=None, match=key_contains("online-customers"))
    page_view = storefront_event("page_viewed", "v-1", clock.now_ms - MIN)
    cart = storefront_event("cart_item_added", "v-2", clock.now_ms - MIN, data={"sku": "A"})
    assert ingest([page_view, cart]) == [False, True]
    assert faults.calls["GetItem"] < 20  # bounded


def test_7_a_profile_read_that_keeps_failing_fails_only_those_logins(ingest, clock, faults):
    t = clock.now_ms - 2 * MIN
    assert ingest([registered("v-0", "c-1", t, "ada@example.com")]) == [False]
    faults.error("BatchGetItem", THROTTLED, times=None, match=key_contains("CUSTOMER#c-1"))
    login = storefront_event("customer_logged_in", "v-login", t + 1000, customer_id="c-1")
    others = [storefront_event("cart_item_added", f"v-{n}", t + 1000, data={"sku": "A"}) for n in range(5)]
    assert ingest([login, *others]) == [True] + [False] * 5
    assert presence_row("v-login") is None and presence_row("v-3") is not None


def test_7_a_presence_batch_read_that_keeps_failing_falls_back_to_per_session_reads(ingest, clock, faults):
    faults.error("BatchGetItem", THROTTLED, times=None, match=key_contains(os.environ["PRESENCE_TABLE"]))
    events = [storefront_event("cart_item_added", f"v-{n}", clock.now_ms - MIN, data={"sku": "A"}) for n in range(10)]
    assert ingest(events) == [False] * 10
    assert presence_row("v-9") is not None
