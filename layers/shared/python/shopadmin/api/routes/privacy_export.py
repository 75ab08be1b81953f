"""Privacy export (SPEC 7): GET /customers/{customer_id}/export."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from shopadmin import wiring
from shopadmin.api.auth import require_scope
from shopadmin.api.resolver import error_responses, secured
from shopadmin.logic.privacy_export import export_customer

router = Router()
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:@-]+$")]


@router.get("/customers/<customer_id>/export", summary="Privacy export (everything held about the customer)",
            tags=["Admin actions"], security=secured("customers:export"),
            description="One JSON document: the customer's stored items grouped by kind (account, addresses, "
                        "orders, cart, wish list, reviews, returns, registries, agreements, newsletter, balances "
                        "and ledgers, activity), audit entries about them, the email claim, credentials (keys "
                        "derived from secrets withheld), sessions and the unsaved data of those sessions. Audited "
                        "`customer.exported`. A customer too large for one response gets "
                        "`{\"download_url\", \"expires_at\"}` (a link valid 15 minutes) instead.",
            responses={200: {"description": "The export, or a download link for a very large one",
                             "content": {"application/json": {"schema": {"type": "object"}}}},
                       **error_responses(404)})
def get_customer_export(customer_id: CustomerId) -> Response[dict[str, Any]]:
    caller = require_scope(router, "customers:export")
    document = export_customer(customer_id, wiring.privacy_export_reader(), wiring.customer_accounts(),
                               wiring.export_files(), caller.subject, wiring.now())
    return Response(status_code=200, content_type="application/json", body=document,
                    headers={"Cache-Control": "no-store",
                             "Content-Disposition": f'attachment; filename="customer-{customer_id}.json"'})
