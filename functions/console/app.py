"""ConsoleFunction: GET /console, the admin console page (public; its API calls carry the admin's token)."""

from pathlib import Path
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shopadmin.api.resolver import create_app
from shopadmin.api.routes.console import console_router
from shopadmin.observability import logger, metrics, trace_handler

app = create_app(console_router(Path(__file__).resolve().parent / "static"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@trace_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
