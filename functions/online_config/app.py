"""GET/PUT /config/online-customers (Stores > Configuration > Online Customers Options)."""

from aws_lambda_powertools.logging import correlation_paths

from shopadmin import wiring
from shopadmin.api.auth import require_scope
from shopadmin.api.resolver import ERROR_RESPONSES, create_app
from shopadmin.models.online_config import OnlineCustomersConfig, OnlineCustomersConfigUpdate
from shopadmin.observability import logger

app = create_app()


@app.get("/config/online-customers", summary="Online Customers Options", tags=["Configuration"],
         responses={200: {"description": "The saved options (defaults when never saved)"}, **ERROR_RESPONSES})
def get_online_config() -> OnlineCustomersConfig:
    require_scope(app, "config:read")
    return wiring.online_config().get()


@app.put("/config/online-customers", summary="Save Config", tags=["Configuration"],
         description="Blank or null fields fall back to the defaults (15 and 60 minutes). Applies to the next reads.",
         responses={200: {"description": "The saved options"}, **ERROR_RESPONSES})
def put_online_config(update: OnlineCustomersConfigUpdate) -> OnlineCustomersConfig:
    caller = require_scope(app, "config:write")
    saved = wiring.online_config().save(update.resolved(), caller.subject)
    logger.info("online config saved", extra={"interval": saved.online_minutes_interval,
                                              "data_lifetime": saved.customer_data_lifetime})
    return saved


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
