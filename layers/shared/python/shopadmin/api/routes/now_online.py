"""GET /online-customers and /online-customers/summary (Customers > Now Online)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from shopadmin import wiring
from shopadmin.api.auth import require_scope, scoped_website
from shopadmin.api.downloads import csv_download, csv_responses
from shopadmin.api.resolver import error_responses, secured
from shopadmin.logic.csv_export import MAX_ROWS, collect_rows, to_csv
from shopadmin.logic.online_list import OnlineListRequest, OnlineSort, SessionType, list_online, summarize
from shopadmin.models.base import Model
from shopadmin.models.presence import OnlineRow

router = Router()
TAG = "Now Online"


class OnlinePage(Model):
    items: list[OnlineRow]
    next_cursor: str | None


class OnlineSummary(Model):
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
    rows, next_cursor = list_online(request, wiring.presence_store(), wiring.websites().ids(),
                                    wiring.now(), config.online_minutes_interval, cursor_key=wiring.cursor_key())
    return OnlinePage(items=rows, next_cursor=next_cursor)


CSV_COLUMNS = tuple(OnlineRow.model_fields)
EXPORT_PAGE = 200  # the list's largest page: fewest reads per export


@router.get("/exports/online-customers.csv", summary="Export the online list as CSV", tags=[TAG],
            security=secured("online:read"),
            description=f"Every session the online list's filters select (same `type`, `website_id`, `q` and "
                        f"`sort`), one row each under a header row of the row's field names. UTF-8, RFC 4180 "
                        f"quoting; a cell starting with `=`, `+`, `-` or `@` is prefixed with `'`. More than "
                        f"{MAX_ROWS:,} rows: 422, narrow the filter.",
            responses={**csv_responses("online-customers.csv"), **error_responses()})
def get_online_customers_csv(
    type: Annotated[SessionType | None, Query(description="customer or visitor")] = None,
    website_id: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    sort: Annotated[OnlineSort, Query()] = "-last_activity",
) -> Response[str]:
    caller = require_scope(router, "online:read")
    website = scoped_website(caller, website_id)
    config = wiring.online_config().get()
    # one clock reading for the whole export, so every page sees the same online window
    now, websites, presence, key = wiring.now(), wiring.websites().ids(), wiring.presence_store(), wiring.cursor_key()
    rows = collect_rows(lambda cursor: list_online(OnlineListRequest(type, website, q, sort, EXPORT_PAGE, cursor),
                                                   presence, websites, now, config.online_minutes_interval,
                                                   cursor_key=key))
    return csv_download("online-customers.csv", to_csv(CSV_COLUMNS, (row.model_dump(mode="json") for row in rows)))


@router.get("/online-customers/summary", summary="Counts of online sessions by type and website", tags=[TAG],
            security=secured("online:read"), responses={200: {"description": "Counts"}, **error_responses()})
def get_online_summary() -> OnlineSummary:
    caller = require_scope(router, "online:read")
    websites: AbstractSet[str] = wiring.websites().ids()
    if caller.website_id is not None:
        websites = {caller.website_id}
    config = wiring.online_config().get()
    return OnlineSummary(**summarize(wiring.presence_store(), websites, wiring.now(), config.online_minutes_interval))
