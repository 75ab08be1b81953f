"""Delete Customer (SPEC 3.3) against moto: personal data gone everywhere, orders kept anonymized,
audit kept without values, sessions out of Now Online at once, a repeated delete is 404 and
changes nothing, a large account is deleted in pages."""

from __future__ import annotations

import json

from tests.integration.admin_support import (
    api,
    new_customer,
    online_rows,
    scan,
    session_check,
)
from tests.support import storefront_event

MIN = 60_000
DELETE = "customers:delete"
# Values only this customer has: none may survive anywhere in either table.
PERSONAL = {
    "email": "zq-marker@example.com",
    "first": "Zedmarker",
    "last": "Quxmarker",
    "street": "9 Markerstreet",
    "city": "Markerville",
    "phone": "+44 1234 999",
    "taxvat": "GB-MARKER-42",
    "draft_email": "draft-marker@example.com",
}
ADDRESS = {"first_name": PERSONAL["first"], "last_name": PERSONAL["last"], "street": [PERSONAL["street"]],
           "city": PERSONAL["city"], "country_id": "GB", "telephone": PERSONAL["phone"], "default_billing": True}


def delete(cid, *, sub="admin-9", scopes=DELETE):
    return api("DELETE", f"/customers/{cid}", scopes=scopes, sub=sub)


def everything(aws) -> list[dict]:
    return scan(aws["tables"]["CustomersTable"]) + scan(aws["tables"]["PresenceTable"])


def leaks(aws) -> list[str]:
    text = json.dumps(everything(aws)).lower()
    return [name for name, value in PERSONAL.items() if value.lower() in text]


def rich_customer(clock, ingest) -> str:
    """A customer with every kind of item: addresses, sessions, cart, orders, secrets, balances, audit."""
    cid = new_customer(PERSONAL["email"], first=PERSONAL["first"], last=PERSONAL["last"], addresses=[ADDRESS])
    _, page, headers = api("GET", f"/customers/{cid}")
    patched = api("PATCH", f"/customers/{cid}", {"taxvat": PERSONAL["taxvat"]}, headers={"if-match": headers["ETag"]})
    assert patched[0] == 200
    at = clock.now_ms - 5 * MIN
    events = [
        storefront_event("checkout_draft_saved", "v-del", at, data={"email": PERSONAL["draft_email"]}),
        storefront_event("customer_logged_in", "v-del", at + 1000, customer_id=cid),
        storefront_event("cart_item_added", "v-del", at + 2000, customer_id=cid,
                         data={"sku": "MH01", "qty": 1, "name": "Hoodie", "price": "52.00"}),
        storefront_event("wishlist_item_added", "v-del", at + 3000, customer_id=cid, data={"sku": "WT09"}),
        storefront_event("review_submitted", "v-del", at + 4000, customer_id=cid, data={"sku": "WT09", "rating": 5}),
        storefront_event("newsletter_subscribed", "v-del", at + 5000, customer_id=cid),
        storefront_event("order_placed", "v-del", at + 6000, customer_id=cid,
                         data={"order_id": "o-1", "total": "52.00"}),
        storefront_event("customer_logged_in", "v-phone", at + 7000, customer_id=cid),
    ]
    assert ingest(events) == [False] * len(events)
    assert api("POST", f"/customers/{cid}/orders", {"items": [{"sku": "A", "qty": 2, "price": "10.00"}]})[0] == 201
    assert api("POST", f"/customers/{cid}/store-credit/adjustments", {"amount": "5.00", "reason": "goodwill"})[0] == 201
    status, started, _ = api("POST", f"/customers/{cid}/login-as", scopes="customers:assist")
    assert status == 201
    assert api("POST", "/storefront/login-as/redeem", {"secret": started["secret"], "session_id": "v-assist"},
               scopes="sessions:write")[0] == 201
    assert api("POST", f"/customers/{cid}/login-as", scopes="customers:assist")[0] == 201  # left outstanding
    assert api("POST", f"/customers/{cid}/password-reset", scopes="customers:credentials")[0] == 202
    assert {"v-del", "v-phone", "v-assist"} <= set(online_rows())
    return cid


def test_delete_removes_personal_data_everywhere_and_keeps_orders_anonymized(aws, clock, ingest, bus):
    cid = rich_customer(clock, ingest)
    assert set(leaks(aws)) == set(PERSONAL), "the set-up must put every marker somewhere"
    clock.advance(seconds=1)
    status, body, _ = delete(cid)
    assert status == 204 and body is None

    assert leaks(aws) == []
    table = scan(aws["tables"]["CustomersTable"])
    # the account's partition holds only the tombstone; the orders are kept apart, anonymized
    assert [i["sk"]["S"] for i in table if i["pk"]["S"] == f"CUSTOMER#{cid}"] == ["DELETED"]
    orders = [i for i in table if i["pk"]["S"] == f"DELETED#{cid}"]
    assert "o-1" in {o["order_id"]["S"] for o in orders} and len(orders) == 2  # storefront and admin order
    for order in orders:
        assert order["sk"]["S"] == "ORDER#" + order["order_id"]["S"]
        assert set(order) <= {"pk", "sk", "kind", "order_id", "status", "total", "created_at", "items", "placed_by"}
        assert {"order_id", "status", "total", "created_at"} <= set(order)  # + items when the order had lines
    assert json.loads(next(o for o in orders if "items" in o)["items"]["S"])[0]["sku"] == "A"  # the admin order's lines
    assert not [i for i in scan(aws["tables"]["CustomersTable"])
                if i["pk"]["S"].startswith(("LOGINAS#", "RESET#", "EMAIL#", "GUEST#v-del"))]

    # gone for every read, at once
    assert api("GET", f"/customers/{cid}")[0] == 404
    rows = online_rows()
    assert not {"v-del", "v-phone", "v-assist"} & set(rows)
    for session in ("v-del", "v-phone", "v-assist"):
        assert session_check(session)["signed_in"] is False
    _, grid, _ = api("GET", "/customers", query={"q": PERSONAL["first"]})
    assert grid["items"] == []
    # the email is free again
    assert new_customer(PERSONAL["email"], assist=False) != cid

    # the audit trail stays (for operators; the API answers 404 like for the rest of the account):
    # who did what when, without the values
    assert api("GET", f"/customers/{cid}/audit", scopes="audit:read")[0] == 404
    entries = sorted((i for i in table if i["pk"]["S"] == f"AUDIT#{cid}"), key=lambda i: i["sk"]["S"], reverse=True)
    actions = [e["action"]["S"] for e in entries]
    assert actions[0] == "customer.deleted"
    assert {"customer.created", "customer.updated", "login_as.started"} <= set(actions)
    assert entries[0]["actor"]["S"] == "admin-9" and json.loads(entries[0]["changes"]["S"]) == {}
    created = next(e for e in entries if e["action"]["S"] == "customer.created")
    assert json.loads(created["changes"]["S"])["email"] == {"before": None, "after": "[redacted]"}

    (event,) = bus.of_type("customer.deleted")
    assert event["customer_id"] == cid and event["admin"] == "admin-9"


def test_a_repeated_delete_is_404_and_changes_nothing(aws, clock, ingest, bus):
    cid = new_customer(PERSONAL["email"])
    assert ingest([storefront_event("customer_logged_in", "v-1", clock.now_ms - MIN, customer_id=cid)]) == [False]
    assert delete(cid)[0] == 204
    before, events_before = everything(aws), len(bus.of_type("customer.deleted"))
    clock.advance(minutes=1)
    status, error, _ = delete(cid)
    assert status == 404 and error["error"]["code"] == "not_found"
    assert everything(aws) == before
    assert len(bus.of_type("customer.deleted")) == events_before == 1


def test_delete_unknown_customer_is_404_and_needs_its_scope(aws, clock):
    assert delete("nobody")[0] == 404
    cid = new_customer()
    assert delete(cid, scopes="customers:write customers:credentials")[0] == 403
    assert api("GET", f"/customers/{cid}")[0] == 200


def test_late_login_from_before_the_delete_does_not_bring_the_session_back(aws, clock, ingest):
    cid = new_customer()
    assert ingest([storefront_event("customer_logged_in", "v-1", clock.now_ms - MIN, customer_id=cid)]) == [False]
    deleted_at = clock.now_ms
    assert delete(cid)[0] == 204
    assert ingest([storefront_event("customer_logged_in", "v-1", deleted_at - 1000, customer_id=cid)]) == [False]
    assert session_check("v-1")["signed_in"] is False and "v-1" not in online_rows()


def test_a_large_account_is_deleted_in_pages_across_invocations(aws, clock, ingest, bus, monkeypatch):
    from shopadmin.api.routes import customer_deletion as route
    from shopadmin.logic import customer_deletion as logic

    monkeypatch.setattr(logic, "PAGE_SIZE", 4)
    monkeypatch.setattr(route, "TIME_RESERVE_MS", 10**9)  # never "time left": one page per invocation
    cid = new_customer(PERSONAL["email"], first=PERSONAL["first"], last=PERSONAL["last"], addresses=[ADDRESS])
    at = clock.now_ms - 10 * MIN
    events = [storefront_event("customer_logged_in", "v-big", at, customer_id=cid)]
    events += [storefront_event("wishlist_item_added", "v-big", at + n + 1, customer_id=cid, data={"sku": f"S{n:02d}"})
               for n in range(12)]
    events += [storefront_event("order_placed", "v-big", at + 100 + n, customer_id=cid,
                                data={"order_id": f"o-{n}", "total": "1.00"}) for n in range(5)]
    assert ingest(events) == [False] * len(events)

    status, body, _ = delete(cid)
    assert status == 202 and body["status"] == "in_progress"
    # the account is gone for reads and Now Online from the first response on
    assert api("GET", f"/customers/{cid}")[0] == 404 and "v-big" not in online_rows()
    outside_audit = [i for i in scan(aws["tables"]["CustomersTable"]) if not i["pk"]["S"].startswith("AUDIT#")]
    assert PERSONAL["email"] not in json.dumps(outside_audit)  # profile + claim went first
    calls = 1
    while status == 202:
        status, body, _ = delete(cid)
        calls += 1
        assert calls < 30
    assert status == 204 and calls >= 5  # 20 partition items and 3 audit entries, 4 per page
    assert leaks(aws) == []
    orders = [i for i in scan(aws["tables"]["CustomersTable"]) if i["pk"]["S"] == f"DELETED#{cid}"]
    assert len(orders) == 5
    assert len(bus.of_type("customer.deleted")) == 1
    assert delete(cid)[0] == 404


def test_a_replayed_registration_does_not_bring_a_deleted_customer_back(aws, clock, ingest):
    from tests.support import registered

    signup = registered("v-1", "c-gone", clock.now_ms - MIN, PERSONAL["email"], first=PERSONAL["first"],
                        last=PERSONAL["last"])
    assert ingest([signup]) == [False]
    assert api("GET", "/customers/c-gone")[0] == 200
    assert delete("c-gone")[0] == 204
    clock.advance(minutes=1)
    ingest([signup])  # the same event again (a redrive from the dead-letter queue, say)
    assert api("GET", "/customers/c-gone")[0] == 404
    assert leaks(aws) == []  # nor its name in a session row: the replayed sign-up is older than the delete
