"""The one way to build an API resolver: validation on, OpenAPI described, errors mapped."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from shopadmin.api.errors import register_error_handlers

ERROR_RESPONSES = {
    400: {"description": "Body is not valid JSON"},
    401: {"description": "Missing or invalid bearer token"},
    403: {"description": "The token lacks the route's scope or website"},
    422: {"description": "A field breaks the schema; details name it"},
}


def create_app() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True)
    register_error_handlers(app)
    return app
