"""`make run`'s demo data through the real path: the demo shop's customers, one of whom allows Login as Customer."""

from __future__ import annotations

from local import demo
from tests.integration.admin_support import api, audit_entries


def test_the_demo_customer_who_allows_remote_assistance_can_be_assisted_and_the_others_cannot(ingest, clock):
    from datetime import UTC, datetime

    assert not any(ingest(demo.demo_events(datetime.fromtimestamp(clock.now_ms / 1000, tz=UTC))))
    from shopadmin import wiring

    assert demo.allow_remote_assistance(wiring.customer_accounts(), clock.now_ms) == list(demo.ASSISTED_CUSTOMERS)
    assert demo.allow_remote_assistance(wiring.customer_accounts(), clock.now_ms) == []  # a restart changes nothing
    for customer_id, *_ in demo.CUSTOMERS:
        status, body, _ = api("POST", f"/customers/{customer_id}/login-as", scopes="customers:assist")
        assert status == (201 if customer_id in demo.ASSISTED_CUSTOMERS else 403), (customer_id, body)
    entries = audit_entries(demo.ASSISTED_CUSTOMERS[0])
    assert any(entry["actor"] == "make-run" for entry in entries), entries
