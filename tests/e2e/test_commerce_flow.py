"""Admin commerce over HTTP against the local stack: cart, order from the cart with an Idempotency-Key,
store credit, and the demo customers' newsletter history on their profile."""

from __future__ import annotations

import uuid


def test_cart_to_order_with_an_idempotency_key_then_credit(api):
    email = f"commerce-{uuid.uuid4().hex[:8]}@example.com"
    response = api.post("/customers", json={"email": email, "first_name": "Erin", "last_name": "Tester",
                                            "website_id": "base"})
    assert response.status_code == 201, response.text
    cid = response.json()["id"]

    assert api.request("PUT", f"/customers/{cid}/cart/items/MH01",
                       json={"qty": 2, "price": "52.00", "name": "Hoodie"}).status_code == 200
    key = {"Idempotency-Key": f"e2e-{uuid.uuid4()}"}
    first = api.post(f"/customers/{cid}/orders", json={"from_cart": True}, headers=key)
    again = api.post(f"/customers/{cid}/orders", json={"from_cart": True}, headers=key)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json() and first.json()["total"] == "104.00"
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert api.get(f"/customers/{cid}/cart").json() == {"items": []}
    assert len(api.get(f"/customers/{cid}/orders").json()["items"]) == 1

    credit = api.post(f"/customers/{cid}/store-credit/adjustments", json={"amount": "5.00", "reason": "e2e"})
    assert credit.status_code == 201 and credit.json()["balance"] == "5.00"
    refused = api.post(f"/customers/{cid}/store-credit/adjustments", json={"amount": "-5.01", "reason": "e2e"})
    assert refused.status_code == 422
    profile = api.get(f"/customers/{cid}").json()
    assert profile["store_credit"]["balance"] == "5.00" and profile["order_stats"]["count"] == 1


def test_demo_customers_have_a_newsletter_history(api):
    newsletter = api.get("/customers/c-demo-1").json()["newsletter"]
    assert [h["subject"] for h in newsletter["history"]]
    assert newsletter["subscriptions"] == {"base": True}
