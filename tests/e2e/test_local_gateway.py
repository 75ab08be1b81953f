"""The local gateway's contract with handlers: payload format 2.0 in, API Gateway's reading out.

In-process (werkzeug's test client) with a recording fake function, so every detail of the
event and of the response mapping is pinned down without moto or real handlers. The HTTP
tests of the running stack (test_authorization.py) cover the same gateway over the wire.
"""

from __future__ import annotations

import base64
import json

import pytest
from werkzeug.test import Client

from local import dev_keys, template, token
from local.gateway import MAX_PAYLOAD_BYTES, Gateway, JwtAuthorizer

ROUTES = [
    template.Route("GET", "/items/{item_id}", "ItemsFunction", "Jwt", ("items:read",)),
    template.Route("GET", "/items/special", "SpecialFunction", "Jwt", ("items:read",)),
    template.Route("POST", "/items", "ItemsFunction", "Jwt", ("items:write", "items:admin")),
    template.Route("ANY", "/files/{path+}", "FilesFunction", "Jwt", ()),
    template.Route("GET", "/public", "PublicFunction", None, ()),
]


class FakeFunctions:
    """Records each (function, event) and answers with `result` (or raises it when an exception)."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.result = {"statusCode": 200, "body": "ok"}

    def __call__(self, function: str, event: dict):
        self.calls.append((function, event))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result

    @property
    def event(self) -> dict:
        return self.calls[-1][1]


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def functions():
    return FakeFunctions()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def client(functions, clock):
    authorizer = JwtAuthorizer(template.LOCAL_PARAMETERS["JwtIssuer"], ["shop-admin-local"], dev_keys.jwks())
    gateway = Gateway(ROUTES, functions, {"Jwt": authorizer},
                      throttling={"ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 3},
                      cors={"allowOrigins": ["*"], "allowMethods": ["GET"], "exposeHeaders": ["etag"]}, clock=clock)
    return Client(gateway, use_cookies=False)  # the test sends its own Cookie header


def bearer(scopes=("items:read", "items:write"), **kwargs) -> dict:
    return {"Authorization": f"Bearer {token.mint(list(scopes), **kwargs)}"}


def test_event_has_the_payload_v2_shape(client, functions):
    response = client.get(
        "/items/it-1?colour=red&colour=blue&empty=&name=caf%C3%A9",
        headers=[*bearer(website_id="base", extra_claims={"groups": ["a", "b"], "level": 5, "staff": True}).items(),
                 ("X-Trace", "one"), ("Cookie", "theme=dark; lang=fr"), ("User-Agent", "e2e-agent")],
    )
    assert response.status_code == 200
    function, event = functions.calls[-1]
    assert function == "ItemsFunction"
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items/{item_id}"
    assert event["rawPath"] == "/items/it-1"
    assert event["rawQueryString"] == "colour=red&colour=blue&empty=&name=caf%C3%A9"
    assert event["queryStringParameters"] == {"colour": "red,blue", "empty": "", "name": "café"}
    assert event["pathParameters"] == {"item_id": "it-1"}
    assert event["cookies"] == ["theme=dark", "lang=fr"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-trace"] == "one"
    assert all(name == name.lower() for name in event["headers"])
    assert event["isBase64Encoded"] is False
    assert "body" not in event

    context = event["requestContext"]
    assert context["stage"] == "$default"
    assert context["routeKey"] == "GET /items/{item_id}"
    assert context["http"] == {"method": "GET", "path": "/items/it-1", "protocol": "HTTP/1.1",
                               "sourceIp": "127.0.0.1", "userAgent": "e2e-agent"}
    assert {"accountId", "apiId", "domainName", "domainPrefix", "requestId", "time", "timeEpoch"} <= set(context)
    assert response.headers["apigw-requestid"] == context["requestId"]
    jwt_context = context["authorizer"]["jwt"]
    claims = jwt_context["claims"]
    assert all(isinstance(value, str) for value in claims.values())  # API Gateway passes strings only
    assert (claims["sub"], claims["website_id"], claims["aud"]) == ("dev-admin", "base", "shop-admin-local")
    assert (claims["groups"], claims["level"], claims["staff"]) == ("[a b]", "5", "true")
    assert claims["iat"].isdigit() and claims["exp"].isdigit()
    assert jwt_context["scopes"] == ["items:read", "items:write"]


def test_text_body_is_passed_as_is_and_binary_as_base64(client, functions):
    client.post("/items", json={"name": "été"}, headers=bearer())
    assert functions.event["body"] == json.dumps({"name": "été"})
    assert functions.event["isBase64Encoded"] is False

    payload = b"\x00\xffbinary"
    client.post("/items", data=payload, headers={**bearer(), "Content-Type": "application/octet-stream"})
    assert functions.event["isBase64Encoded"] is True
    assert base64.b64decode(functions.event["body"]) == payload


def test_most_specific_route_wins_and_greedy_paths_take_the_rest(client, functions):
    client.get("/items/special", headers=bearer())
    assert functions.calls[-1][0] == "SpecialFunction"

    client.delete("/files/a/b/c.txt", headers=bearer())
    assert functions.calls[-1][0] == "FilesFunction"
    assert functions.event["routeKey"] == "ANY /files/{path+}"
    assert functions.event["pathParameters"] == {"path": "a/b/c.txt"}


def test_public_route_needs_no_token_and_gets_no_authorizer_context(client, functions):
    assert client.get("/public").status_code == 200
    assert "authorizer" not in functions.event["requestContext"]


@pytest.mark.parametrize("scopes", [["items:write"], ["items:admin"]])
def test_any_one_of_the_route_scopes_is_enough(client, functions, scopes):
    assert client.post("/items", json={}, headers=bearer(scopes)).status_code == 200


def test_scp_claim_counts_as_scopes(client):
    headers = {"Authorization": f"Bearer {token.mint([], extra_claims={'scp': ['items:read']})}"}
    assert client.get("/items/it-1", headers=headers).status_code == 200


def test_refusals_have_api_gateway_bodies_and_never_reach_the_function(client, functions):
    assert client.get("/items/it-1").json == {"message": "Unauthorized"}
    assert client.get("/items/it-1", headers={"Authorization": "Bearer x.y.z"}).status_code == 401
    assert client.get("/items/it-1", headers=bearer(["other:scope"])).json == {"message": "Forbidden"}
    assert client.get("/nothing-here", headers=bearer()).json == {"message": "Not Found"}
    assert client.put("/items", headers=bearer()).status_code == 404  # declared path, undeclared method
    assert functions.calls == []


@pytest.mark.parametrize("result, status, body, content_type", [
    ({"items": [1]}, 200, b'{"items": [1]}', "application/json"),  # JSON without statusCode -> 200
    ("Hello from Lambda!", 200, b"Hello from Lambda!", "application/json"),  # a string is the body itself
    ({"statusCode": 201, "headers": {"Content-Type": "text/plain", "ETag": '"3"'}, "body": "made"},
     201, b"made", "text/plain"),
    ({"statusCode": 200, "body": base64.b64encode(b"\x89PNG").decode(), "isBase64Encoded": True,
      "headers": {"content-type": "image/png"}}, 200, b"\x89PNG", "image/png"),
    ({"statusCode": 204}, 204, b"", None),
])
def test_v2_response_is_read_like_api_gateway(client, functions, result, status, body, content_type):
    functions.result = result
    response = client.get("/public")
    assert response.status_code == status
    assert response.get_data() == body
    assert response.headers.get("Content-Type") == content_type


def test_response_cookies_become_set_cookie_headers(client, functions):
    functions.result = {"statusCode": 200, "body": "", "cookies": ["a=1; Path=/", "b=2; HttpOnly"]}
    response = client.get("/public")
    assert response.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; HttpOnly"]


# ------------------------------------------------------------------ payload 2.0 parity (issue 11, defect 10)
# AWS: "Format 2.0 doesn't have multiValueHeaders or multiValueQueryStringParameters fields. Duplicate
# headers are combined with commas"; a "cookies" field holds the request's cookies; HTTP API hands the
# path over percent-decoded (rawPath, requestContext.http.path) while rawQueryString stays encoded.
def test_raw_path_is_decoded_like_api_gateway_and_the_query_string_is_not(client, functions):
    client.get("/items/caf%C3%A9%20au%20lait?q=a%20b", headers=bearer())
    event = functions.event
    assert event["rawPath"] == "/items/café au lait"
    assert event["requestContext"]["http"]["path"] == "/items/café au lait"
    assert event["pathParameters"] == {"item_id": "café au lait"}
    assert event["rawQueryString"] == "q=a%20b"
    assert event["queryStringParameters"] == {"q": "a b"}


def test_cookies_are_split_on_semicolons_only_and_there_are_no_multi_value_fields(client, functions):
    client.get("/public?a=1&a=2", headers=[("Cookie", "prefs=a,b,c; theme=dark;lang=fr")])
    event = functions.event
    assert event["cookies"] == ["prefs=a,b,c", "theme=dark", "lang=fr"]
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert "multiValueHeaders" not in event and "multiValueQueryStringParameters" not in event


def test_multi_value_headers_of_a_response_are_ignored_as_in_payload_2_0(client, functions):
    functions.result = {"statusCode": 200, "body": "", "headers": {"X-One": "1"},
                        "multiValueHeaders": {"X-Two": ["a", "b"], "X-One": ["overridden"]}}
    response = client.get("/public")
    assert response.headers.get("X-One") == "1"
    assert "X-Two" not in response.headers


@pytest.mark.parametrize("failure", [RuntimeError("boom"), {"statusCode": "not-a-number"}])
def test_function_failure_is_a_plain_500(client, functions, failure, capsys):
    functions.result = failure
    response = client.get("/public")
    assert response.status_code == 500
    assert response.json == {"message": "Internal Server Error"}
    assert "Traceback" in capsys.readouterr().err  # the developer gets the traceback on stderr


def test_stage_throttling_per_route(client, clock):
    # burst 3, 1 request/s: the 4th request at once is throttled, another route is not.
    assert [client.get("/public").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get("/public").json == {"message": "Too Many Requests"}
    assert client.get("/items/it-1", headers=bearer()).status_code == 200
    clock.now += 1.0
    assert client.get("/public").status_code == 200


def test_payload_over_10_mb_is_413(client, functions):
    response = client.post("/items", data=b"x" * (MAX_PAYLOAD_BYTES + 1), headers=bearer())
    assert response.status_code == 413
    assert response.json == {"message": "Request Entity Too Large"}
    assert functions.calls == []


def test_cors_preflight_and_response_headers(client, functions):
    preflight = client.options("/items/it-1", headers={"Origin": "https://admin.example",
                                                       "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert functions.calls == []  # answered by the gateway, no route or token needed

    response = client.get("/public", headers={"Origin": "https://admin.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Expose-Headers"] == "etag"


def test_gateway_from_template_serves_every_template_route():
    from local.gateway import from_template

    gateway = from_template(FakeFunctions(), dev_keys.jwks())
    assert {r.key for r in gateway.routes} == {r.key for r in template.routes()}
    settings = template.stage_settings()
    bucket = next(iter(gateway._buckets.values()))
    assert (bucket.rate, bucket.burst) == (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"])


def test_route_settings_override_the_stage_default(functions, clock):
    authorizer = JwtAuthorizer(template.LOCAL_PARAMETERS["JwtIssuer"], ["shop-admin-local"], dev_keys.jwks())
    gateway = Gateway(ROUTES, functions, {"Jwt": authorizer},
                      throttling={"ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 3}, clock=clock,
                      route_throttling={"GET /public": {"ThrottlingRateLimit": 1, "ThrottlingBurstLimit": 1}})
    client = Client(gateway, use_cookies=False)
    assert [client.get("/public").status_code for _ in range(2)] == [200, 429]  # its own burst of 1
    assert [client.get("/items/it-1", headers=bearer()).status_code for _ in range(3)] == [200] * 3  # default 3
