"""DELETE /customers/{id}/wishlist/items/{sku} (SPEC 7): 204 and audited, 404 when absent."""

from __future__ import annotations

import threading

from tests.integration.lambdas import invoke_http
from tests.support import http_event, storefront_event

ALL = "customers:read customers:write audit:read"


def call(method: str, path: str, body: dict | None = None, scopes: str = ALL) -> tuple[int, dict | None]:
    parts = path.strip("/").split("/")
    params = {"customer_id": parts[1]} if len(parts) >= 2 else {}
    route = path
    if len(parts) >= 2:
        route = route.replace(parts[1], "{customer_id}", 1)
    if len(parts) == 5 and parts[2:4] == ["wishlist", "items"]:
        params["sku"] = parts[4]
        route = "/".join(route.split("/")[:-1]) + "/{sku}"
    function = {"audit": "CustomerAuditFunction", "wishlist": "CustomerCommerceFunction"}.get(
        parts[2] if len(parts) > 2 else "", "CustomersFunction")
    status, answer, _ = invoke_http(function, http_event(method, path, scopes=scopes, body=body,
                                                        path_parameters=params or None, route=f"{method} {route}"))
    return status, answer


def customer_with_wishlist(ingest, clock, *skus: str) -> str:
    status, customer = call("POST", "/customers", {"email": "ada@example.com", "first_name": "Ada",
                                                    "last_name": "Lovelace", "website_id": "base"})
    assert status == 201, customer
    cid = customer["id"]
    assert not any(ingest([storefront_event("wishlist_item_added", "v-1", clock.now_ms - 1000 + n, customer_id=cid,
                                            data={"sku": sku}) for n, sku in enumerate(skus)]))
    return cid


def wishlist(cid: str) -> list[str]:
    status, profile = call("GET", f"/customers/{cid}")
    assert status == 200 and profile is not None
    return sorted(item["sku"] for item in profile["wishlist"])


def test_remove_answers_204_removes_only_that_item_and_is_audited(aws, clock, ingest):
    cid = customer_with_wishlist(ingest, clock, "MH01", "WT09")
    assert wishlist(cid) == ["MH01", "WT09"]
    status, body = call("DELETE", f"/customers/{cid}/wishlist/items/MH01")
    assert (status, body) == (204, None)
    assert wishlist(cid) == ["WT09"]
    _, page = call("GET", f"/customers/{cid}/audit", scopes="audit:read")
    assert page is not None
    entry = next(e for e in page["items"] if e["action"] == "wishlist.updated")
    assert entry["actor"] == "admin-1"
    assert "wishlist.MH01" in entry["changes"]


def test_absent_item_or_customer_is_404_and_writes_nothing(aws, clock, ingest):
    cid = customer_with_wishlist(ingest, clock, "MH01")
    status, body = call("DELETE", f"/customers/{cid}/wishlist/items/NOPE")
    assert status == 404 and body is not None and "wish list" in body["error"]["message"]
    status, _ = call("DELETE", "/customers/c-missing/wishlist/items/MH01")
    assert status == 404
    _, page = call("GET", f"/customers/{cid}/audit", scopes="audit:read")
    assert page is not None and not [e for e in page["items"] if e["action"] == "wishlist.updated"]
    assert wishlist(cid) == ["MH01"]


def test_concurrent_removals_of_one_item_one_204_one_404(aws, clock, ingest):
    cid = customer_with_wishlist(ingest, clock, "MH01")
    statuses: list[int] = []

    def remove() -> None:
        statuses.append(call("DELETE", f"/customers/{cid}/wishlist/items/MH01")[0])

    threads = [threading.Thread(target=remove) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [204, 404]
    _, page = call("GET", f"/customers/{cid}/audit", scopes="audit:read")
    assert page is not None and len([e for e in page["items"] if e["action"] == "wishlist.updated"]) == 1


def test_remove_needs_customers_write(aws, clock, ingest):
    cid = customer_with_wishlist(ingest, clock, "MH01")
    status, _ = call("DELETE", f"/customers/{cid}/wishlist/items/MH01", scopes="customers:read")
    assert status == 403
    assert wishlist(cid) == ["MH01"]
