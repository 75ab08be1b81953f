"""POST /storefront/events: validate a batch (1-100) and enqueue the accepted events (202)."""

from typing import Any, Optional

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ConfigDict, Field

from shopadmin import wiring
from shopadmin.api.auth import require_scope
from shopadmin.api.resolver import ERROR_RESPONSES, create_app
from shopadmin.logic.storefront import take_events
from shopadmin.observability import logger, metrics

app = create_app()


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[Any] = Field(min_length=1, max_length=100, description="Storefront events (see the event contract)")


class EventResult(BaseModel):
    event_id: Optional[str]
    status: str = Field(description="accepted | rejected")
    reason: Optional[str] = None


class EventBatchResults(BaseModel):
    results: list[EventResult]


@app.post("/storefront/events", summary="Send storefront events", tags=["Storefront"],
          responses={202: {"description": "Per-event results, in request order"}, **ERROR_RESPONSES})
def post_events(batch: EventBatch) -> Response[EventBatchResults]:
    caller = require_scope(app, "events:write")
    results = take_events(batch.events, wiring.events_queue(), wiring.now(), caller.website_id)
    accepted = sum(1 for r in results if r.status == "accepted")
    metrics.add_metric(name="EventsAccepted", unit=MetricUnit.Count, value=accepted)
    metrics.add_metric(name="EventsRejected", unit=MetricUnit.Count, value=len(results) - accepted)
    body = EventBatchResults(results=[EventResult(**r.__dict__) for r in results])
    return Response(status_code=202, content_type="application/json", body=body)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def handler(event, context):
    return app.resolve(event, context)
