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
    "The back end of a shop's admin. **Now Online**: who is on the storefront right now (list, summary, "
    "CSV) and the Online Customers Options. **Customers**: the grid, create, the Customer Information "
    "page, quick edit and Save Customer (`If-Match`), addresses, audit, mass actions, privacy export. "
    "**Account actions**: cart, orders, store credit, reward points, newsletter, Login as Customer, "
    "Force Sign-In, password reset, Delete Customer. **Storefront**: the event intake (events apply "
    "asynchronously, in time order whatever their arrival) and the session check. **Websites**: the "
    "registry every event and token is checked against.\n\n"
    "Every route needs a bearer JWT holding the route's scope; a `website_id` claim limits the token to "
    "that website. Bodies are `application/json` (else 415). Errors are "
    "`{\"error\": {\"code\", \"message\", \"details\": [{\"field\", \"reason\", \"code\"}]}}` with "
    "plain-word reasons. POST actions take an optional `Idempotency-Key`."
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
