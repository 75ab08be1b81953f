"""GET/PUT /config/online-customers (Stores > Configuration > Customers > Online Customers Options)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from shopadmin import wiring
from shopadmin.api.auth import require_scope, require_unbound
from shopadmin.api.resolver import error_responses, secured
from shopadmin.models.online_config import OnlineCustomersConfig, OnlineCustomersConfigUpdate
from shopadmin.observability import logger

router = Router()
TAG = "Configuration"


@router.get("/config/online-customers", summary="Online Customers Options", tags=[TAG],
            security=secured("config:read"),
            responses={200: {"description": "The saved options (defaults when never saved)"}, **error_responses()})
def get_online_config() -> OnlineCustomersConfig:
    require_scope(router, "config:read")
    return wiring.online_config().get()


@router.put("/config/online-customers", summary="Save Config", tags=[TAG], security=secured("config:write"),
            description="Blank or null fields fall back to the defaults (15 and 60 minutes). "
                        "Applies to the next reads, with no redeploy. A token bound to a website gets 403: "
                        "the options apply to every website.",
            responses={200: {"description": "The saved options"}, **error_responses(400)})
def put_online_config(update: OnlineCustomersConfigUpdate) -> OnlineCustomersConfig:
    caller = require_unbound(require_scope(router, "config:write"))
    saved = wiring.online_config().save(update.resolved(), caller.subject)
    logger.info("online config saved", extra={"interval": saved.online_minutes_interval,
                                              "data_lifetime": saved.customer_data_lifetime})
    return saved
