"""SPEC 10 "Characters": admin routes refuse control characters in any string, naming the field.

C0/C1 control characters, U+FFFE, U+FFFF and lone surrogates → 422 before any model or write;
tab and newline only in multi-line fields (street lines, reason, comment, review text). The event
intake checks each event alone (tests/unit/test_input_bounds.py).
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
                     for method, operation in methods.items()
                     if "requestBody" in operation and path != "/storefront/events")


REFUSED = ["bell\u0007", "next line\u0085", "tab\tin a name", "\uffff", "lone \ud800", "NUL\u0000", "del\u007f"]


# each route gets one of the refused strings in turn, so every kind is tried on several routes
@pytest.mark.parametrize("method, path, text", [(*route, REFUSED[i % len(REFUSED)])
                                                for i, route in enumerate(BODY_ROUTES)])
def test_every_admin_body_refuses_a_control_character_naming_the_field(aws, clock, method, path, text):
    params = {name: f"x-{name}" for name in re.findall(r"\{(\w+)\}", path)}
    concrete = re.sub(r"\{(\w+)\}", lambda match: f"x-{match.group(1)}", path)
    event = http_event(method, concrete, scopes=" ".join(token.all_scopes()), body={"name": text},
                       path_parameters=params or None, route=f"{method} {path}",
                       headers={"if-match": '"1"', "idempotency-key": "k-1"})
    status, body, _ = invoke_http(FUNCTION[(method, path)], event)
    assert status == 422, (status, body)
    (detail,) = body["error"]["details"]
    assert detail["field"] == "body.name" and "not allowed" in detail["reason"], detail


def test_a_refused_character_in_an_account_changes_nothing(aws, clock):
    cid = new_customer()
    _, before, headers = api("GET", f"/customers/{cid}")
    form = {k: before["customer"][k] for k in ("email", "first_name", "last_name", "website_id")}
    status, body, _ = api("PUT", f"/customers/{cid}", {**form, "last_name": "Love\u0000lace"},
                          headers={"if-match": headers["ETag"]})
    assert status == 422 and body["error"]["details"][0]["field"] == "body.last_name"
    assert api("GET", f"/customers/{cid}")[1]["customer"] == before["customer"]


def test_street_lines_and_reasons_may_hold_tab_and_newline_names_may_not(aws, clock):
    cid = new_customer()
    address = {"first_name": "Ada", "last_name": "Lovelace", "street": ["1 Main St\tFlat 2"], "city": "London",
               "postcode": "N1 1AA", "country_id": "GB", "telephone": "020 7946 0000"}
    status, body, _ = api("POST", f"/customers/{cid}/addresses", address)
    assert status == 201, body
    status, body, _ = api("POST", f"/customers/{cid}/addresses", {**address, "city": "Lon\ndon"})
    assert status == 422 and body["error"]["details"][0]["field"] == "body.city"
    status, body, _ = api("POST", f"/customers/{cid}/store-credit/adjustments",
                          {"amount": "5", "reason": "Goodwill:\ndamaged parcel"}, headers={"idempotency-key": "sc-1"})
    assert status in (200, 201), body
