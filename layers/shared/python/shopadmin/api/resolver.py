"""The one way to build an API resolver: validation on, OpenAPI described, errors mapped.

Routes live in `api/routes/*.py` as Powertools Routers, so each function includes only its own
routers while the docs function includes all of them and publishes one complete OpenAPI document.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, SecurityScheme
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from shopadmin.api.errors import ErrorOrGatewayMessage, ErrorResponse, GatewayMessage, register_error_handlers

SECURITY_SCHEME = "bearerJwt"
SECURITY_SCHEMES: dict[str, SecurityScheme] = {
    SECURITY_SCHEME: HTTPBearer(
        bearerFormat="JWT",
        description="A JWT from the shop's identity provider; its `scope` claim must hold the route's scope. "
                    "A `website_id` claim limits the token to that website.",
    )
}

_ERROR_DESCRIPTIONS = {
    400: "Body is not valid JSON",
    401: "Missing or invalid bearer token",
    403: "The token lacks the route's scope or website",
    404: "Not found",
    409: "The resource changed since it was read, or already exists",
    412: "If-Match does not match",
    422: "A field breaks the schema; details name it",
    428: "A precondition (If-Match or version) is required",
    413: "Request body too large (API Gateway)",
    415: "The body is not application/json",
    429: "Too many requests",
    503: "Too many concurrent changes to the same item; retry (with the same Idempotency-Key)",
}
# Answered by API Gateway before any handler runs, on every route.
_GATEWAY_STATUSES = {413: GatewayMessage, 401: ErrorOrGatewayMessage, 403: ErrorOrGatewayMessage,
                     429: ErrorOrGatewayMessage}


def error_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI responses for the errors a route can return (401/403/422 are always possible)."""
    # a route that reads a body (it can answer 400) can also answer 415
    wanted = sorted({401, 403, 413, 422, 429, *statuses} | ({415} if 400 in statuses else set()))
    return {
        status: {"description": _ERROR_DESCRIPTIONS[status],
                 "content": {"application/json": {"model": _GATEWAY_STATUSES.get(status, ErrorResponse)}}}
        for status in wanted
    }


NO_CONTENT: dict[int, OpenAPIResponse] = {204: {"description": "Done; no body", "content": {}}}


def secured(scope: str) -> list[dict[str, list[str]]]:
    """The OpenAPI security requirement of a route (the template gives API Gateway the same scope)."""
    return [{SECURITY_SCHEME: [scope]}]


def create_app(*routers: Router) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)
    register_error_handlers(app)
    for router in routers:
        app.include_router(router)
    return app
