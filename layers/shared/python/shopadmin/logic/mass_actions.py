"""Grid mass actions (SPEC 7): apply one action to each selected customer, one at a time.

Each customer's change is exactly the single action's (same logic, same audit entry), so a
mass action adds no rule of its own but these: results come back in request order; a
customer's failure is reported on its row and never stops the others; and the work stops
starting new customers when the invocation's time runs short (those rows say so, and the
request can be sent again: the finished ones are already so, and answer ok again or
not_found for deleted ones).
"""

from __future__ import annotations

from collections.abc import Callable

from shopadmin.errors import DomainError, NotFound
from shopadmin.models.mass_actions import MassActionResult
from shopadmin.observability import logger

# apply_one(customer_id) -> None when done, or a plain-language note (still "ok")
ApplyOne = Callable[[str], str | None]
NOT_STARTED = "not started: the request ran out of time; send these customers again"


def run_mass_action(customer_ids: list[str], apply_one: ApplyOne, has_time: Callable[[], bool],
                    action: str) -> list[MassActionResult]:
    """One result per id, in order: ok (with an optional note), not_found, or failed with the reason."""
    results: list[MassActionResult] = []
    for customer_id in customer_ids:
        if not has_time():
            results.append(MassActionResult(customer_id=customer_id, status="failed", reason=NOT_STARTED))
            continue
        try:
            note = apply_one(customer_id)
            results.append(MassActionResult(customer_id=customer_id, status="ok", reason=note))
        except NotFound:
            results.append(MassActionResult(customer_id=customer_id, status="not_found", reason="no such customer"))
        except DomainError as error:  # a 409/422/503 of the single action, told on this row only
            results.append(MassActionResult(customer_id=customer_id, status="failed", reason=error.message))
        except Exception:  # noqa: BLE001 - one customer's fault must not stop the others; logged, not hidden
            logger.exception("mass action failed for one customer", extra={"action": action,
                                                                          "customer_id": customer_id})
            results.append(MassActionResult(customer_id=customer_id, status="failed",
                                            reason="unexpected error; try this customer again"))
    return results
