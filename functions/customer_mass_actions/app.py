"""CustomerMassActionsFunction: the customer grid's mass actions (POST /customers/mass-actions)."""

from aws_lambda_powertools.logging import correlation_paths
from shopadmin.api.resolver import create_app
from shopadmin.api.routes import mass_actions
from shopadmin.observability import logger

app = create_app(mass_actions.router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
