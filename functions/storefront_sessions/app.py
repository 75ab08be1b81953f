"""GET /storefront/sessions/{session_id}: is this storefront session still signed in?"""

from typing import Annotated, Optional

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel

from shopadmin import wiring
from shopadmin.api.auth import require_scope
from shopadmin.api.resolver import ERROR_RESPONSES, create_app
from shopadmin.logic.storefront import session_status
from shopadmin.observability import logger

app = create_app()


class SessionStatus(BaseModel):
    session_id: str
    signed_in: bool
    customer_id: Optional[str]


@app.get("/storefront/sessions/<session_id>", summary="Is this session still signed in", tags=["Storefront"],
         description="False after logout, after the online interval without activity, or for an unknown session.",
         responses={200: {"description": "Session status"}, **ERROR_RESPONSES})
def get_session(session_id: Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")]) -> SessionStatus:
    caller = require_scope(app, "sessions:read")
    state = wiring.presence_store().get(session_id)
    config = wiring.online_config().get()
    return SessionStatus(**session_status(session_id, state, wiring.now(), config.online_minutes_interval,
                                          caller.website_id))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
