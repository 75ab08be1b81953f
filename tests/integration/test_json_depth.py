"""JSON nesting deeper than 32 levels -> 400 on every route that reads a body, never 500 (SPEC 6)."""

from __future__ import annotations

import json
import re

import pytest

from local import template
from tests.integration.lambdas import invoke_http
from tests.support import http_event

OPENAPI = json.loads((template.ROOT / "docs" / "openapi.json").read_text())
JSON_ROUTES = sorted((method.upper(), path) for path, item in OPENAPI["paths"].items()
                     for method, operation in item.items() if "requestBody" in operation)
FUNCTIONS = {route.key: route for route in template.routes()}
ALL_SCOPES = " ".join(sorted({scope for route in template.routes() for scope in route.scopes}))


def send(method: str, path: str, raw_body: str):
    route = FUNCTIONS[f"{method} {path}"]
    params = {name: f"x-{name}" for name in re.findall(r"{(\w+)}", path)}
    concrete = re.sub(r"{(\w+)}", lambda m: params[m.group(1)], path)
    event = http_event(method, concrete, scopes=ALL_SCOPES, raw_body=raw_body, path_parameters=params or None,
                       route=route.key)
    return invoke_http(route.function, event)


def test_every_json_route_is_covered():
    assert len(JSON_ROUTES) >= 13


@pytest.mark.parametrize("method, path", JSON_ROUTES)
@pytest.mark.parametrize("body", [
    '{"a":' * 1000 + "1" + "}" * 1000,
    '{"events": ' + "[" * 1000 + "]" * 1000 + "}",
])
def test_deeply_nested_json_is_400_naming_the_body(aws, clock, method, path, body):
    status, answer, _ = send(method, path, body)
    assert status == 400, answer
    assert answer["error"]["code"] == "invalid_json"
    assert answer["error"]["details"] == [{"field": "body", "reason": "nested deeper than 32 levels",
                                            "code": "invalid"}]


@pytest.mark.parametrize("method, path", [("POST", "/customers"), ("POST", "/storefront/events")])
def test_nesting_up_to_32_levels_is_not_refused_for_depth(aws, clock, method, path):
    body = json.dumps({"events": [{"data": json.loads("[" * 29 + "]" * 29)}]})  # 32 levels in all
    status, answer, _ = send(method, path, body)
    assert status != 400 and status < 500, answer


def test_an_unclosed_flood_of_brackets_is_400_too(aws, clock):
    status, answer, _ = send("POST", "/customers", "[" * 100_000)
    assert status == 400 and answer["error"]["code"] == "invalid_json"


def test_brackets_inside_strings_do_not_count():
    from shopadmin.api.errors import json_nesting_exceeds

    assert not json_nesting_exceeds(json.dumps({"note": "[" * 1000, "q": '\\"' + "{" * 100}))
    assert json_nesting_exceeds("[" * 33 + "]" * 33) and not json_nesting_exceeds("[" * 32 + "]" * 32)
