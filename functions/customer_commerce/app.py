"""CustomerCommerceFunction: Manage Shopping Cart, Create Order, store credit, reward points, newsletter."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shopadmin.api.resolver import create_app
from shopadmin.api.routes import customer_commerce
from shopadmin.observability import logger, metrics, trace_handler
from shopadmin.settings import require

require("IDEMPOTENCY_TABLE", "CURSOR_SECRET_ARN")  # at cold start: a missing variable fails init, naming it

app = create_app(customer_commerce.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@trace_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
