"""The OpenAPI document is generated from the code and agrees with template.yaml."""

from __future__ import annotations

import json

from local import template
from tests.integration.lambdas import RUNTIME, invoke_http
from tests.support import http_event

PUBLIC = {("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/console")}  # the console page is HTML, not API


def served_document() -> dict:
    status, body, headers = invoke_http("ApiDocsFunction", http_event("GET", "/openapi.json"))
    assert status == 200
    return body


def test_every_template_route_is_documented_with_its_scope_and_nothing_else():
    document = served_document()
    documented = {(method.upper(), path): op for path, ops in document["paths"].items() for method, op in ops.items()}
    routes = {(r.method, r.path): r for r in template.routes() if (r.method, r.path) not in PUBLIC}
    assert set(documented) == set(routes)
    for key, route in routes.items():
        assert documented[key]["security"] == [{"bearerJwt": list(route.scopes)}], key
        assert {"401", "403", "422", "503"} <= set(documented[key]["responses"]), key
        # throttling past the retries answers 503 "busy" with Retry-After on any route (api/errors.py)
        assert set(documented[key]["responses"]["503"]["headers"]) == {"Retry-After"}, key


def test_docs_and_console_routes_are_the_public_ones_in_the_template():
    public = {(r.method, r.path) for r in template.routes() if r.authorizer is None}
    assert public == PUBLIC


def test_swagger_ui_is_served():
    response = RUNTIME.invoke("ApiDocsFunction", http_event("GET", "/docs"))
    assert response["statusCode"] == 200
    assert "swagger" in response["body"].lower()


def test_committed_openapi_file_matches_the_code():
    committed = json.loads((template.ROOT / "docs" / "openapi.json").read_text())
    assert committed == served_document(), "run `make openapi` and commit docs/openapi.json"
