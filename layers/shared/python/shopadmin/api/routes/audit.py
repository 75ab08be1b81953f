"""GET /customers/{id}/audit: who did what to a customer account, newest first."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from shopadmin import wiring
from shopadmin.api.auth import require_scope
from shopadmin.api.resolver import error_responses, secured
from shopadmin.errors import NotFound
from shopadmin.logic.cursor import decode_cursor, encode_cursor
from shopadmin.logic.customer_accounts import to_audit_entry
from shopadmin.models.customer import AuditPage

router = Router()


@router.get("/customers/<customer_id>/audit", summary="Audit trail of a customer account", tags=["Audit"],
            security=secured("audit:read"),
            description="Who (JWT subject), when, action and before/after of changed fields; never secrets. "
                        "A deleted customer: 404 (its entries are kept, without values, for operators).",
            responses={200: {"description": "Audit entries, newest first"}, **error_responses(404)})
def get_audit(
    customer_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:@-]+$")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AuditPage:
    require_scope(router, "audit:read")
    if wiring.customer_deletion().job(customer_id) is not None:
        # like every route under a deleted customer; the entries stay in AUDIT#<id> for operators
        raise NotFound("No such customer")
    query = {"list": "audit", "customer_id": customer_id}
    key = wiring.cursor_key()
    records, last = wiring.customer_accounts().audit_page(customer_id, decode_cursor(cursor, query, key), limit)
    return AuditPage(items=[to_audit_entry(r) for r in records],
                     next_cursor=encode_cursor(query, last, key) if last else None)
