"""StorefrontSessionsFunction: GET /storefront/sessions/{session_id}."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shopadmin.api.resolver import create_app
from shopadmin.api.routes import storefront
from shopadmin.observability import logger, metrics, trace_handler
from shopadmin.settings import require

require()  # at cold start: a missing variable fails init, naming it

app = create_app(storefront.sessions_router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@trace_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
