"""Delete Customer (SPEC 3.3): DELETE /customers/{customer_id}."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from shopadmin import wiring
from shopadmin.api.auth import require_scope
from shopadmin.api.resolver import NO_CONTENT, error_responses, secured, time_left
from shopadmin.logic.customer_deletion import delete_customer
from shopadmin.models.credentials import DeletionInProgress

router = Router()
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:@-]+$")]
# Another page starts only while this much of the Lambda timeout is left (a page takes well under 1 s).
TIME_RESERVE_MS = 3_000


@router.delete("/customers/<customer_id>", summary="Delete Customer", tags=["Admin actions"],
               security=secured("customers:delete"),
               description="Removes the account and its personal data: profile, email, addresses, cart, wish list,"
                           " reviews, newsletter, balances, activity, secrets, Idempotency-Key records, the guest "
                           "carts and checkout drafts of every session the customer used, and the customer's "
                           "sessions (they leave Now Online at once). Orders stay, anonymized; audit entries stay,"
                           " without values, plus a customer.deleted entry; a tombstone (no personal data) keeps "
                           "the id deleted for good: later events naming it are dropped and every write under it "
                           "fails. Emits `customer.deleted`. 204 when done; a very large account answers 202 while"
                           " pages remain: send DELETE again to continue. Deleted: 404, nothing changes.",
               responses={**NO_CONTENT,
                          202: {"description": "The account is gone; clean-up continues with the next DELETE",
                                "content": {"application/json": {"model": DeletionInProgress}}},
                          **error_responses(404, 503)})
def delete_customer_route(customer_id: CustomerId) -> Response[Any]:
    caller = require_scope(router, "customers:delete")
    has_time = time_left(router, TIME_RESERVE_MS)
    config = wiring.online_config().get()
    done = delete_customer(customer_id, wiring.customer_deletion(), wiring.customer_accounts().session_ids,
                           wiring.presence_store(), wiring.admin_events(), caller.subject, wiring.now(),
                           config.online_minutes_interval, has_time)
    if done:
        return Response(status_code=204)
    return Response(status_code=202, content_type="application/json",
                    body=DeletionInProgress(customer_id=customer_id).model_dump_json())
