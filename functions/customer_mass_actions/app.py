"""CustomerMassActionsFunction: the customer grid's mass actions (POST /customers/mass-actions)."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shopadmin.api.resolver import create_app
from shopadmin.api.routes import mass_actions
from shopadmin.observability import logger, metrics, trace_handler
from shopadmin.settings import require

require("IDEMPOTENCY_TABLE", "EVENT_BUS_NAME")  # at cold start: a missing variable fails init, naming it

app = create_app(mass_actions.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@trace_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
