"""Customer grid, Customer Information page and safe editing (SPEC 3.1, 3.2) against moto."""

from __future__ import annotations

import threading

import pytest

from tests.integration.lambdas import invoke_http
from tests.support import http_event, storefront_event

MIN = 60_000
ALL = "customers:read customers:write audit:read"


def api(method, path, body=None, *, scopes=ALL, headers=None, query=None, sub="admin-1"):
    params = {}
    parts = path.strip("/").split("/")
    route = path
    if len(parts) >= 2 and parts[0] == "customers":
        params["customer_id"] = parts[1]
        route = route.replace(parts[1], "{customer_id}", 1)
    if len(parts) >= 4 and parts[2] == "addresses":
        params["address_id"] = parts[3]
        route = route.replace(parts[3], "{address_id}")
    function = "CustomerAuditFunction" if path.endswith("/audit") else "CustomersFunction"
    event = http_event(method, path, scopes=scopes, body=body, headers=headers, query=query,
                       path_parameters=params or None, route=f"{method} {route}", claims={"sub": sub})
    return invoke_http(function, event)


def new_customer(email="ada@example.com", **extra):
    body = {"email": email, "first_name": "Ada", "last_name": "Lovelace", "website_id": "base", **extra}
    status, customer, headers = api("POST", "/customers", body)
    assert status == 201, customer
    return customer, headers["ETag"]


def test_create_returns_the_customer_with_defaults_and_etag(aws, clock):
    customer, etag = new_customer(dob="1990-12-10", gender="female")
    assert etag == '"1"' and customer["version"] == 1
    assert customer["group_id"] == 1 and customer["allow_remote_assistance"] is False
    assert customer["middle_name"] is None and customer["dob"] == "1990-12-10"


@pytest.mark.parametrize("body, field", [
    ({"first_name": "A", "last_name": "B", "website_id": "base"}, "email"),
    ({"email": "x@example.com", "first_name": "A", "last_name": "B", "website_id": "base", "password": "x"},
     "password"),
    ({"email": "x@example.com", "first_name": "A", "last_name": "B", "website_id": "base", "gender": "robot"},
     "gender"),
    ({"email": "x@example.com", "first_name": "A", "last_name": "B", "website_id": "base", "dob": "3000-01-01"}, "dob"),
])
def test_create_validation_names_the_field(aws, clock, body, field):
    status, error, _ = api("POST", "/customers", body)
    assert status == 422
    assert any(field in d["field"] for d in error["error"]["details"]), error


def test_email_is_unique_per_website(aws, clock):
    new_customer("ada@example.com")
    status, error, _ = api("POST", "/customers", {"email": "ADA@example.com", "first_name": "B", "last_name": "C",
                                                  "website_id": "base"})
    assert status == 409 and error["error"]["details"][0]["field"] == "body.email"
    new_customer("ada@example.com", website_id="fr")  # another website may reuse it


def test_email_uniqueness_holds_under_concurrent_creates(aws, clock):
    results = []

    def create(i):
        status, _, _ = api("POST", "/customers", {"email": "race@example.com", "first_name": f"R{i}",
                                                  "last_name": "C", "website_id": "base"})
        results.append(status)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] + [409] * 5


def test_profile_read_is_one_query_plus_sessions(aws, clock, dynamo_calls, ingest):
    customer, _ = new_customer()
    cid = customer["id"]
    ingest([storefront_event("customer_logged_in", "v-1", clock.now_ms - MIN, customer_id=cid),
            storefront_event("cart_item_added", "v-1", clock.now_ms - MIN + 1, customer_id=cid,
                             data={"sku": "MH01", "qty": 2, "price": "52.00", "name": "Hoodie"})])
    dynamo_calls.reset()
    status, profile, headers = api("GET", f"/customers/{cid}")
    assert status == 200 and headers["ETag"] == '"1"'
    customer_queries = [p for n, p in dynamo_calls.log if n == "Query" and p["TableName"] == "CustomersTable"
                        and "IndexName" not in p]
    session_queries = [p for n, p in dynamo_calls.log if n == "Query" and p.get("IndexName") == "sessions-by-customer"]
    assert len(customer_queries) == 1 and len(session_queries) == 1
    assert dynamo_calls["BatchGetItem"] == 1 and dynamo_calls["Scan"] == 0
    assert profile["activity"]["online"] is True
    assert [s["session_id"] for s in profile["activity"]["sessions"]] == ["v-1"]
    assert profile["cart"]["items"] == [{"sku": "MH01", "name": "Hoodie", "qty": 2, "price": "52.00"}]
    assert profile["order_stats"] == {"count": 0, "lifetime_sales": "0.00", "average_sale": "0.00"}
    assert set(profile) >= {"customer", "activity", "addresses", "default_billing", "default_shipping", "orders",
                            "returns", "wishlist", "gift_registries", "store_credit", "reward_points", "newsletter",
                            "billing_agreements", "reviews"}


def test_unknown_customer_is_404(aws, clock):
    status, error, _ = api("GET", "/customers/nobody")
    assert status == 404 and error["error"]["code"] == "not_found"


def test_quick_edit_changes_only_allowed_fields(aws, clock):
    customer, etag = new_customer()
    status, error, _ = api("PATCH", f"/customers/{customer['id']}", {"first_name": "Eve"}, headers={"if-match": etag})
    assert status == 422 and any("first_name" in d["field"] for d in error["error"]["details"])
    status, saved, headers = api("PATCH", f"/customers/{customer['id']}", {"taxvat": "FR123", "group_id": 3},
                                 headers={"if-match": etag})
    assert status == 200 and saved["taxvat"] == "FR123" and saved["group_id"] == 3
    assert headers["ETag"] == '"2"' and saved["first_name"] == "Ada"


def test_edits_need_a_precondition_and_stale_ones_change_nothing(aws, clock):
    customer, etag = new_customer()
    cid = customer["id"]
    status, _, _ = api("PATCH", f"/customers/{cid}", {"taxvat": "X"})
    assert status == 428
    status, error, _ = api("PATCH", f"/customers/{cid}", {"taxvat": "X"}, headers={"if-match": "nonsense"})
    assert status == 422 and "if-match" in error["error"]["details"][0]["field"]
    status, _, _ = api("PATCH", f"/customers/{cid}", {"taxvat": "X", "version": 5}, headers={"if-match": etag})
    assert status == 412  # If-Match and version disagree
    assert api("PATCH", f"/customers/{cid}", {"taxvat": "X"}, headers={"if-match": etag})[0] == 200
    status, error, _ = api("PATCH", f"/customers/{cid}", {"taxvat": "Y"}, headers={"if-match": etag})
    assert status == 409
    assert api("GET", f"/customers/{cid}")[1]["customer"]["taxvat"] == "X"
    status, _, _ = api("PATCH", f"/customers/{cid}", {"taxvat": "Y", "version": 2})
    assert status == 200


def test_two_writers_from_the_same_version_one_wins(aws, clock):
    customer, etag = new_customer()
    cid = customer["id"]
    statuses = []

    def save(name):
        body = {"email": "ada@example.com", "first_name": name, "last_name": "Lovelace", "website_id": "base"}
        statuses.append(api("PUT", f"/customers/{cid}", body, headers={"if-match": etag})[0])

    threads = [threading.Thread(target=save, args=(n,)) for n in ("One", "Two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    assert api("GET", f"/customers/{cid}")[1]["customer"]["version"] == 2


def test_full_edit_writes_account_and_address_book_atomically(aws, clock):
    customer, etag = new_customer(addresses=[{"first_name": "Ada", "last_name": "L", "street": ["1 Main St"],
                                              "city": "London", "country_id": "GB", "default_billing": True}])
    cid = customer["id"]
    profile = api("GET", f"/customers/{cid}")[1]
    home = profile["addresses"][0]
    assert profile["default_billing"]["id"] == home["id"] and profile["default_shipping"] is None
    body = {**{k: profile["customer"][k] for k in ("email", "first_name", "last_name", "website_id")},
            "middle_name": "King", "id": cid, "created_at": "ignored", "version": 1,
            "addresses": [{**{k: v for k, v in home.items() if k not in ("default_billing",)}, "city": "Paris",
                           "default_shipping": True},
                          {"first_name": "Ada", "last_name": "L", "street": ["2 Side St"], "city": "Leeds",
                           "country_id": "GB", "default_billing": True}]}
    status, saved, headers = api("PUT", f"/customers/{cid}", body)
    assert status == 200, saved
    assert saved["middle_name"] == "King" and headers["ETag"] == '"2"'
    after = api("GET", f"/customers/{cid}")[1]
    cities = {a["city"]: a for a in after["addresses"]}
    assert set(cities) == {"Paris", "Leeds"}
    assert after["default_shipping"]["city"] == "Paris" and after["default_billing"]["city"] == "Leeds"
    # a full edit sets omitted optional fields to null; dropping `addresses` keeps the book
    body2 = {k: after["customer"][k] for k in ("email", "first_name", "last_name", "website_id")}
    status, saved, _ = api("PUT", f"/customers/{cid}", body2, headers={"if-match": '"2"'})
    assert status == 200 and saved["middle_name"] is None
    assert len(api("GET", f"/customers/{cid}")[1]["addresses"]) == 2


def test_a_failed_full_edit_writes_nothing(aws, clock):
    new_customer("taken@example.com")
    customer, etag = new_customer("mine@example.com")
    cid = customer["id"]
    body = {"email": "taken@example.com", "first_name": "Changed", "last_name": "L", "website_id": "base",
            "addresses": [{"first_name": "A", "last_name": "B", "street": ["x"], "city": "y", "country_id": "GB"}]}
    status, error, _ = api("PUT", f"/customers/{cid}", body, headers={"if-match": etag})
    assert status == 409
    after = api("GET", f"/customers/{cid}")[1]
    assert after["customer"]["first_name"] == "Ada" and after["addresses"] == [] and after["customer"]["version"] == 1


def test_reset_returns_exactly_the_last_saved_state(aws, clock):
    customer, etag = new_customer()
    cid = customer["id"]
    api("PATCH", f"/customers/{cid}", {"gender": "not_specified"}, headers={"if-match": etag})
    api("PATCH", f"/customers/{cid}", {"gender": "male"}, headers={"if-match": etag})  # stale: refused
    assert api("GET", f"/customers/{cid}")[1]["customer"]["gender"] == "not_specified"


def test_email_change_moves_the_uniqueness_claim(aws, clock):
    customer, etag = new_customer("old@example.com")
    patched = api("PATCH", f"/customers/{customer['id']}", {"email": "new@example.com"}, headers={"if-match": etag})
    assert patched[0] == 200
    new_customer("old@example.com")  # released
    status, _, _ = api("POST", "/customers", {"email": "new@example.com", "first_name": "X", "last_name": "Y",
                                              "website_id": "base"})
    assert status == 409


def test_profile_save_refreshes_now_online_rows(aws, clock, ingest):
    customer, etag = new_customer("ada@example.com")
    cid = customer["id"]
    ingest([storefront_event("customer_logged_in", "v-9", clock.now_ms - MIN, customer_id=cid)])
    body = {"email": "ada.king@example.com", "first_name": "Augusta", "last_name": "King", "website_id": "base"}
    assert api("PUT", f"/customers/{cid}", body, headers={"if-match": etag})[0] == 200
    status, page, _ = invoke_http("OnlineCustomersFunction", http_event("GET", "/online-customers",
                                                                        scopes="online:read"))
    row = {r["session_id"]: r for r in page["items"]}["v-9"]
    assert (row["first_name"], row["last_name"], row["email"]) == ("Augusta", "King", "ada.king@example.com")


def test_address_routes_add_edit_default_and_delete(aws, clock):
    customer, _ = new_customer()
    cid = customer["id"]
    address = {"first_name": "A", "last_name": "B", "street": ["1 Road"], "city": "Lyon", "country_id": "FR"}
    status, added, headers = api("POST", f"/customers/{cid}/addresses", address)
    assert status == 201 and headers["ETag"] == '"2"'
    status, edited, _ = api("PUT", f"/customers/{cid}/addresses/{added['id']}", {**address, "city": "Nice",
                                                                                  "default_shipping": True})
    assert status == 200 and edited["city"] == "Nice" and edited["default_shipping"] is True
    assert api("GET", f"/customers/{cid}")[1]["default_shipping"]["id"] == added["id"]
    assert api("DELETE", f"/customers/{cid}/addresses/{added['id']}")[0] == 204
    assert api("GET", f"/customers/{cid}/addresses")[1]["items"] == []
    assert api("DELETE", f"/customers/{cid}/addresses/{added['id']}")[0] == 404


def test_grid_search_filter_sort_and_pages(aws, clock):
    people = [("ann@example.com", "Ann", "Zed", "base", 1), ("bob@example.com", "Bob", "Young", "base", 2),
              ("cara@shop.test", "Cara", "Xu", "fr", 1), ("dan@example.com", "Dan", "Annely", "base", 1)]
    for email, first, last, website, group in people:
        clock.advance(seconds=1)
        status, _, _ = api("POST", "/customers", {"email": email, "first_name": first, "last_name": last,
                                                  "website_id": website, "group_id": group})
        assert status == 201

    def grid(**query):
        status, page, _ = api("GET", "/customers", query={k: str(v) for k, v in query.items()})
        assert status == 200, page
        return page

    assert [c["first_name"] for c in grid()["items"]] == ["Dan", "Cara", "Bob", "Ann"]
    assert [c["first_name"] for c in grid(sort="created_at")["items"]] == ["Ann", "Bob", "Cara", "Dan"]
    assert [c["last_name"] for c in grid(sort="last_name")["items"]] == ["Annely", "Xu", "Young", "Zed"]
    assert [c["email"] for c in grid(sort="-email")["items"]][0] == "dan@example.com"
    assert {c["first_name"] for c in grid(q="ann")["items"]} == {"Ann", "Dan"}  # first name or last name prefix
    assert {c["first_name"] for c in grid(q="CARA@")["items"]} == {"Cara"}
    assert {c["first_name"] for c in grid(website_id="fr")["items"]} == {"Cara"}
    assert {c["first_name"] for c in grid(group_id=2)["items"]} == {"Bob"}
    first = grid(limit=3)
    second = grid(limit=3, cursor=first["next_cursor"])
    assert [c["first_name"] for c in first["items"] + second["items"]] == ["Dan", "Cara", "Bob", "Ann"]
    assert second["next_cursor"] is None


def test_blank_search_is_the_plain_grid_not_an_error(aws, clock):
    new_customer()
    status, page, _ = api("GET", "/customers", query={"q": " \x1d "})
    assert status == 200 and len(page["items"]) == 1


def test_grid_never_scans(aws, clock, dynamo_calls):
    new_customer()
    dynamo_calls.reset()
    api("GET", "/customers", query={"q": "ada"})
    api("GET", "/customers", query={"sort": "email", "website_id": "base"})
    assert dynamo_calls["Scan"] == 0 and dynamo_calls["Query"] >= 2


def test_every_admin_write_is_audited_with_before_and_after(aws, clock):
    customer, etag = new_customer()
    cid = customer["id"]
    clock.advance(seconds=1)
    api("PATCH", f"/customers/{cid}", {"taxvat": "T1"}, headers={"if-match": etag}, sub="admin-7")
    clock.advance(seconds=1)
    api("POST", f"/customers/{cid}/addresses", {"first_name": "A", "last_name": "B", "street": ["s"], "city": "c",
                                                 "country_id": "FR"})
    status, page, _ = api("GET", f"/customers/{cid}/audit")
    assert status == 200
    actions = [e["action"] for e in page["items"]]
    assert actions == ["address.changed", "customer.updated", "customer.created"]
    updated = page["items"][1]
    assert updated["actor"] == "admin-7" and updated["changes"] == {"taxvat": {"before": None, "after": "T1"}}
    status, _, _ = api("GET", f"/customers/{cid}/audit", scopes="customers:read")
    assert status == 403


def test_a_malformed_if_match_is_422_naming_it_and_changes_nothing(aws, clock):
    customer, _ = new_customer()
    for malformed in ("3", "W/3", '"three"', "*"):
        status, body, _ = api("PATCH", f"/customers/{customer['id']}", {"taxvat": "FR9"},
                              headers={"if-match": malformed})
        assert status == 422, (malformed, body)
        assert any("if-match" in d["field"].lower() for d in body["error"]["details"]), body
    assert api("GET", f"/customers/{customer['id']}")[1]["customer"]["taxvat"] is None
