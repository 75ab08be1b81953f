"""Who is calling: the JWT claims that API Gateway (or the local gateway) verified.

The authorizer already enforced the route's scope; the handler checks it again so a
mis-wired route can never serve data without it. Every route starts with `require_scope`, so it
is also the one place that keeps a website-bound token inside its website (SPEC 6): the token's
website must be registered (else 403), and on every route under `/customers/{customer_id}` a
customer of another website answers 404, as if absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from shopadmin.errors import DomainError, Forbidden, InvalidRequest, NotFound


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


@dataclass(frozen=True)
class Caller:
    subject: str
    scopes: frozenset[str]
    website_id: str | None  # set for storefront tokens bound to one website


def _scopes(claims: dict[str, Any], listed: list[str] | None) -> frozenset[str]:
    if listed:
        return frozenset(listed)
    raw = claims.get("scope") or claims.get("scp") or ""
    if isinstance(raw, list):
        return frozenset(raw)
    return frozenset(str(raw).replace(",", " ").split())


def require_scope(app: BaseRouter, scope: str) -> Caller:
    """`app` is the resolver or a Router (both expose the current event)."""
    event = app.current_event
    if not isinstance(event, APIGatewayProxyEventV2):  # every route is behind the HTTP API's JWT authorizer
        raise Unauthorized("A bearer token is required")
    authorizer = event.request_context.authorizer
    claims = authorizer.jwt_claim or {}
    if not str(claims.get("sub") or "").strip():  # the resolver already answered 401 (api/resolver.py)
        raise Unauthorized("A bearer token is required")
    scopes = _scopes(claims, authorizer.jwt_scopes)
    if scope not in scopes:
        raise Forbidden(f"The token lacks the scope {scope}")
    website = claims.get("website_id")
    caller = Caller(subject=str(claims["sub"]), scopes=scopes, website_id=str(website) if website else None)
    if caller.website_id is not None:
        _keep_inside_website(app, caller.website_id)
    return caller


def _keep_inside_website(app: Any, website_id: str) -> None:
    from shopadmin import wiring

    if not wiring.websites().is_known(website_id):
        raise Forbidden("The token's website is not registered",
                        [{"field": "token.website_id", "reason": "unknown website"}])
    customer_id = (app.current_event.path_parameters or {}).get("customer_id")
    if customer_id is not None:
        keep_customer_inside_website(website_id, customer_id)


def keep_customer_inside_website(website_id: str | None, customer_id: str) -> None:
    """404 (as if absent) when a token bound to `website_id` names another website's customer.

    For customer ids that come in a body (mass actions); path ids are checked by require_scope.
    """
    from shopadmin import wiring

    if website_id is None:
        return
    owner = wiring.customer_store().customer_website(customer_id)
    if owner is not None and owner != website_id:
        raise NotFound("No such customer")  # the same answer as for an absent customer


def require_unbound(caller: Caller) -> Caller:
    """Writes that apply to every website (config, the registry) need a token bound to none."""
    if caller.website_id is not None:
        raise Forbidden("A token bound to a website cannot change settings of every website",
                        [{"field": "token.website_id", "reason": "must be absent for this action"}])
    return caller


def website_for_write(caller: Caller, website_id: str, field: str) -> str:
    """A website named in a body: registered (else 422 naming the field), and the token's own if bound (else 403)."""
    from shopadmin import wiring

    if caller.website_id is not None and website_id != caller.website_id:
        raise Forbidden("This token may only act on its own website", [{"field": field,
                                                                         "reason": "not allowed for this token"}])
    if not wiring.websites().is_known(website_id):
        raise InvalidRequest("The website is not registered", [{"field": field, "reason": "unknown website"}])
    return website_id


def scoped_website(caller: Caller, requested: str | None) -> str | None:
    """The website a query may see: the token's own, or any when the token has none."""
    if caller.website_id is None:
        return requested
    if requested is not None and requested != caller.website_id:
        raise Forbidden("This token may only read its own website", [{"field": "query.website_id",
                                                                       "reason": "not allowed for this token"}])
    return caller.website_id
