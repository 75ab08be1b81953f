"""Cursors are opaque and tamper-proof (SPEC 6), on every list route; issued ones stay valid (issue 11 item 1)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from local import template
from tests.integration.lambdas import invoke_http
from tests.support import http_event, storefront_event

MIN = 60_000
_ROUTES = template.routes()
SCOPES = "online:read customers:read customers:write audit:read config:read config:write"


def api(method: str, path: str, body=None, *, query: dict | None = None):
    for route in _ROUTES:
        match = route.path_regex.fullmatch(path)
        if route.method == method and match:
            event = http_event(method, path, scopes=SCOPES, body=body, query=query,
                               path_parameters=match.groupdict() or None, route=route.key)
            return invoke_http(route.function, event)
    raise AssertionError(f"no route {method} {path}")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def lists(ingest, clock):
    """Every list route with more than one page of data; returns path -> (query, first next_cursor)."""
    ingest([storefront_event("cart_item_added", f"v-{i}", clock.now_ms - (i + 1) * MIN, data={"sku": "A"})
            for i in range(4)])
    ids = []
    for i in range(3):
        status, customer, headers = api("POST", "/customers", {"email": f"c{i}@example.com", "first_name": f"F{i}",
                                                                "last_name": f"L{i}", "website_id": "base"})
        assert status == 201, customer
        ids.append(customer["id"])
        clock.advance(seconds=1)
    cid = ids[0]
    for i in range(3):
        status, _, _ = api("POST", f"/customers/{cid}/orders", {"items": [{"sku": "A", "qty": 1, "price": f"{i}"}]})
        assert status == 201
        status, _, _ = api("PATCH", f"/customers/{cid}", {"taxvat": f"T{i}", "version": i + 1})
        assert status == 200
        clock.advance(seconds=1)
    found = {}
    for path, query in (("/online-customers", {"limit": "1"}), ("/customers", {"limit": "1"}),
                        ("/customers", {"limit": "1", "q": "c", "sort": "email"}),
                        (f"/customers/{cid}/orders", {"limit": "1"}), (f"/customers/{cid}/audit", {"limit": "1"})):
        status, page, _ = api("GET", path, query=query)
        assert status == 200 and page["next_cursor"], (path, page)
        found[(path, query.get("q"))] = (query, page["next_cursor"])
    return found


def forged_from(cursor: str) -> list[str]:
    payload, _, tag = cursor.partition(".")
    content = {"q": "0" * 16}  # the payload is encrypted: a forger writes plain JSON of his own
    variants = []
    for position in (5, True, [], {}, None, "x", -1, [0, 0], {"a": 1}, "9" * 40, [[], {}]):
        changed = b64(json.dumps({**content, "p": position}, separators=(",", ":")).encode())
        variants += [f"{changed}.{tag}", changed]
    flipped = tag[:-1] + ("A" if tag[-1] != "A" else "B")
    variants += [
        payload,  # the unsigned payload alone
        f"{payload}.{flipped}",  # one character of the signature changed
        f"{payload}.",
        f".{tag}",
        f"{payload}.{tag}.{tag}",
        b64(json.dumps({"q": content["q"], "p": 5}).encode()),  # the old, unsigned format
        "garbage!!", "....", "a.b", "%%%", "é.é", "\u0000", "A" * 2048, "=", b64(b"\xff\xfe"),
    ]
    return variants


def test_every_list_route_pages_with_a_signed_cursor(lists):
    assert {path for path, _ in lists} >= {"/online-customers", "/customers"}
    assert len(lists) == 5
    for (path, _), (query, cursor) in lists.items():
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", cursor)
        status, page, _ = api("GET", path, query={**query, "cursor": cursor})
        assert status == 200, (path, page)


def test_forged_cursors_are_422_naming_cursor_on_every_list_route(lists):
    for (path, _), (query, cursor) in lists.items():
        for forged in forged_from(cursor):
            status, body, _ = api("GET", path, query={**query, "cursor": forged})
            assert status == 422, (path, forged)
            assert body["error"]["details"][0]["field"] == "query.cursor", body


def test_a_cursor_from_another_query_is_422(lists):
    online_query, online_cursor = lists[("/online-customers", None)]
    grid_query, grid_cursor = lists[("/customers", None)]
    orders = next(key for key in lists if key[0].endswith("/orders"))
    audit = next(key for key in lists if key[0].endswith("/audit"))
    cases = [
        ("/online-customers", {**online_query, "cursor": grid_cursor}),  # another route's cursor
        ("/customers", {**grid_query, "cursor": online_cursor}),
        ("/online-customers", {**online_query, "type": "visitor", "cursor": online_cursor}),  # other filters
        ("/online-customers", {**online_query, "sort": "last_activity", "cursor": online_cursor}),  # other sort
        ("/customers", {**grid_query, "sort": "email", "cursor": grid_cursor}),
        ("/customers", {**grid_query, "website_id": "fr", "cursor": grid_cursor}),
        (orders[0], {"limit": "1", "cursor": lists[audit][1]}),
        (audit[0], {"limit": "1", "cursor": lists[orders][1]}),
    ]
    status, other, _ = api("POST", "/customers", {"email": "o@example.com", "first_name": "O", "last_name": "P",
                                                  "website_id": "base"})
    cases.append((orders[0].replace(orders[0].split("/")[2], other["id"]), {"limit": "1", "cursor": lists[orders][1]}))
    for path, query in cases:
        status, body, _ = api("GET", path, query=query)
        assert status == 422, (path, query, body)
        assert body["error"]["details"][0]["field"] == "query.cursor"


def _between_bounds(dynamo_calls) -> list[tuple[str, str]]:
    pairs = []
    for name, params in dynamo_calls.log:
        condition = params.get("KeyConditionExpression", "")
        match = re.search(r"BETWEEN (:\w+) AND (:\w+)", condition)
        if name == "Query" and match:
            values = params["ExpressionAttributeValues"]
            pairs.append((values[match.group(1)]["S"], values[match.group(2)]["S"]))
    return pairs


def test_online_page_two_after_the_window_moved_is_200(ingest, clock, dynamo_calls):
    ingest([storefront_event("cart_item_added", f"v-{i}", clock.now_ms - (i + 1) * MIN, data={"sku": "A"})
            for i in range(6)])
    status, first, _ = api("GET", "/online-customers", query={"limit": "2"})
    assert status == 200 and len(first["items"]) == 2 and first["next_cursor"]
    dynamo_calls.reset()
    clock.advance(minutes=30)  # every row left the 15-minute window
    status, later, _ = api("GET", "/online-customers", query={"limit": "2", "cursor": first["next_cursor"]})
    assert (status, later) == (200, {"items": [], "next_cursor": None})
    assert all(lower <= upper for lower, upper in _between_bounds(dynamo_calls))


def test_online_page_two_after_the_interval_was_lowered_is_200(ingest, clock, dynamo_calls):
    ingest([storefront_event("cart_item_added", f"v-{i}", clock.now_ms - (i + 1) * MIN, data={"sku": "A"})
            for i in range(6)])
    status, first, _ = api("GET", "/online-customers", query={"limit": "2"})
    assert [row["session_id"] for row in first["items"]] == ["v-0", "v-1"]
    status, _, _ = api("PUT", "/config/online-customers", {"online_minutes_interval": 4, "customer_data_lifetime": 60})
    assert status == 200
    clock.advance(seconds=5)  # past the config cache
    dynamo_calls.reset()
    status, later, _ = api("GET", "/online-customers", query={"limit": "2", "cursor": first["next_cursor"]})
    assert status == 200, later
    assert [row["session_id"] for row in later["items"]] == ["v-2"]  # 3 min old: the older left the window
    pairs = _between_bounds(dynamo_calls)
    assert pairs and all(lower <= upper for lower, upper in pairs)


def test_a_cursor_reveals_no_personal_data(aws, clock):
    """A grid sorted by email resumes after an email: the cursor must not carry it readably (URLs, logs)."""
    for n in range(3):
        status, _, _ = api("POST", "/customers", {"email": f"secret.person{n}@example.com", "first_name": "Zorro",
                                                  "last_name": f"Hiddenname{n}", "website_id": "base"})
        assert status == 201
    for sort in ("email", "-email", "last_name"):
        status, page, _ = api("GET", "/customers", query={"sort": sort, "limit": "1"})
        assert status == 200 and page["next_cursor"], page
        payload, _, tag = page["next_cursor"].partition(".")
        readable = unb64(payload) + unb64(tag)
        for marker in (b"secret.person", b"hiddenname", b"zorro", b"example.com"):
            assert marker not in readable.lower(), sort
        status, second, _ = api("GET", "/customers", query={"sort": sort, "limit": "1", "cursor": page["next_cursor"]})
        assert status == 200 and second["items"] and second["items"][0]["id"] != page["items"][0]["id"]
