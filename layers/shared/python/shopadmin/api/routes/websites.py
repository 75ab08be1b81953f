"""GET /websites and PUT /websites/{website_id}: the website registry (SPEC 6)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from shopadmin import wiring
from shopadmin.api.auth import require_scope, require_unbound
from shopadmin.api.resolver import error_responses, secured
from shopadmin.models.website import WEBSITE_ID_PATTERN, Website, WebsiteList, WebsiteSave
from shopadmin.observability import logger

router = Router()
TAG = "Configuration"
WebsiteId = Annotated[str, Path(min_length=1, max_length=64, pattern=WEBSITE_ID_PATTERN)]


@router.get("/websites", summary="Registered websites", tags=[TAG], security=secured("config:read"),
            description="Every registered website (at most 1,000, not paginated). Only registered websites take "
                        "events, customers and tokens; events never register one.",
            responses={200: {"description": "The websites, by id"}, **error_responses()})
def get_websites() -> WebsiteList:
    caller = require_scope(router, "config:read")
    websites = wiring.websites().list()
    if caller.website_id is not None:
        websites = [w for w in websites if w.website_id == caller.website_id]
    return WebsiteList(items=websites)


@router.put("/websites/<website_id>", summary="Register or update a website", tags=[TAG],
            security=secured("config:write"),
            description="Creates the website or replaces its name, storefront URL and time zone (IANA). "
                        "A token bound to a website (claim `website_id`) gets 403.",
            responses={200: {"description": "The saved website"}, **error_responses(400)})
def put_website(website_id: WebsiteId, body: WebsiteSave) -> Website:
    caller = require_unbound(require_scope(router, "config:write"))
    saved = wiring.websites().save(website_id, body, caller.subject)
    logger.info("website saved", extra={"website_id": website_id})
    return saved
