"""The one way to build an API resolver: validation on, OpenAPI described, errors mapped.

Routes live in `api/routes/*.py` as Powertools Routers, so each function includes only its own
routers while the docs function includes all of them and publishes one complete OpenAPI document.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from shopadmin.api.errors import ErrorResponse, register_error_handlers

SECURITY_SCHEME = "bearerJwt"
SECURITY_SCHEMES = {
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
    429: "Too many requests",
}


def error_responses(*statuses: int) -> dict:
    """OpenAPI responses for the errors a route can return (401/403/422 are always possible)."""
    wanted = sorted({401, 403, 422, *statuses})
    return {
        status: {"description": _ERROR_DESCRIPTIONS[status],
                 "content": {"application/json": {"model": ErrorResponse}}}
        for status in wanted
    }


def secured(scope: str) -> list[dict[str, list[str]]]:
    """The OpenAPI security requirement of a route (the template gives API Gateway the same scope)."""
    return [{SECURITY_SCHEME: [scope]}]


def create_app(*routers: Router) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)
    register_error_handlers(app)
    for router in routers:
        app.include_router(router)
    return app
