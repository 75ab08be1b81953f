"""What storefronts call: POST /storefront/events and GET /storefront/sessions/{session_id}."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ConfigDict, Field

from shopadmin import wiring
from shopadmin.api.auth import require_scope
from shopadmin.api.resolver import error_responses, secured
from shopadmin.logic.storefront import session_status, take_events
from shopadmin.models.base import Model
from shopadmin.observability import metrics

events_router = Router()
sessions_router = Router()
TAG = "Storefront"


class EventBatch(Model):
    model_config = ConfigDict(extra="forbid")
    events: list[Any] = Field(min_length=1, max_length=100,
                              description="Storefront events (see the event contract); each is validated on its own")


class EventResult(Model):
    event_id: str | None
    status: str = Field(description="accepted | rejected")
    reason: str | None = None


class EventBatchResults(Model):
    results: list[EventResult]


class SessionStatus(Model):
    session_id: str
    signed_in: bool
    customer_id: str | None


@events_router.post("/storefront/events", summary="Send storefront events", tags=[TAG],
                    security=secured("events:write"),
                    responses={202: {"description": "Per-event results, in request order"}, **error_responses(400)})
def post_events(batch: EventBatch) -> Response[EventBatchResults]:
    caller = require_scope(events_router, "events:write")
    results = take_events(batch.events, wiring.events_queue(), wiring.now(), caller.website_id,
                          wiring.websites().is_known)
    accepted = sum(1 for r in results if r.status == "accepted")
    metrics.add_metric(name="EventsAccepted", unit=MetricUnit.Count, value=accepted)
    metrics.add_metric(name="EventsRejected", unit=MetricUnit.Count, value=len(results) - accepted)
    body = EventBatchResults(results=[EventResult(**r.__dict__) for r in results])
    return Response(status_code=202, content_type="application/json", body=body)


@sessions_router.get("/storefront/sessions/<session_id>", summary="Is this session still signed in", tags=[TAG],
                     security=secured("sessions:read"),
                     description="False after logout, after the online interval without activity, "
                                 "or for an unknown session.",
                     responses={200: {"description": "Session status"}, **error_responses()})
def get_session(session_id: Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")]
                ) -> SessionStatus:
    caller = require_scope(sessions_router, "sessions:read")
    state = wiring.presence_store().get(session_id)
    config = wiring.online_config().get()
    return SessionStatus(**session_status(session_id, state, wiring.now(), config.online_minutes_interval,
                                          caller.website_id))
