"""OnlineSweeperFunction: every minute, sessions that left the online window leave the online indexes."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from shopadmin import wiring
from shopadmin.logic.online_sweep import sweep_online
from shopadmin.observability import logger, metrics, trace_handler
from shopadmin.settings import require

require()  # at cold start: a missing variable fails init, naming it


@logger.inject_lambda_context
@trace_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    interval = wiring.online_config().get().online_minutes_interval
    swept = sweep_online(wiring.presence_store(), wiring.websites().ids(), wiring.now(), interval)
    metrics.add_metric(name="SessionsSwept", unit=MetricUnit.Count, value=swept)
    logger.info("online indexes swept", extra={"swept": swept})
    return {"swept": swept}
