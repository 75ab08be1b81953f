"""GET /exports/customers.csv and /exports/online-customers.csv (SPEC 7) against moto."""

from __future__ import annotations

import csv
import io

from tests.integration.lambdas import RUNTIME, invoke_http
from tests.support import http_event, registered, storefront_event

ADMIN = "customers:read customers:write"


def export(function: str, path: str, scopes: str, query: dict | None = None,
           claims: dict | None = None) -> tuple[int, dict, str]:
    event = http_event("GET", path, scopes=scopes, query=query, route=f"GET {path}", claims=claims)
    response = RUNTIME.invoke(function, event)
    return response["statusCode"], response.get("headers", {}), response.get("body") or ""


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def create(email: str, first: str, last: str, website: str = "base", **extra: object) -> str:
    body = {"email": email, "first_name": first, "last_name": last, "website_id": website, **extra}
    status, customer, _ = invoke_http("CustomersFunction", http_event(
        "POST", "/customers", scopes=ADMIN, body=body, route="POST /customers"))
    assert status == 201, customer
    return customer["id"]


def test_customers_csv_has_the_grid_columns_quoting_and_formula_safe_cells(aws, clock):
    hostile = create("eve@example.com", "=HYPERLINK(\"http://evil\",\"x\")", 'O"Brien, Jr.', company="@corp")
    plain = create("zoe@example.com", "Zoë", "Åström", taxvat="-12")
    status, headers, text = export("CustomersFunction", "/exports/customers.csv", "customers:read",
                                   {"sort": "email"})
    assert status == 200, text
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert 'filename="customers.csv"' in headers["Content-Disposition"]
    assert text.splitlines()[0].startswith("id,email,first_name,last_name,website_id,group_id,taxvat,gender,"
                                           "company,created_at")
    rows = rows_of(text)
    assert [r["id"] for r in rows] == [hostile, plain]  # the grid's sort
    assert rows[0]["first_name"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows[0]["last_name"] == 'O"Brien, Jr.'
    assert rows[0]["company"] == "'@corp"
    assert (rows[1]["first_name"], rows[1]["last_name"], rows[1]["taxvat"]) == ("Zoë", "Åström", "'-12")
    assert rows[1]["group_id"] == "1"


def test_customers_csv_applies_the_grid_filters(aws, clock):
    create("ada@example.com", "Ada", "Lovelace")
    grace = create("grace@example.com", "Grace", "Hopper", group_id=3)
    create("alan@example.com", "Alan", "Turing", website="fr")
    _, _, by_group = export("CustomersFunction", "/exports/customers.csv", "customers:read", {"group_id": "3"})
    assert [r["id"] for r in rows_of(by_group)] == [grace]
    _, _, by_search = export("CustomersFunction", "/exports/customers.csv", "customers:read", {"q": "gr"})
    assert [r["id"] for r in rows_of(by_search)] == [grace]
    _, _, by_website = export("CustomersFunction", "/exports/customers.csv", "customers:read",
                              {"website_id": "fr", "sort": "email"})
    assert [r["email"] for r in rows_of(by_website)] == ["alan@example.com"]


def test_a_website_bound_token_exports_only_its_website(aws, clock):
    create("ada@example.com", "Ada", "Lovelace")
    create("alan@example.com", "Alan", "Turing", website="fr")
    status, _, text = export("CustomersFunction", "/exports/customers.csv", "customers:read",
                             claims={"website_id": "fr"})
    assert status == 200, text
    assert [r["website_id"] for r in rows_of(text)] == ["fr"]
    status, _, _ = export("CustomersFunction", "/exports/customers.csv", "customers:read",
                          {"website_id": "base"}, claims={"website_id": "fr"})
    assert status == 403


def test_more_rows_than_the_cap_is_422_asking_to_narrow(aws, clock, monkeypatch):
    from shopadmin.logic import csv_export

    for n in range(3):
        create(f"c{n}@example.com", "Ada", f"N{n}")
    monkeypatch.setattr(csv_export, "MAX_ROWS", 2)
    status, _, text = export("CustomersFunction", "/exports/customers.csv", "customers:read")
    assert status == 422, text
    assert "narrow" in text and '"field": "query"' in text
    monkeypatch.setattr(csv_export, "MAX_ROWS", 3)
    status, _, text = export("CustomersFunction", "/exports/customers.csv", "customers:read")
    assert status == 200 and len(rows_of(text)) == 3


def test_the_export_needs_the_grids_scope(aws, clock):
    status, _, _ = export("CustomersFunction", "/exports/customers.csv", "online:read")
    assert status == 403
    status, _, _ = export("OnlineCustomersFunction", "/exports/online-customers.csv", "customers:read")
    assert status == 403


def test_online_csv_holds_the_online_rows_with_the_lists_filters(aws, clock, ingest):
    now = clock.now_ms
    assert not any(ingest([
        registered("v-1", "c-1", now - 60_000, "=cmd@example.com", first="-Ada", last="Lovelace"),
        storefront_event("page_viewed", "v-2", now - 30_000),
        storefront_event("cart_item_added", "v-2", now - 20_000, data={"sku": "MH01", "qty": 1, "price": "5.00"}),
    ]))
    status, headers, text = export("OnlineCustomersFunction", "/exports/online-customers.csv", "online:read")
    assert status == 200, text
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    _, page, _ = invoke_http("OnlineCustomersFunction", http_event(
        "GET", "/online-customers", scopes="online:read", route="GET /online-customers"))
    rows = rows_of(text)
    assert [r["session_id"] for r in rows] == [r["session_id"] for r in page["items"]] == ["v-2", "v-1"]
    assert list(rows[0]) == list(page["items"][0])  # the online row's fields, in order
    customer = rows[1]
    assert (customer["type"], customer["first_name"], customer["email"]) == ("customer", "'-Ada", "'=cmd@example.com")
    _, _, visitors = export("OnlineCustomersFunction", "/exports/online-customers.csv", "online:read",
                            {"type": "visitor"})
    assert [r["session_id"] for r in rows_of(visitors)] == ["v-2"]
