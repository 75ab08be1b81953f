"""SPEC 7: bodies are JSON (else 415), and error details are `[{"field", "reason", "code"}]` in plain words.

Every admin route with a body, from docs/openapi.json, gets bodies that break its schema in several
ways at once (every field of the wrong kind, too long, out of range, badly shaped, unknown, missing):
each detail names a field a caller sent or must send, gives a reason with no regular expression,
validator or type name in it, and a code from the stable vocabulary. Issue 25 item 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from local import template, token
from tests.integration.admin_support import api, new_customer
from tests.integration.lambdas import invoke_http
from tests.support import http_event

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
FUNCTION = {(route.method, route.path): route.function for route in template.routes()}
BODY_ROUTES = sorted((method.upper(), path) for path, methods in OPENAPI["paths"].items()
                     for method, operation in methods.items() if "requestBody" in operation)
CODES = {"required", "too_long", "too_short", "out_of_range", "invalid_format", "invalid_type", "invalid_choice",
         "unknown_field", "invalid", "conflict", "not_found", "forbidden", "unauthorized", "rate_limited", "busy"}
# what a reason must never hold: pattern syntax, pydantic's own wording, type or validator names
DEVELOPER_TEXT = re.compile(r"[\^$\\\[\]{}]|\(\?|Value error|should match|Input should|String should|constrained|"
                            r"function-after|validator|pydantic|\bDecimal\b|StrictInt|NoneType|\btype=", re.IGNORECASE)


def _schema(ref_or_schema: dict) -> dict:
    if "$ref" in ref_or_schema:
        return _schema(OPENAPI["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[1]])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in ref_or_schema:
            return next((_schema(s) for s in ref_or_schema[key] if _schema(s).get("type") != "null"), {})
    return ref_or_schema


def _wrong(schema: dict) -> object:
    """A value that breaks the property's schema in the way its type allows."""
    schema = _schema(schema)
    kind = schema.get("type")
    if kind == "string":
        return "x" * (schema["maxLength"] + 1) if "maxLength" in schema else ["not", "text"]
    if kind in ("integer", "number"):
        return -10**12 if "minimum" in schema or "exclusiveMinimum" in schema else "twelve"
    if kind == "boolean":
        return "maybe"
    if kind == "array":
        return "not a list"
    return 12345


def _call(method: str, path: str, body: object, headers: dict | None = None, raw_body: str | None = None):
    params = {name: f"x-{name}" for name in re.findall(r"\{(\w+)\}", path)}
    concrete = re.sub(r"\{(\w+)\}", lambda match: f"x-{match.group(1)}", path)
    event = http_event(method, concrete, scopes=" ".join(token.all_scopes()), body=body, raw_body=raw_body,
                       path_parameters=params or None, route=f"{method} {path}",
                       headers={"if-match": '"1"', "idempotency-key": "k-1", **(headers or {})})
    if headers and headers.get("content-type") is None:
        event["headers"] = {k: v for k, v in event["headers"].items() if k != "content-type"}
    return invoke_http(FUNCTION[(method, path)], event)


def _assert_plain(details: list[dict]) -> None:
    assert details
    for detail in details:
        assert set(detail) == {"field", "reason", "code"}, detail
        assert detail["code"] in CODES, detail
        assert not DEVELOPER_TEXT.search(detail["reason"]), detail
        assert not re.search(r"[\[\]()]|-int|-str", detail["field"]), detail


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_every_body_route_answers_plain_reasons_and_stable_codes(aws, clock, method, path):
    request = OPENAPI["paths"][path][method.lower()]["requestBody"]["content"]["application/json"]["schema"]
    schema = _schema(request)
    if path == "/storefront/events":
        return  # its body is checked event by event (tests/unit/test_input_bounds.py)
    broken = {name: _wrong(prop) for name, prop in schema.get("properties", {}).items()}
    for body in (broken | {"not_a_field": 1}, {}, ["a", "list"]):
        status, answer, _ = _call(method, path, body)
        if status == 422:
            _assert_plain(answer["error"]["details"])
        else:  # a route whose body has no required field may accept {} (then it looks for the customer)
            assert status in (200, 201, 404, 409, 428), (status, answer)


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", None])
def test_a_body_not_sent_as_json_is_415(aws, clock, method, path, content_type):
    status, answer, _ = _call(method, path, None, headers={"content-type": content_type}, raw_body='{"taxvat":"X"}')
    assert status == 415, (status, answer)
    assert answer["error"]["details"] == [{"field": "header.content-type", "reason": "must be application/json",
                                           "code": "invalid_format"}]


def test_a_json_media_type_with_parameters_is_json(aws, clock):
    cid = new_customer()
    for content_type in ("application/json; charset=utf-8", "Application/JSON"):
        status, answer, _ = api("PATCH", f"/customers/{cid}", {"taxvat": "GB1"},
                                headers={"content-type": content_type, "if-match": '"2"'})
        assert status in (200, 409), (content_type, status, answer)


def test_the_reasons_staff_see_most(aws, clock):
    cid = new_customer()
    status, answer, _ = api("PATCH", f"/customers/{cid}", {"email": "not an email", "gender": 9},
                            headers={"if-match": '"2"'})
    assert status == 422
    by_field = {d["field"]: d for d in answer["error"]["details"]}
    assert by_field["body.email"] == {"field": "body.email", "code": "invalid_format",
                                      "reason": "must be an email address, e.g. name@example.com"}
    assert by_field["body.gender"]["code"] in ("invalid_choice", "out_of_range", "invalid_type")
    assert answer["error"]["message"] == f"Check these fields: {', '.join(by_field)}"
    event = http_event("PUT", "/config/online-customers", scopes="config:write", route="PUT /config/online-customers",
                       body={"online_minutes_interval": 0, "customer_data_lifetime": 60, "extra": 1})
    status, answer, _ = invoke_http("OnlineConfigFunction", event)
    assert status == 422
    assert answer["error"]["details"] == [
        {"field": "body.online_minutes_interval", "reason": "must be 1 or more", "code": "out_of_range"},
        {"field": "body.extra", "reason": "is not a field of this request", "code": "unknown_field"}]
