"""OnlineConfigFunction: GET/PUT /config/online-customers, GET /websites, PUT /websites/{website_id}."""

from aws_lambda_powertools.logging import correlation_paths
from shopadmin.api.resolver import create_app
from shopadmin.api.routes import online_config, websites
from shopadmin.observability import logger

app = create_app(online_config.router, websites.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
