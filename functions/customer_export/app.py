"""CustomerExportFunction: the privacy export (GET /customers/{customer_id}/export)."""

from aws_lambda_powertools.logging import correlation_paths
from shopadmin.api.resolver import create_app
from shopadmin.api.routes import privacy_export
from shopadmin.observability import logger

app = create_app(privacy_export.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
