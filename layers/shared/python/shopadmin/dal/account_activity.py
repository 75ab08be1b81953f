"""A customer's last login and logout (the ACTIVITY item): moved forward only, under a profile check.

Written inside other transactions (the ingest packs a session's touches into its presence write,
dal/presence_store.py::PresenceStore.save_many) or alone (`touch_alone`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition

from shopadmin.dal.dynamo_errors import transact_write
from shopadmin.dal.keys import ACTIVITY_SK, PROFILE_SK, customer_pk
from shopadmin.dal.tables import ActivityItem, ProfileItem, failed_checks
from shopadmin.errors import CustomerGone

ACTIVITY_FIELDS = ("last_login_at", "last_logout_at")


def add_activity_update(transaction: Any, customer_id: str, times: Mapping[str, int]) -> None:
    """One Update of the customer's ACTIVITY item setting each field of `times` (epoch ms).

    Its condition holds only if no field moves back (the same time again is harmless): a stored
    time after one of them cancels the transaction (the caller drops the touch and applies the
    fields alone).
    """
    condition: Condition | None = None
    actions = [ActivityItem.kind.set(ActivityItem)]
    for name, at_ms in sorted(times.items()):
        attribute = getattr(ActivityItem, name)
        actions.append(attribute.set(at_ms))
        forward = attribute.does_not_exist() | (attribute <= at_ms)
        condition = forward if condition is None else condition & forward
    transaction.update(ActivityItem(customer_pk(customer_id), ACTIVITY_SK), actions=actions, condition=condition)


def touch_alone(customer_id: str, field_name: str, at_ms: int) -> bool:
    """Move one field forward in its own transaction; False when a newer time is stored.

    Raises CustomerGone when the customer has no profile (deleted meanwhile): nothing is written.
    """
    try:
        with transact_write("account.activity") as transaction:
            # in the same transaction: a login racing with Delete Customer leaves nothing behind
            transaction.condition_check(ProfileItem, customer_pk(customer_id), PROFILE_SK,
                                        condition=ProfileItem.pk.exists())
            add_activity_update(transaction, customer_id, {field_name: at_ms})
    except TransactWriteError as error:
        if failed_checks(error, 1):
            raise CustomerGone(customer_id) from None
        if any(r is not None and r.code == "ConditionalCheckFailed"
               for r in getattr(error, "cancellation_reasons", None) or []):
            return False  # a newer time is stored
        raise
    return True
