"""The website registry (SPEC 6): GET/PUT /websites, and unknown websites refused everywhere."""

from __future__ import annotations

import pytest

from tests.integration.admin_support import api
from tests.integration.lambdas import invoke_http
from tests.support import http_event, registered, storefront_event

MIN = 60_000
PARIS = {"name": "Boutique France", "storefront_url": "https://fr.shop.example", "timezone": "Europe/Paris"}


def config_call(method, path, scopes, **kw):
    return invoke_http("OnlineConfigFunction", http_event(method, path, scopes=scopes, **kw))


def websites(**kw) -> list[dict]:
    status, body, headers = config_call("GET", "/websites", "config:read", **kw)
    assert status == 200, body
    assert headers["Cache-Control"] == "no-store"
    return body["items"]


def put_website(website_id, body, *, scopes="config:write", claims=None):
    return config_call("PUT", f"/websites/{website_id}", scopes, body=body, claims=claims,
                       path_parameters={"website_id": website_id}, route="PUT /websites/{website_id}")


def intake(events, *, claims=None):
    status, body, _ = invoke_http("StorefrontEventsFunction", http_event(
        "POST", "/storefront/events", scopes="events:write", body={"events": events}, claims=claims))
    assert status == 202, body
    return body["results"]


# ------------------------------------------------------------------ the registry
def test_put_creates_then_updates_and_get_lists_every_website(aws, clock):
    assert [w["website_id"] for w in websites()] == ["base", "fr"]  # the fixture's
    status, body, _ = put_website("uk", {"name": "UK Store", "storefront_url": "https://uk.shop.example",
                                         "timezone": "Europe/London"})
    assert (status, body) == (200, {"website_id": "uk", "name": "UK Store", "storefront_url": "https://uk.shop.example",
                                    "timezone": "Europe/London"})
    status, body, _ = put_website("uk", {"name": "United Kingdom", "storefront_url": "http://uk.shop.example",
                                         "timezone": "UTC"})
    assert status == 200 and body["name"] == "United Kingdom"
    listed = {w["website_id"]: w for w in websites()}
    assert sorted(listed) == ["base", "fr", "uk"]
    assert listed["uk"] == {"website_id": "uk", "name": "United Kingdom", "storefront_url": "http://uk.shop.example",
                            "timezone": "UTC"}


@pytest.mark.parametrize("body, field", [
    ({**PARIS, "timezone": "Europe/Pariss"}, "body.timezone"),
    ({**PARIS, "timezone": "+02:00"}, "body.timezone"),
    ({**PARIS, "storefront_url": "ftp://fr.shop.example"}, "body.storefront_url"),
    ({**PARIS, "storefront_url": "fr.shop.example"}, "body.storefront_url"),
    ({**PARIS, "name": "  "}, "body.name"),
    ({**PARIS, "name": "x\u0000y"}, "body.name"),  # found by a new user: stored a control character
    ({**PARIS, "timezone": "localtime"}, "body.timezone"),  # a file of the zoneinfo folder, not a zone
    ({"storefront_url": PARIS["storefront_url"], "timezone": "UTC"}, "body.name"),
    ({**PARIS, "currency": "EUR"}, "body.currency"),
])
def test_a_bad_website_is_refused_naming_the_field(aws, clock, body, field):
    status, error, _ = put_website("fr2", body)
    assert status == 422, error
    assert field in {d["field"] for d in error["error"]["details"]}
    assert "fr2" not in {w["website_id"] for w in websites()}


def test_a_bad_website_id_in_the_path_is_422(aws, clock):
    status, error, _ = put_website("bad!id", PARIS)
    assert status == 422 and error["error"]["details"][0]["field"].startswith("path")


def test_website_bound_tokens_cannot_change_websites_or_config(aws, clock):
    status, error, _ = put_website("fr", PARIS, claims={"website_id": "fr"})
    assert status == 403, error
    status, error, _ = config_call("PUT", "/config/online-customers", "config:write", claims={"website_id": "fr"},
                                   body={"online_minutes_interval": 30, "customer_data_lifetime": 60})
    assert status == 403, error
    assert config_call("GET", "/config/online-customers", "config:read")[1]["online_minutes_interval"] == 15
    assert [w["website_id"] for w in websites(claims={"website_id": "fr"})] == ["fr"]  # reads only its own


# ------------------------------------------------------------------ unknown websites are refused
def test_issue_10_flood_of_new_websites_registers_none(aws, clock, ingest):
    """Issue 10: 300 page_viewed events each naming a new website registered 300 websites for good."""
    flood = [storefront_event("page_viewed", f"v-flood-{n}", clock.now_ms, website_id=f"flood-{n}")
             for n in range(300)]
    results = [r for start in range(0, 300, 100) for r in intake(flood[start:start + 100])]
    assert {(r["status"], r["reason"]) for r in results} == {("rejected", "website_id: unknown website")}
    # the bus path: each fails alone (retried, then the DLQ), the valid one in the batch applies
    valid = storefront_event("cart_item_added", "v-ok", clock.now_ms, data={"sku": "A"})
    assert ingest([*flood[:99], valid]) == [True] * 99 + [False]
    assert [w["website_id"] for w in websites()] == ["base", "fr"]
    status, summary, _ = invoke_http("OnlineCustomersFunction", http_event("GET", "/online-customers/summary",
                                                                           scopes="online:read"))
    assert status == 200 and set(summary["by_website"]) == {"base", "fr"} and summary["total"] == 1


def test_a_website_registered_later_takes_events_from_then_on(aws, clock, ingest):
    event = storefront_event("cart_item_added", "v-uk", clock.now_ms, website_id="uk", data={"sku": "A"})
    assert intake([event])[0]["reason"] == "website_id: unknown website"
    assert ingest([event]) == [True]
    assert put_website("uk", {**PARIS, "name": "UK"})[0] == 200
    assert intake([event])[0]["status"] == "accepted"
    assert ingest([event]) == [False]


def test_customers_naming_an_unknown_website_are_refused(aws, clock):
    body = {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "website_id": "nowhere"}
    status, error, _ = api("POST", "/customers", body)
    assert status == 422 and error["error"]["details"] == [{"field": "body.website_id", "reason": "unknown website",
                                                                        "code": "invalid"}]
    status, customer, headers = api("POST", "/customers", {**body, "website_id": "base"})
    assert status == 201
    status, error, _ = api("PATCH", f"/customers/{customer['id']}", {"website_id": "nowhere"},
                           headers={"if-match": headers["ETag"]})
    assert status == 422 and error["error"]["details"][0]["field"] == "body.website_id"
    status, error, _ = api("PUT", f"/customers/{customer['id']}", {**body, "website_id": "nowhere"},
                           headers={"if-match": headers["ETag"]})
    assert status == 422 and error["error"]["details"][0]["field"] == "body.website_id"
    status, error, _ = api("PUT", f"/customers/{customer['id']}/newsletter", {"website_id": "nowhere",
                                                                             "subscribed": True})
    assert status == 422 and error["error"]["details"][0]["field"] == "body.website_id"
    assert api("GET", f"/customers/{customer['id']}")[1]["customer"]["website_id"] == "base"


def test_a_customer_registered_by_event_for_an_unknown_website_is_not_created(aws, clock, ingest):
    assert ingest([registered("v-1", "c-nowhere", clock.now_ms, "ada@example.com", website_id="nowhere")]) == [True]
    assert api("GET", "/customers/c-nowhere")[0] == 404


@pytest.mark.parametrize("function, method, path, scopes", [
    ("OnlineCustomersFunction", "GET", "/online-customers", "online:read"),
    ("CustomersFunction", "GET", "/customers", "customers:read"),
    ("OnlineConfigFunction", "GET", "/websites", "config:read"),
    ("StorefrontSessionsFunction", "GET", "/storefront/sessions/v-1", "sessions:read"),
])
def test_a_token_bound_to_an_unknown_website_is_403(aws, clock, function, method, path, scopes):
    params = {"session_id": "v-1"} if "sessions" in path else None
    status, error, _ = invoke_http(function, http_event(method, path, scopes=scopes, claims={"website_id": "nowhere"},
                                                        path_parameters=params))
    assert status == 403, error
    assert error["error"]["details"] == [{"field": "token.website_id", "reason": "unknown website",
                                            "code": "forbidden"}]


def test_events_sent_with_a_token_of_an_unknown_website_are_403(aws, clock):
    event = storefront_event("page_viewed", "v-1", clock.now_ms, website_id="nowhere")
    status, error, _ = invoke_http("StorefrontEventsFunction", http_event(
        "POST", "/storefront/events", scopes="events:write", body={"events": [event]},
        claims={"website_id": "nowhere"}))
    assert status == 403, error
