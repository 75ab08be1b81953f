"""The Now Online, config and storefront handlers against moto, through API Gateway v2 events."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.integration.lambdas import invoke_http
from tests.support import http_event, registered, storefront_event

MIN = 60_000


def call(function, method, path, scopes, **kw):
    return invoke_http(function, http_event(method, path, scopes=scopes, **kw))


def get_list(**query):
    status, body, _ = call("OnlineCustomersFunction", "GET", "/online-customers", "online:read",
                           query={k: str(v) for k, v in query.items()} or None)
    assert status == 200, body
    return body


# ------------------------------------------------------------------ config
def test_config_defaults_then_save_applies_to_next_read(aws, clock):
    status, body, _ = call("OnlineConfigFunction", "GET", "/config/online-customers", "config:read")
    assert (status, body) == (200, {"online_minutes_interval": 15, "customer_data_lifetime": 60})
    status, body, _ = call("OnlineConfigFunction", "PUT", "/config/online-customers", "config:write",
                           body={"online_minutes_interval": 30, "customer_data_lifetime": ""})
    assert (status, body) == (200, {"online_minutes_interval": 30, "customer_data_lifetime": 60})
    status, body, _ = call("OnlineConfigFunction", "GET", "/config/online-customers", "config:read")
    assert body["online_minutes_interval"] == 30


@pytest.mark.parametrize("payload, status, field", [
    ({"online_minutes_interval": 0}, 422, "online_minutes_interval"),
    ({"online_minutes_interval": 15, "customer_data_lifetime": 99999}, 422, "customer_data_lifetime"),
    ({"online_minutes_interval": 15, "customer_data_lifetime": 60, "extra": True}, 422, "extra"),
    # SPEC 7: an omitted field is refused, not silently reset to its default
    ({"online_minutes_interval": 20}, 422, "customer_data_lifetime"),
    ({"customer_data_lifetime": 90}, 422, "online_minutes_interval"),
    ({}, 422, "online_minutes_interval"),
])
def test_config_validation_names_the_field_and_saves_nothing(aws, clock, payload, status, field):
    code, body, _ = call("OnlineConfigFunction", "PUT", "/config/online-customers", "config:write", body=payload)
    assert code == status
    assert any(field in d["field"] for d in body["error"]["details"]), body
    _, saved, _ = call("OnlineConfigFunction", "GET", "/config/online-customers", "config:read")
    assert saved == {"online_minutes_interval": 15, "customer_data_lifetime": 60}


def test_unparseable_json_is_400(aws, clock):
    code, body, _ = call("OnlineConfigFunction", "PUT", "/config/online-customers", "config:write", raw_body="{nope")
    assert code == 400 and body["error"]["code"] == "invalid_json"


def test_handlers_check_the_scope_again(aws, clock):
    code, body, _ = call("OnlineConfigFunction", "PUT", "/config/online-customers", "config:read",
                         body={"online_minutes_interval": 20, "customer_data_lifetime": 60})
    assert code == 403 and body["error"]["code"] == "forbidden"
    code, _, _ = call("OnlineCustomersFunction", "GET", "/online-customers", "config:read")
    assert code == 403
    code, _, _ = invoke_http("OnlineCustomersFunction", http_event("GET", "/online-customers", claims={"sub": ""}))
    assert code == 401


# ------------------------------------------------------------------ the list over HTTP
def test_list_filters_sort_limit_and_cursor(ingest, clock):
    t = clock.now_ms - 5 * MIN
    events = [registered(f"v-c{i}", f"c-{i}", t + i * 1000, f"user{i}@example.com", last=f"Name{i}") for i in range(3)]
    events += [storefront_event("cart_item_added", f"v-v{i}", t + 10_000 + i * 1000, data={"sku": "A"})
               for i in range(4)]
    events.append(storefront_event("cart_item_added", "v-fr", t, website_id="fr", data={"sku": "A"}))
    assert not any(ingest(events))
    everyone = get_list()["items"]
    assert [r["session_id"] for r in everyone][:4] == ["v-v3", "v-v2", "v-v1", "v-v0"]
    assert len(everyone) == 8
    assert {r["session_id"] for r in get_list(type="customer")["items"]} == {"v-c0", "v-c1", "v-c2"}
    assert [r["session_id"] for r in get_list(website_id="fr")["items"]] == ["v-fr"]
    assert [r["email"] for r in get_list(q="USER1")["items"]] == ["user1@example.com"]
    by_last_name = get_list(type="customer", sort="-last_name")["items"]
    assert [r["last_name"] for r in by_last_name] == ["Name2", "Name1", "Name0"]
    first = get_list(limit=3)
    second = get_list(limit=3, cursor=first["next_cursor"])
    third = get_list(limit=3, cursor=second["next_cursor"])
    seen = [r["session_id"] for page in (first, second, third) for r in page["items"]]
    assert seen == [r["session_id"] for r in everyone] and third["next_cursor"] is None


@pytest.mark.parametrize("query, field", [
    ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"), ({"type": "robot"}, "type"),
    ({"sort": "price"}, "sort"), ({"cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
])
def test_list_bad_query_is_422_naming_the_field(aws, clock, query, field):
    code, body, _ = call("OnlineCustomersFunction", "GET", "/online-customers", "online:read", query=query)
    assert code == 422
    assert any(field in d["field"] for d in body["error"]["details"]), body


def test_list_reads_only_by_query(ingest, clock, dynamo_calls):
    ingest([storefront_event("cart_item_added", "v-1", clock.now_ms - MIN, data={"sku": "A"})])
    dynamo_calls.reset()
    get_list()
    call("OnlineCustomersFunction", "GET", "/online-customers/summary", "online:read")
    get_list(sort="email")
    assert dynamo_calls["Scan"] == 0
    # keyed reads only: the name/email sorts read their index's keys, then the kept rows by key
    assert set(dynamo_calls.counts) <= {"Query", "GetItem", "BatchGetItem"}


def test_raised_interval_applies_at_read_time(ingest, clock):
    ingest([storefront_event("cart_item_added", "v-old", clock.now_ms - 20 * MIN, data={"sku": "A"})])
    assert get_list()["items"] == []
    call("OnlineConfigFunction", "PUT", "/config/online-customers", "config:write",
         body={"online_minutes_interval": 30, "customer_data_lifetime": 60})
    assert [r["session_id"] for r in get_list()["items"]] == ["v-old"]
    clock.advance(minutes=11)
    assert get_list()["items"] == []


def test_summary_counts(ingest, clock):
    t = clock.now_ms - MIN
    ingest([registered("v-1", "c-1", t, "a@example.com"),
            storefront_event("cart_item_added", "v-2", t, data={"sku": "A"}),
            storefront_event("cart_item_added", "v-3", t, website_id="fr", data={"sku": "A"}),
            storefront_event("cart_item_added", "v-4", t - 30 * MIN, data={"sku": "A"})])
    code, body, _ = call("OnlineCustomersFunction", "GET", "/online-customers/summary", "online:read")
    assert code == 200
    assert body == {"total": 3, "by_type": {"customer": 1, "visitor": 2}, "by_website": {"base": 2, "fr": 1}}


def test_website_bound_token_sees_only_its_website(ingest, clock):
    t = clock.now_ms - MIN
    ingest([storefront_event("cart_item_added", "v-base", t, data={"sku": "A"}),
            storefront_event("cart_item_added", "v-fr", t, website_id="fr", data={"sku": "A"})])
    code, body, _ = invoke_http("OnlineCustomersFunction", http_event(
        "GET", "/online-customers", scopes="online:read", claims={"website_id": "fr"}))
    assert [r["session_id"] for r in body["items"]] == ["v-fr"]
    code, body, _ = invoke_http("OnlineCustomersFunction", http_event(
        "GET", "/online-customers", scopes="online:read", claims={"website_id": "fr"}, query={"website_id": "base"}))
    assert code == 403
    code, body, _ = invoke_http("StorefrontSessionsFunction", http_event(
        "GET", "/storefront/sessions/v-base", scopes="sessions:read", claims={"website_id": "fr"},
        path_parameters={"session_id": "v-base"}, route="GET /storefront/sessions/{session_id}"))
    assert body["signed_in"] is False


# ------------------------------------------------------------------ storefront
def test_intake_accepts_valid_events_into_the_queue_in_request_order(aws, clock):
    good = storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A"})
    bad = storefront_event("cart_item_added", "v-1", clock.now_ms, data={"sku": "A", "qty": 0})
    code, body, _ = call("StorefrontEventsFunction", "POST", "/storefront/events", "events:write",
                         body={"events": [good, bad]})
    assert code == 202
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected"]
    assert body["results"][1]["event_id"] == bad["event_id"] and "data.qty" in body["results"][1]["reason"]
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws["queues"]["EventsQueue"]["url"], MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["event_id"] for m in messages] == [good["event_id"]]


@pytest.mark.parametrize("payload", [{"events": []}, {"events": [{}] * 101}, {"events": "x"}, {"batch": []}])
def test_intake_batch_size_and_shape(aws, clock, payload):
    code, body, _ = call("StorefrontEventsFunction", "POST", "/storefront/events", "events:write", body=payload)
    assert code == 422 and body["error"]["details"]


def session_check(session_id, **kw):
    code, body, _ = invoke_http("StorefrontSessionsFunction", http_event(
        "GET", f"/storefront/sessions/{session_id}", scopes="sessions:read", path_parameters={"session_id": session_id},
        route="GET /storefront/sessions/{session_id}", **kw))
    assert code == 200, body
    return body


def test_session_check_follows_login_logout_and_interval(ingest, clock):
    assert session_check("v-unknown") == {"session_id": "v-unknown", "signed_in": False, "customer_id": None}
    t = clock.now_ms - MIN
    ingest([registered("v-1", "c-1", t, "a@example.com")])
    assert session_check("v-1") == {"session_id": "v-1", "signed_in": True, "customer_id": "c-1"}
    clock.advance(minutes=15)
    assert session_check("v-1")["signed_in"] is False
    ingest([storefront_event("customer_logged_in", "v-1", clock.now_ms, customer_id="c-1")])
    assert session_check("v-1")["signed_in"] is True
    ingest([storefront_event("customer_logged_out", "v-1", clock.now_ms + 1, customer_id="c-1")])
    assert session_check("v-1")["signed_in"] is False
