"""Grid mass actions (SPEC 7): POST /customers/mass-actions."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from shopadmin import wiring
from shopadmin.api.auth import Caller, keep_customer_inside_website, require_scope, website_for_write
from shopadmin.api.idempotency import IdempotencyKey, respond_once
from shopadmin.api.resolver import error_responses, secured, time_left
from shopadmin.errors import Conflict, Forbidden, NotFound
from shopadmin.logic import customer_accounts as accounts
from shopadmin.logic import customer_commerce as commerce
from shopadmin.logic.customer_deletion import delete_customer
from shopadmin.logic.mass_actions import ApplyOne, run_mass_action
from shopadmin.models.commerce import NewsletterUpdate
from shopadmin.models.mass_actions import MassActionRequest, MassActionResults

router = Router()
# A customer starts only while this much of the Lambda timeout is left (one delete page, one save).
TIME_RESERVE_MS = 3_000
GROUP_ATTEMPTS = 3  # assign_group re-reads when a concurrent edit moved the version in between


def _delete(caller: Caller, has_time: Callable[[], bool]) -> ApplyOne:
    if "customers:delete" not in caller.scopes:
        raise Forbidden("Deleting customers needs the scope customers:delete",
                        [{"field": "body.action", "reason": "the token lacks customers:delete"}])
    config = wiring.online_config().get()

    def apply(customer_id: str) -> str | None:
        done = delete_customer(customer_id, wiring.customer_deletion(), wiring.customer_accounts().session_ids,
                               wiring.presence_store(), wiring.admin_events(), caller.subject, wiring.now(),
                               config.online_minutes_interval, has_time)
        return None if done else "deleted; clean-up continues with DELETE /customers/{id}"

    return apply


def _newsletter(caller: Caller, website_id: str | None, subscribed: bool) -> ApplyOne:
    def apply(customer_id: str) -> str | None:
        website = website_id
        if website is None:  # the customer's own website
            record = wiring.customer_accounts().get_account(customer_id)
            if record is None:
                raise NotFound("No such customer")
            website = str(record.fields.get("website_id") or "")
        commerce.set_newsletter(customer_id, NewsletterUpdate(website_id=website, subscribed=subscribed),
                                wiring.customer_commerce(), caller.subject, wiring.now())
        return None

    return apply


def _assign_group(caller: Caller, group_id: int) -> ApplyOne:
    def apply(customer_id: str) -> str | None:
        store = wiring.customer_accounts()
        for attempt in range(GROUP_ATTEMPTS):
            record = store.get_account(customer_id)
            if record is None:
                raise NotFound("No such customer")
            try:
                accounts.edit_customer(customer_id, {"group_id": group_id}, None, int(record.version or 0), store,
                                       caller.subject, wiring.now())
                return None
            except Conflict:
                if attempt == GROUP_ATTEMPTS - 1:
                    raise
        return None

    return apply


def _inside_website(caller: Caller, apply: ApplyOne) -> ApplyOne:
    """A website-bound token's mass action sees another website's customers as not found (SPEC 6)."""
    def apply_in_reach(customer_id: str) -> str | None:
        keep_customer_inside_website(caller.website_id, customer_id)
        return apply(customer_id)

    return apply_in_reach


@router.post("/customers/mass-actions", summary="Mass action on selected customers", tags=["Customers"],
             security=secured("customers:write"),
             description="`delete` (needs `customers:delete` too: without it 403 and nothing changes), `subscribe` / "
                         "`unsubscribe` (newsletter of `website_id`, default each customer's own website) or "
                         "`assign_group` (`group_id`) over 1-100 customers. Each customer's change is the single "
                         "action's, audited the same way; one customer's failure never stops the others. Results in "
                         "request order. Send an `Idempotency-Key` header to make a retry safe.",
             responses={200: {"description": "One result per customer, in request order"},
                        **error_responses(400, 409)})
def post_mass_action(body: MassActionRequest, idempotency_key: IdempotencyKey = None) -> Response[MassActionResults]:
    caller = require_scope(router, "customers:write")
    has_time = time_left(router, TIME_RESERVE_MS)
    if body.action == "delete":
        apply = _delete(caller, has_time)
    elif body.action == "assign_group":
        apply = _assign_group(caller, int(body.group_id or 0))
    else:
        website = None if body.website_id is None else website_for_write(caller, body.website_id, "body.website_id")
        apply = _newsletter(caller, website, body.action == "subscribe")
    apply_in_reach = _inside_website(caller, apply)
    def run() -> tuple[int, MassActionResults]:
        return 200, MassActionResults(results=run_mass_action(body.customer_ids, apply_in_reach, has_time, body.action))

    return respond_once(router, idempotency_key, route="POST /customers/mass-actions", customer_id="",
                        subject=caller.subject, body=body, action=run)
