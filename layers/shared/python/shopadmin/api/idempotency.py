"""`Idempotency-Key` on POST actions (SPEC 4): a retry returns the first result and applies nothing again.

Built on the Powertools Idempotency utility as designed: `idempotent_function` around the action,
records in the IdempotencyTable through `DynamoDBPersistenceLayer` (wiring.idempotency_store()).

- The key of a record is the route, the customer, the caller (JWT subject) and the header value:
  two admins, two customers or two routes never share a result.
- The request body is the payload Powertools validates: the same key with another body is refused
  with 422 and changes nothing.
- Only successes are remembered (status + body, for 24 h): a request that failed can be sent
  again with the same key. A retry that arrives while the first request still runs gets 409.
- Each record is referenced under its customer (written only while the profile exists), so
  Delete Customer erases it; a replayed key of a deleted customer answers 404, never the first result.

Usage in a route:

    return respond_once(router, idempotency_key, route="POST /customers/{customer_id}/orders",
                        customer_id=customer_id, subject=caller.subject, body=body,
                        action=lambda: (201, logic.create_order(...)))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from pydantic import BaseModel

from shopadmin import wiring
from shopadmin.errors import Conflict, CustomerGone, InvalidRequest, NotFound

EXPIRES_AFTER_SECONDS = 24 * 3600
KEY_PREFIX = "shop-admin"  # record ids are "shop-admin#<sha256>", whichever function serves the route
REPLAYED_HEADER = "Idempotent-Replayed"

IdempotencyKey = Annotated[str | None, Header(
    alias="idempotency-key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="Optional. A retry with the same key (and the same body) returns the first result and applies "
                "nothing again; the same key with another body gets 422. Kept 24 hours.")]


def _replayed(response: Any, idempotent_data: DataRecord) -> Any:
    return {**response, "replayed": True} if isinstance(response, dict) else response


CONFIG = IdempotencyConfig(
    event_key_jmespath="[route, customer_id, subject, key]",
    payload_validation_jmespath="body",
    expires_after_seconds=EXPIRES_AFTER_SECONDS,
    hash_function="sha256",
    response_hook=_replayed,
)


def _json(status: int, body: dict[str, Any], replayed: bool) -> Response[Any]:
    # a dict body: the route's response model validates and serializes it, first run and replay alike
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return Response(status_code=status, content_type="application/json", body=body, headers=headers)


def respond_once(router: Router, key: str | None, *, route: str, customer_id: str, subject: str, body: BaseModel,
                 action: Callable[[], tuple[int, BaseModel]]) -> Response[Any]:
    """Run `action` (-> status, response model) once per Idempotency-Key; without a key, just run it.

    The response body is the model as a dict (first run and replay alike), which the route's declared
    `Response[Model]` validates: hence `Response[Any]` here.
    """
    if not key:
        status, result = action()
        return _json(status, result.model_dump(mode="json"), replayed=False)

    store = wiring.idempotency_store()

    def perform(request: dict[str, Any]) -> dict[str, Any]:
        # first: a record about a customer exists only with its reference under the customer. A
        # request about no single customer (customer_id "", the grid's mass actions) claims nothing:
        # its result holds ids and statuses only, no personal data, and expires with the record.
        if customer_id:
            try:
                store.claim_for_customer(customer_id, request,
                                         int(wiring.now() // 1000) + EXPIRES_AFTER_SECONDS + 3600)
            except CustomerGone:
                raise NotFound("No such customer") from None
        status, result = action()
        return {"status": status, "body": result.model_dump(mode="json")}

    request = {"route": route, "customer_id": customer_id, "subject": subject, "key": key,
               "body": body.model_dump(mode="json")}
    # in-progress records expire with this invocation, so a crashed attempt never blocks the key for a day
    CONFIG.register_lambda_context(router.lambda_context)
    once = idempotent_function(perform, data_keyword_argument="request", persistence_store=store,
                               config=CONFIG, key_prefix=KEY_PREFIX)
    try:
        outcome = once(request=request)
    except IdempotencyValidationError:
        raise InvalidRequest("This Idempotency-Key was used with a different request",
                             [{"field": "header.idempotency-key",
                               "reason": "already used with another body"}]) from None
    except IdempotencyPersistenceLayerError as error:
        cause = getattr(error.__cause__, "response", None) or {}
        if cause.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        # the success update found no record: Delete Customer erased it meanwhile (nothing is replayed)
        raise NotFound("No such customer") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("A request with this Idempotency-Key is still in progress; retry shortly",
                       [{"field": "header.idempotency-key", "reason": "in progress"}]) from None
    return _json(outcome["status"], outcome["body"], replayed=bool(outcome.get("replayed")))
