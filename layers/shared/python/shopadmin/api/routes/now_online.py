"""GET /online-customers and /online-customers/summary (Customers > Now Online)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from shopadmin import wiring
from shopadmin.api.auth import require_scope, scoped_website
from shopadmin.api.resolver import error_responses, secured
from shopadmin.logic.online_list import OnlineListRequest, OnlineSort, SessionType, list_online, summarize
from shopadmin.models.presence import OnlineRow

router = Router()
TAG = "Now Online"


class OnlinePage(BaseModel):
    items: list[OnlineRow]
    next_cursor: str | None


class OnlineSummary(BaseModel):
    total: int
    by_type: dict[str, int]
    by_website: dict[str, int]


@router.get("/online-customers", summary="Customers and visitors online now", tags=[TAG],
            description="Sessions whose last state-changing event is within the Online Minutes Interval, "
                        "newest first by default. Decided at read time.",
            security=secured("online:read"), responses={200: {"description": "A page of online sessions"},
                                                        **error_responses()})
def get_online_customers(
    type: Annotated[SessionType | None, Query(description="customer or visitor")] = None,
    website_id: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100,
                                      description="Case-insensitive prefix of email, first or last name")] = None,
    sort: Annotated[OnlineSort, Query()] = "-last_activity",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048, description="next_cursor of the previous page")] = None,
) -> OnlinePage:
    caller = require_scope(router, "online:read")
    request = OnlineListRequest(type, scoped_website(caller, website_id), q, sort, limit, cursor)
    config = wiring.online_config().get()
    rows, next_cursor = list_online(request, wiring.presence_store(), wiring.known_websites().get(),
                                    wiring.now(), config.online_minutes_interval, cursor_key=wiring.cursor_key())
    return OnlinePage(items=rows, next_cursor=next_cursor)


@router.get("/online-customers/summary", summary="Counts of online sessions by type and website", tags=[TAG],
            security=secured("online:read"), responses={200: {"description": "Counts"}, **error_responses()})
def get_online_summary() -> OnlineSummary:
    caller = require_scope(router, "online:read")
    websites = wiring.known_websites().get()
    if caller.website_id is not None:
        websites = {caller.website_id}
    config = wiring.online_config().get()
    return OnlineSummary(**summarize(wiring.presence_store(), websites, wiring.now(), config.online_minutes_interval))
