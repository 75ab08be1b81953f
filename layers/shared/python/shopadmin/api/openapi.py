"""One OpenAPI 3 document for the whole API, generated from the route declarations."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

# Powertools' OpenAPI document models cost about 300 ms to import (pydantic model_rebuild): only the
# docs function and `make openapi` load them; request validation in the other functions does not.
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, SecurityScheme

from shopadmin.api.resolver import SECURITY_SCHEME, create_app
from shopadmin.api.routes import all_routers

TITLE = "Shop admin API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Customers Now Online and the Online Customers Options for a shop's admin, plus the storefront "
    "event intake and session check. Every route needs a bearer JWT holding the route's scope."
)

SECURITY_SCHEMES: dict[str, SecurityScheme] = {
    SECURITY_SCHEME: HTTPBearer(
        bearerFormat="JWT",
        description="A JWT from the shop's identity provider; its `scope` claim must hold the route's scope. "
                    "A `website_id` claim limits the token to that website.",
    )
}


def openapi_json(app: APIGatewayHttpResolver) -> str:
    return app.get_openapi_json_schema(title=TITLE, version=VERSION, description=DESCRIPTION,
                                       security_schemes=SECURITY_SCHEMES)


def create_docs_app() -> APIGatewayHttpResolver:
    app = create_app(*all_routers())
    app.enable_swagger(path="/docs", title=TITLE, version=VERSION, description=DESCRIPTION,
                       security_schemes=SECURITY_SCHEMES)

    @app.get("/openapi.json", include_in_schema=False)
    def get_openapi() -> Response[str]:
        return Response(status_code=200, content_type="application/json", body=openapi_json(app))

    return app


if __name__ == "__main__":  # `make openapi` writes docs/openapi.json with this
    print(openapi_json(create_docs_app()))
