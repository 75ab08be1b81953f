"""The authorization matrix of every route in template.yaml, over HTTP against the local stack.

These answers come from the gateway (API Gateway's JWT authorizer locally), before any
handler runs: 401 without a valid token, 403 without one of the route's scopes, 404 for a
route the template does not declare. A token holding only the route's scope gets past
both the gateway and the handler's own scope check.
"""

from __future__ import annotations

import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local import dev_keys, template, token

ROUTES = template.routes()
PROTECTED = [r for r in ROUTES if r.authorizer is not None]
PUBLIC = [r for r in ROUTES if r.authorizer is None]


def concrete(route: template.Route) -> str:
    """The route's path with made-up values for its parameters."""
    path = route.path
    for name in route.path_regex.groupindex:
        path = path.replace(f"{{{name}+}}", "e2e/greedy").replace(f"{{{name}}}", f"e2e-{name}")
    return path


def call(api, route: template.Route, **kwargs):
    method = "POST" if route.method == "ANY" else route.method
    if method not in ("GET", "DELETE", "HEAD"):
        # Unparseable JSON: a write that passes authorization is refused (400), never applied.
        kwargs.setdefault("data", "{")
        kwargs.setdefault("headers", {"Content-Type": "application/json"})
    return api.request(method, concrete(route), **kwargs)


def ids(route: template.Route) -> str:
    return route.key


def _other_key_token() -> str:
    """Right claims and kid, signed by a key the issuer never published."""
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    good = jwt.decode(token.mint(), options={"verify_signature": False})
    return jwt.encode(good, stranger, algorithm="RS256", headers={"kid": dev_keys.key_id()})


def _without(claim: str) -> str:
    """A dev token, correctly signed, lacking one claim."""
    claims = jwt.decode(token.mint(), options={"verify_signature": False})
    claims.pop(claim)
    return jwt.encode(claims, dev_keys.private_key(), algorithm=dev_keys.ALGORITHM, headers={"kid": dev_keys.key_id()})


BAD_TOKENS = {
    "without exp": lambda: _without("exp"),
    "garbage": lambda: "not-a-jwt",
    "expired": lambda: token.mint(ttl_seconds=-60),
    "wrong issuer": lambda: token.mint(issuer="https://someone-else.example"),
    "wrong audience": lambda: token.mint(audience="another-app"),
    "unknown signing key": _other_key_token,
    "unsigned": lambda: jwt.encode(jwt.decode(token.mint(), options={"verify_signature": False}), None,
                                   algorithm="none"),
}


@pytest.mark.parametrize("route", PROTECTED, ids=ids)
def test_no_token_is_401(api, route):
    response = call(api, route, token=None)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
@pytest.mark.parametrize("route", PROTECTED, ids=ids)
def test_invalid_token_is_401(api, route, kind):
    response = call(api, route, token=BAD_TOKENS[kind]())
    assert response.status_code == 401, kind
    assert response.json() == {"message": "Unauthorized"}


@pytest.mark.parametrize("route", PROTECTED, ids=ids)
def test_token_without_any_route_scope_is_403(api, route):
    others = [s for s in token.all_scopes() if s not in route.scopes] or ["unrelated:scope"]
    response = call(api, route, token=token.mint(others))
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


@pytest.mark.parametrize("route", PROTECTED, ids=ids)
def test_token_without_a_scope_claim_is_403(api, route):
    response = call(api, route, token=_without("scope"))
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}


# API Gateway's JWT authorizer does not require `sub`: these reach the handler, which answers 401 before
# it looks at the path, query or body (SPEC 10 "who before what").
SUBJECTLESS = {"without sub": lambda: _without("sub"), "empty sub": lambda: token.mint(sub=""),
               "blank sub": lambda: token.mint(sub="   ")}


@pytest.mark.parametrize("kind", sorted(SUBJECTLESS))
@pytest.mark.parametrize("route", PROTECTED, ids=ids)
def test_a_token_without_a_subject_is_401_before_the_query_or_body(api, route, kind):
    # every scope, a query that breaks the schema and (for writes) a body that is not JSON
    response = call(api, route, token=SUBJECTLESS[kind](), params={"limit": "many", "cursor": "forged"})
    assert response.status_code == 401, (kind, response.status_code, response.text)
    assert response.json()["error"]["details"] == [{"field": "token.sub", "reason": "is missing or empty",
                                                    "code": "required"}]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("route", PROTECTED, ids=ids)
def test_one_route_scope_is_enough(api, route):
    # The authorizer asks for ANY ONE of the route's scopes; try each alone.
    for scope in route.scopes or ("unrelated:scope",):
        response = call(api, route, token=token.mint([scope]))
        assert response.status_code not in (401, 403), f"{scope}: {response.status_code} {response.text}"
        assert response.status_code < 500, f"{scope}: {response.status_code} {response.text}"


def test_bearer_prefix_is_optional(api):
    # The identity source may hold the token alone or "Bearer <token>", as in API Gateway.
    route = next(r for r in PROTECTED if r.method == "GET")
    response = api.request("GET", concrete(route), token=None, headers={"Authorization": token.mint()})
    assert response.status_code not in (401, 403)


if PUBLIC:  # the template may declare public routes (Authorizer: NONE); they need no token
    @pytest.mark.parametrize("route", PUBLIC, ids=ids)
    def test_public_route_needs_no_token(api, route):
        assert call(api, route, token=None).status_code not in (401, 403)


@pytest.mark.parametrize("method, path", [
    ("GET", "/no-such-route"),
    ("DELETE", "/online-customers"),  # a declared path with an undeclared method
    ("GET", "/online-customers/"),  # HTTP API does not fold trailing slashes
    ("GET", "/storefront/sessions/a/b"),  # {session_id} is one segment
])
def test_undeclared_route_is_404(api, method, path):
    response = api.request(method, path)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_no_cors_by_default_the_console_is_same_origin(api):
    """AllowedOrigins is empty by default: no CORS configuration, so no other origin may read a response."""
    assert template.cors_configuration() is None
    preflight = api.request("OPTIONS", "/online-customers", token=None, headers={
        "Origin": "https://admin.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    response = api.request("GET", "/online-customers", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


# A storefront's token: only the storefront scopes, bound to one website.
STOREFRONT_SCOPES = frozenset({"events:write", "sessions:read", "sessions:write"})
ADMIN_ROUTES = [r for r in PROTECTED if not set(r.scopes) & STOREFRONT_SCOPES]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=ids)
def test_admin_routes_refuse_storefront_tokens(api, route):
    storefront = token.mint(scopes=sorted(STOREFRONT_SCOPES), sub="storefront-base", website_id="base")
    response = call(api, route, token=storefront)
    assert response.status_code == 403, route.key


def test_storefront_routes_are_the_only_ones_a_storefront_token_reaches():
    reachable = {r.key for r in PROTECTED if set(r.scopes) & STOREFRONT_SCOPES}
    assert reachable >= {"POST /storefront/events", "GET /storefront/sessions/{session_id}"}
    assert not any(k.startswith(("GET /customers", "PUT /config", "GET /online-customers")) for k in reachable)


# ---------------------------------------------------------------- website-bound tokens (SPEC 6, issue 10)
CUSTOMER_ROUTES = [r for r in PROTECTED if "{customer_id}" in r.path]
_ADDRESS = {"first_name": "Bea", "last_name": "Bee", "street": ["1 Rue"], "city": "Paris", "country_id": "FR"}
# a valid body per write, so the only reason to refuse is the website
_BODIES = {
    "PATCH /customers/{customer_id}": {"taxvat": "FR1", "version": 1},
    "PUT /customers/{customer_id}": {"email": "x@example.com", "first_name": "X", "last_name": "Y",
                                     "website_id": "base", "version": 1},
    "POST /customers/{customer_id}/addresses": _ADDRESS,
    "PUT /customers/{customer_id}/addresses/{address_id}": _ADDRESS,
    "PUT /customers/{customer_id}/cart/items/{sku}": {"qty": 1, "price": "1.00"},
    "POST /customers/{customer_id}/orders": {"items": [{"sku": "A", "qty": 1, "price": "1.00"}]},
    "POST /customers/{customer_id}/store-credit/adjustments": {"amount": "5.00", "reason": "x"},
    "POST /customers/{customer_id}/reward-points/adjustments": {"points": 5, "reason": "x"},
    "PUT /customers/{customer_id}/newsletter": {"website_id": "base", "subscribed": True},
}


@pytest.fixture(scope="module")
def fr_customer(api):
    """A customer of website "fr" (registered by the stack) with an address and a cart line."""
    response = api.request("POST", "/customers", json={
        "email": f"bea-{uuid.uuid4().hex[:8]}@example.com", "first_name": "Bea", "last_name": "Bee",
        "website_id": "fr", "allow_remote_assistance": True, "addresses": [_ADDRESS]})
    assert response.status_code == 201, response.text
    cid = response.json()["id"]
    assert api.request("PUT", f"/customers/{cid}/cart/items/MH01", json={"qty": 1}).status_code == 200
    address_id = api.request("GET", f"/customers/{cid}").json()["addresses"][0]["id"]
    return cid, address_id


@pytest.mark.parametrize("route", CUSTOMER_ROUTES, ids=ids)
def test_a_token_bound_to_another_website_gets_404_on_every_customer_route(api, fr_customer, route):
    """Issue 10: a website-A token with admin scopes read, edited, credited and deleted B's customers."""
    cid, address_id = fr_customer
    path = route.path.replace("{customer_id}", cid).replace("{address_id}", address_id).replace("{sku}", "MH01")
    bound = token.mint(website_id="base", sub="staff-of-base")  # every scope, website "base"
    response = api.request(route.method, path, token=bound, json=_BODIES.get(route.key))
    assert response.status_code == 404, (route.key, response.text)
    assert response.headers["Cache-Control"] == "no-store"
    profile = api.request("GET", f"/customers/{cid}")  # an unbound admin token still sees it, unchanged
    assert profile.status_code == 200 and profile.json()["customer"]["website_id"] == "fr"
    assert profile.json()["store_credit"]["balance"] == "0.00" and profile.json()["orders"] == []


def test_config_and_website_writes_refuse_a_bound_token(api):
    bound = token.mint(website_id="base")
    assert api.request("PUT", "/config/online-customers", token=bound,
                       json={"online_minutes_interval": 15, "customer_data_lifetime": 60}).status_code == 403
    assert api.request("PUT", "/websites/base", token=bound, json={
        "name": "Hijacked", "storefront_url": "https://evil.example", "timezone": "UTC"}).status_code == 403
    websites = {w["website_id"]: w for w in api.request("GET", "/websites").json()["items"]}
    assert {"base", "fr", "de"} <= set(websites) and websites["base"]["name"] == "Main Website"
    assert api.request("GET", "/online-customers", token=token.mint(website_id="nowhere")).status_code == 403
