"""Who is calling: the JWT claims that API Gateway (or the local gateway) verified.

The authorizer already enforced the route's scope; the handler checks it again so a
mis-wired route can never serve data without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from shopadmin.errors import DomainError, Forbidden


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
    if not claims.get("sub"):
        raise Unauthorized("A bearer token is required")
    scopes = _scopes(claims, authorizer.jwt_scopes)
    if scope not in scopes:
        raise Forbidden(f"The token lacks the scope {scope}")
    website = claims.get("website_id")
    return Caller(subject=str(claims["sub"]), scopes=scopes, website_id=str(website) if website else None)


def scoped_website(caller: Caller, requested: str | None) -> str | None:
    """The website a query may see: the token's own, or any when the token has none."""
    if caller.website_id is None:
        return requested
    if requested is not None and requested != caller.website_id:
        raise Forbidden("This token may only read its own website", [{"field": "query.website_id",
                                                                       "reason": "not allowed for this token"}])
    return caller.website_id
