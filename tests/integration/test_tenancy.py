"""Website isolation (SPEC 6, issue 10): a website-bound token reaches only its website, and
events cannot cross websites.

The route matrix is built from template.yaml: every route under /customers/{customer_id}, called
with a token bound to "base", on a customer of "base" (own: served) and of "fr" (other: 404, and
nothing about the other customer changes).
"""

from __future__ import annotations

import pytest

from local import template
from tests.integration.admin_support import api, online_rows, session_check
from tests.integration.lambdas import RUNTIME, invoke_http
from tests.support import BASE_MS, http_event, registered, sqs_event, storefront_event

MIN = 60_000
OWN, OTHER = "base", "fr"
BOUND = {"website_id": OWN}
CUSTOMER_ROUTES = sorted((r for r in template.routes() if "{customer_id}" in r.path), key=lambda r: r.key)
ADDRESS = {"first_name": "Ada", "last_name": "Lovelace", "street": ["1 Main St"], "city": "Paris",
           "country_id": "FR", "postcode": "75001"}


def create(website_id: str, email: str) -> tuple[str, str]:
    """A customer of `website_id` with an address, a cart line and remote assistance allowed."""
    body = {"email": email, "first_name": "Ada", "last_name": "Lovelace", "website_id": website_id,
            "allow_remote_assistance": True, "addresses": [ADDRESS]}
    status, customer, _ = api("POST", "/customers", body)
    assert status == 201, customer
    cid = customer["id"]
    status, cart, _ = call_route("PUT /customers/{customer_id}/cart/items/{sku}", cid, {"qty": 2, "price": "5.00"})
    assert status == 200, cart
    wished = RUNTIME.invoke("IngestFunction", sqs_event([storefront_event(
        "wishlist_item_added", f"v-wish-{cid}", BASE_MS - 120 * MIN, customer_id=cid, website_id=website_id,
        data={"sku": "MH01"})]))
    assert not wished["batchItemFailures"], wished
    address_id = api("GET", f"/customers/{cid}")[1]["addresses"][0]["id"]
    return cid, address_id


def _route(key: str) -> template.Route:
    return next(r for r in CUSTOMER_ROUTES if r.key == key)


def call_route(key: str, cid: str, body=None, *, address_id: str = "none", claims=None, headers=None):
    route = _route(key)
    params = {"customer_id": cid, "address_id": address_id, "sku": "MH01"}
    used = {name: value for name, value in params.items() if "{" + name + "}" in route.path}
    path = route.path
    for name, value in used.items():
        path = path.replace("{" + name + "}", value)
    event = http_event(route.method, path, scopes=" ".join(route.scopes), body=body, headers=headers,
                       path_parameters=used, route=route.key, claims=claims)
    return invoke_http(route.function, event)


def request_for(key: str, cid: str) -> tuple[object, dict | None]:
    """A valid body (and headers) for the route, so an own-website call is served."""
    full = {"email": f"{cid}@example.com", "first_name": "Ada", "last_name": "King", "website_id": OWN}
    bodies = {
        "PATCH /customers/{customer_id}": ({"taxvat": "FR1"}, {"if-match": '"1"'}),
        "PUT /customers/{customer_id}": (full, {"if-match": '"1"'}),
        "POST /customers/{customer_id}/addresses": (ADDRESS, None),
        "PUT /customers/{customer_id}/addresses/{address_id}": ({**ADDRESS, "city": "Lyon"}, None),
        "PUT /customers/{customer_id}/cart/items/{sku}": ({"qty": 3}, None),
        "POST /customers/{customer_id}/orders": ({"items": [{"sku": "A", "qty": 1, "price": "5.00"}]}, None),
        "POST /customers/{customer_id}/store-credit/adjustments": ({"amount": "5.00", "reason": "goodwill"}, None),
        "POST /customers/{customer_id}/reward-points/adjustments": ({"points": 5, "reason": "goodwill"}, None),
        "PUT /customers/{customer_id}/newsletter": ({"website_id": OWN, "subscribed": True}, None),
    }
    return bodies.get(key, (None, None))


def online_rows_for(claims: dict) -> dict[str, dict]:
    status, body, _ = api("GET", "/online-customers", scopes="online:read", query={"limit": "200"}, claims=claims)
    assert status == 200, body
    return {row["session_id"]: row for row in body["items"]}


def state_of(cid: str) -> dict:
    """Everything an admin of every website sees about the customer (profile tabs and audit)."""
    status, profile, _ = api("GET", f"/customers/{cid}")
    assert status == 200, profile
    status, audit, _ = api("GET", f"/customers/{cid}/audit", scopes="audit:read", query={"limit": "200"})
    assert status == 200, audit
    return {"profile": profile, "audit": audit["items"]}


def test_the_matrix_covers_every_customer_route():
    keys = {r.key for r in CUSTOMER_ROUTES}
    assert len(keys) >= 20
    assert {"GET /customers/{customer_id}", "DELETE /customers/{customer_id}", "GET /customers/{customer_id}/audit",
            "POST /customers/{customer_id}/login-as", "POST /customers/{customer_id}/force-sign-in",
            "POST /customers/{customer_id}/password-reset", "PUT /customers/{customer_id}/newsletter"} <= keys


@pytest.mark.parametrize("route", CUSTOMER_ROUTES, ids=lambda r: r.key)
def test_a_bound_token_reaches_its_own_websites_customer(aws, clock, route):
    cid, address_id = create(OWN, "own@example.com")
    body, headers = request_for(route.key, cid)
    status, answer, _ = call_route(route.key, cid, body, address_id=address_id, claims=BOUND, headers=headers)
    assert 200 <= status < 300, (route.key, answer)


@pytest.mark.parametrize("route", CUSTOMER_ROUTES, ids=lambda r: r.key)
def test_another_websites_customer_is_404_and_untouched(aws, clock, route):
    """Issue 10: an A token with admin scopes read, edited, credited and deleted B's customers."""
    cid, address_id = create(OTHER, "other@example.com")
    before = state_of(cid)
    body, headers = request_for(route.key, cid)
    status, answer, response_headers = call_route(route.key, cid, body, address_id=address_id, claims=BOUND,
                                                  headers=headers)
    assert status == 404, (route.key, answer)
    assert answer["error"]["code"] == "not_found"  # the same answer as for a customer that does not exist
    assert response_headers["Cache-Control"] == "no-store"
    assert state_of(cid) == before
    if route.key != "GET /customers/{customer_id}/audit":  # (the audit of an unknown id is an empty list)
        # the same token on a customer id that does not exist answers alike
        status, absent, _ = call_route(route.key, "c-absent", body, address_id=address_id, claims=BOUND,
                                       headers=headers)
        assert status == 404 and absent["error"]["code"] in ("not_found", answer["error"]["code"])


def test_lists_and_summaries_hold_only_the_tokens_website(aws, clock, ingest):
    own, _ = create(OWN, "own@example.com")
    other, _ = create(OTHER, "other@example.com")
    status, grid, _ = api("GET", "/customers", claims=BOUND)
    assert status == 200 and [c["id"] for c in grid["items"]] == [own]
    assert api("GET", "/customers", claims=BOUND, query={"website_id": OTHER})[0] == 403
    t = clock.now_ms
    assert not any(ingest([storefront_event("cart_item_added", "v-own", t, data={"sku": "A"}),
                           storefront_event("cart_item_added", "v-other", t, website_id=OTHER, data={"sku": "A"})]))
    assert set(online_rows_for(BOUND)) == {"v-own"}
    status, summary, _ = api("GET", "/online-customers/summary", scopes="online:read", claims=BOUND)
    assert status == 200 and summary == {"total": 1, "by_type": {"customer": 0, "visitor": 1}, "by_website": {OWN: 1}}
    assert other  # exists, but out of reach


# ------------------------------------------------------------------ events cannot cross websites
@pytest.fixture
def b_customer(ingest, clock):
    """A customer of website "fr" (B), signed in on session v-b, with a cart line and subscribed."""
    t = clock.now_ms - 5 * MIN
    assert not any(ingest([
        registered("v-b", "c-b", t, "bea@example.com", first="Bea", last="Bee", website_id=OTHER),
        storefront_event("cart_item_added", "v-b", t + 1000, customer_id="c-b", website_id=OTHER,
                         data={"sku": "B1", "qty": 1}),
        storefront_event("newsletter_subscribed", "v-b", t + 2000, customer_id="c-b", website_id=OTHER),
    ]))
    return "c-b"


def intake_as_a(events):
    """POST /storefront/events with a storefront token bound to website A ("base")."""
    status, body, _ = invoke_http("StorefrontEventsFunction", http_event(
        "POST", "/storefront/events", scopes="events:write", body={"events": events}, claims=BOUND))
    assert status == 202, body
    return body["results"]


def test_issue_10_a_token_cannot_sign_in_or_edit_another_websites_customer(aws, clock, ingest, b_customer):
    """Issue 10: A's token sent customer_logged_in + account_updated naming B's customer: both were
    accepted, B's customer showed in A's Now Online with name and email, and B's email was changed."""
    t = clock.now_ms
    events = [storefront_event("customer_logged_in", "v-a", t, customer_id=b_customer),
              storefront_event("account_updated", "v-a", t + 1, customer_id=b_customer,
                               data={"email": "attacker@example.com", "last_name": "Owned"})]
    assert [r["status"] for r in intake_as_a(events)] == ["accepted", "accepted"]  # A's own website, so queued
    assert ingest(events) == [True, True]  # each refused by ingest: retried, then the DLQ
    customer = api("GET", f"/customers/{b_customer}")[1]["customer"]
    assert (customer["email"], customer["last_name"]) == ("bea@example.com", "Bee")
    assert "v-a" not in online_rows()
    assert all(row["customer_id"] != b_customer for row in online_rows_for(BOUND).values())


@pytest.mark.parametrize("type_, data", [
    ("cart_item_added", {"sku": "X1", "qty": 5}),
    ("order_placed", {"order_id": "o-evil", "total": "1.00"}),
    ("wishlist_item_added", {"sku": "X1"}),
    ("newsletter_unsubscribed", {}),
    ("customer_logged_out", {}),
])
def test_issue_10_events_naming_another_websites_customer_change_nothing(aws, clock, ingest, b_customer, type_,
                                                                         data):
    """Issue 10: the same path wrote B's cart, an order, wish list and newsletter."""
    before = api("GET", f"/customers/{b_customer}")[1]
    event = storefront_event(type_, "v-a", clock.now_ms, customer_id=b_customer, data=data)
    assert intake_as_a([event])[0]["status"] == "accepted"
    assert ingest([event, storefront_event("cart_item_added", "v-a2", clock.now_ms, data={"sku": "OK"})]) == [
        True, False]  # refused alone: the valid event of the batch applies
    after = api("GET", f"/customers/{b_customer}")[1]
    for tab in ("cart", "orders", "wishlist", "newsletter", "customer"):
        assert after[tab] == before[tab], tab
    assert session_check("v-b", claims={"website_id": OTHER})["signed_in"] is True


def test_issue_10_a_cart_event_for_another_websites_session_does_not_move_it(aws, clock, ingest, b_customer):
    """Issue 10: a cart event for B's session id sent by A moved that session to A and flipped
    B's session check to signed_in: false."""
    event = storefront_event("cart_item_added", "v-b", clock.now_ms, data={"sku": "X1"})  # website A
    assert intake_as_a([event])[0]["status"] == "accepted"
    assert ingest([event]) == [True]
    row = online_rows()["v-b"]
    assert (row["website_id"], row["customer_id"]) == (OTHER, b_customer)
    assert session_check("v-b", claims={"website_id": OTHER}) == {"session_id": "v-b", "signed_in": True,
                                                                  "customer_id": b_customer}
    assert session_check("v-b", claims=BOUND)["signed_in"] is False  # A never sees B's session
    assert api("GET", "/customers/c-b/cart")[1]["items"] == [{"sku": "B1", "name": None, "qty": 1, "price": None}]


def test_a_new_session_belongs_to_its_first_events_website_within_one_batch(aws, clock, ingest):
    t = clock.now_ms
    first = storefront_event("cart_item_added", "v-new", t, website_id=OTHER, data={"sku": "A"})
    later = storefront_event("cart_item_added", "v-new", t + 1000, data={"sku": "B"})  # website A
    page_view = storefront_event("page_viewed", "v-new", t + 2000)  # changes nothing, so no conflict
    assert ingest([later, first, page_view]) == [True, False, False]
    assert online_rows()["v-new"]["website_id"] == OTHER


def test_a_registration_for_another_websites_session_creates_no_customer(aws, clock, ingest, b_customer):
    event = registered("v-b", "c-new", clock.now_ms, "new@example.com")  # website A, B's session
    assert ingest([event]) == [True]
    assert api("GET", "/customers/c-new")[0] == 404


def test_redeem_into_another_websites_session_is_404_and_keeps_the_secret(aws, clock, ingest, b_customer):
    status, customer, _ = api("POST", "/customers", {"email": "ada@example.com", "first_name": "Ada",
                                                    "last_name": "Lovelace", "website_id": OWN,
                                                    "allow_remote_assistance": True})
    status, started, _ = api("POST", f"/customers/{customer['id']}/login-as", scopes="customers:assist")
    assert status == 201, started

    def redeem(session_id, claims=None):
        return api("POST", "/storefront/login-as/redeem", {"secret": started["secret"], "session_id": session_id},
                   scopes="sessions:write", claims=claims)

    assert redeem("v-b")[0] == 404  # B's session, with an unbound token
    assert redeem("v-b", claims=BOUND)[0] == 404
    assert online_rows()["v-b"]["customer_id"] == b_customer  # untouched
    status, session, _ = redeem("v-a-assist", claims=BOUND)
    assert status == 201 and session["customer_id"] == customer["id"]  # the secret was not spent


def test_a_bound_token_cannot_put_customers_into_another_website(aws, clock):
    body = {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "website_id": OTHER}
    status, error, _ = api("POST", "/customers", body, claims=BOUND)
    assert status == 403 and error["error"]["details"][0]["field"] == "body.website_id"
    status, customer, _ = api("POST", "/customers", {**body, "website_id": OWN}, claims=BOUND)
    assert status == 201
    status, error, _ = api("PATCH", f"/customers/{customer['id']}", {"website_id": OTHER}, claims=BOUND,
                           headers={"if-match": '"1"'})
    assert status == 403, error
    status, error, _ = call_route("PUT /customers/{customer_id}/newsletter", customer["id"],
                                  {"website_id": OTHER, "subscribed": True}, claims=BOUND)
    assert status == 403, error
    assert api("GET", f"/customers/{customer['id']}")[1]["customer"]["website_id"] == OWN


def test_a_storefront_token_cannot_send_another_websites_events(aws, clock):
    event = storefront_event("cart_item_added", "v-x", clock.now_ms, website_id=OTHER, data={"sku": "A"})
    assert intake_as_a([event]) == [{"event_id": event["event_id"], "status": "rejected",
                                     "reason": "website_id: not allowed for this token"}]
