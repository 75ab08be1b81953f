"""A batch's registrations are created in packed transactions (issue 24 item 4); what a pack cannot create
goes alone."""

from __future__ import annotations

import botocore.client
import pytest

from tests.integration.admin_support import api
from tests.support import registered

MIN = 60_000


@pytest.fixture
def profile_writes(monkeypatch) -> list[int]:
    """Per TransactWriteItems call that creates profiles, how many it creates."""
    writes: list[int] = []
    original = botocore.client.BaseClient._make_api_call

    def record(client, operation, params):
        if operation == "TransactWriteItems":
            created = sum(1 for item in params["TransactItems"]
                          if item.get("Put", {}).get("Item", {}).get("sk", {}).get("S") == "PROFILE")
            if created:
                writes.append(created)
        return original(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", record)
    return writes


def account(customer_id: str) -> dict | None:
    status, body, _ = api("GET", f"/customers/{customer_id}")
    return body if status == 200 else None


def test_thirty_registrations_take_two_transactions(ingest, clock, profile_writes):
    now = clock.now_ms
    failed = ingest([registered(f"s-{i}", f"c-{i}", now - MIN, f"p{i}@example.com", last=f"N{i}") for i in range(30)])
    assert not any(failed)
    assert profile_writes == [25, 5]  # 4 items each (profile, deletion check, claim, audit): 25 fit in 100
    assert all(account(f"c-{i}") for i in range(30))


def test_a_pack_that_cannot_apply_leaves_each_registration_to_its_own_path(ingest, clock, profile_writes):
    now = clock.now_ms
    assert not any(ingest([registered("s-old", "c-old", now - 5 * MIN, "old@example.com", last="Before"),
                           registered("s-holder", "c-holder", now - 5 * MIN, "taken@example.com")]))
    profile_writes.clear()
    failed = ingest([
        registered("s-1", "c-new-1", now - MIN, "new1@example.com"),
        registered("s-2", "c-old", now - MIN, "old@example.com", last="After"),  # exists: a newer change
        registered("s-3", "c-new-3", now - MIN, "taken@example.com"),  # email held by another customer
        registered("s-4", "c-new-4", now - MIN, "same@example.com"),
        registered("s-5", "c-new-5", now - MIN, "same@example.com"),  # the same email twice in one batch
    ])
    assert profile_writes[0] == 5  # the pack, cancelled; then one at a time
    assert failed == [False, False, True, False, True]
    assert account("c-new-1") and account("c-new-4")
    assert account("c-new-3") is None and account("c-new-5") is None
    assert account("c-old")["customer"]["last_name"] == "After"
