"""StorefrontEventsFunction: POST /storefront/events (validate, enqueue, 202)."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shopadmin.api.resolver import create_app
from shopadmin.api.routes import storefront
from shopadmin.observability import logger, metrics, trace_handler
from shopadmin.settings import require

require("EVENTS_QUEUE_URL")  # at cold start: a missing variable fails init, naming it

# each event's characters are checked with the event (models/events.py): a bad one is rejected alone
app = create_app(storefront.events_router, refuse_characters=False)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@trace_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
