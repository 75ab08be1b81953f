"""ApiDocsFunction: GET /openapi.json and GET /docs (Swagger UI), public."""

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shopadmin.api.openapi import create_docs_app
from shopadmin.observability import logger, metrics, trace_handler

app = create_docs_app()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@trace_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
