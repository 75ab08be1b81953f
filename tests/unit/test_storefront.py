"""Event intake and the session check, with a fake queue and a fake clock."""

from __future__ import annotations

from shopadmin.logic.storefront import session_status, take_events
from shopadmin.models.presence import PresenceState

from tests.fakes import FakeQueue
from tests.support import BASE_MS, storefront_event

KNOWN = {"base", "fr"}  # the registered websites


def test_results_in_request_order_and_only_valid_events_enqueued():
    good1 = storefront_event("cart_item_added", "v-1", BASE_MS, data={"sku": "A"})
    bad = storefront_event("cart_item_added", "v-1", BASE_MS, data={"sku": "A", "qty": 0})
    good2 = storefront_event("page_viewed", "v-2", BASE_MS)
    queue = FakeQueue()
    results = take_events([good1, bad, 42, good2], queue, BASE_MS, None, KNOWN.__contains__)
    assert [(r.event_id, r.status) for r in results] == [
        (good1["event_id"], "accepted"), (bad["event_id"], "rejected"), (None, "rejected"),
        (good2["event_id"], "accepted")]
    assert "data.qty" in results[1].reason
    assert len(queue.sent) == 2


def test_a_send_failure_is_reported_per_event_never_lost_silently():
    events = [storefront_event("page_viewed", f"v-{i}", BASE_MS) for i in range(3)]
    results = take_events(events, FakeQueue(fail_ids={"1"}), BASE_MS, None, KNOWN.__contains__)
    assert [r.status for r in results] == ["accepted", "rejected", "accepted"]
    assert "again" in results[1].reason


def test_website_bound_token_only_sends_its_website():
    mine = storefront_event("page_viewed", "v-1", BASE_MS, website_id="base")
    other = storefront_event("page_viewed", "v-2", BASE_MS, website_id="fr")
    results = take_events([mine, other], FakeQueue(), BASE_MS, "base", KNOWN.__contains__)
    assert [r.status for r in results] == ["accepted", "rejected"]
    assert "website_id" in results[1].reason


def test_events_of_an_unknown_website_are_rejected_and_never_enqueued():
    """Issue 10: 300 page views naming new websites registered 300 websites; now each is refused."""
    flood = [storefront_event("page_viewed", f"v-{n}", BASE_MS, website_id=f"flood-{n}") for n in range(300)]
    known = storefront_event("page_viewed", "v-ok", BASE_MS, website_id="base")
    queue = FakeQueue()
    results = take_events([*flood, known], queue, BASE_MS, None, KNOWN.__contains__)
    assert [r.status for r in results] == ["rejected"] * 300 + ["accepted"]
    assert {r.reason for r in results[:300]} == {"website_id: unknown website"}
    assert len(queue.sent) == 1


def test_session_status():
    signed = PresenceState("v-1", "base", BASE_MS, BASE_MS, customer_id="c-1")
    assert session_status("v-1", signed, BASE_MS, 15, None) == {"session_id": "v-1", "signed_in": True,
                                                                 "customer_id": "c-1"}
    assert session_status("v-1", signed, BASE_MS + 16 * 60_000, 15, None)["signed_in"] is False
    assert session_status("v-1", signed, BASE_MS, 15, "fr") == {"session_id": "v-1", "signed_in": False,
                                                                 "customer_id": None}
    assert session_status("v-9", None, BASE_MS, 15, None)["signed_in"] is False
