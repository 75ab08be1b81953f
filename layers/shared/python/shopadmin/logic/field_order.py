"""One order for every writer (SPEC 9): each profile field keeps its newest change by time.

Every change carries a time: a storefront event's `occurred_at`, or the server time of an
admin save. The account keeps, per field, the time of the change that set it
(`AccountRecord.field_times`, epoch ms). A change older than its field's time never
overwrites it, whoever wrote either; equal times apply (a replay rewrites the same value).

- A storefront change (customer_registered, account_updated) states the customer's values at
  `occurred_at`: each field it carries is stamped, even when the value is the same, so a later
  arriving but older event cannot undo it. Fields with newer times are left alone.
- An admin save edits the latest version (If-Match), so the fields it changes are the admin's
  decision at server time; fields it leaves as they are keep their time. A save changing a field
  whose time is ahead of the server clock (a storefront stamps up to 5 minutes ahead) is refused
  whole: nothing is written, the caller gets 409 naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from shopadmin.models.records import AccountRecord


def field_time(record: AccountRecord, name: str) -> int:
    """When the field's current value was set (ms); 0 when never stamped (any change applies)."""
    return record.field_times.get(name, 0)


def storefront_change(record: AccountRecord, values: Mapping[str, Any], at_ms: int) -> AccountRecord:
    """`record` with the event's values that are not older than their field's time, stamped `at_ms`."""
    applied = {name: value for name, value in values.items() if field_time(record, name) <= at_ms}
    return replace(record, fields={**record.fields, **applied},
                   field_times={**record.field_times, **dict.fromkeys(applied, at_ms)})


def newer_than(record: AccountRecord, updates: Mapping[str, Any], now_ms: int) -> list[str]:
    """The fields an admin save at `now_ms` would change although a newer change holds them."""
    return sorted(name for name, value in updates.items()
                  if record.fields.get(name) != value and field_time(record, name) > now_ms)


def admin_change(record: AccountRecord, updates: Mapping[str, Any], now_ms: int) -> AccountRecord:
    """`record` with the admin's updates; the fields whose value changes are stamped `now_ms`."""
    changed = [name for name, value in updates.items() if record.fields.get(name) != value]
    return replace(record, fields={**record.fields, **updates},
                   field_times={**record.field_times, **dict.fromkeys(changed, now_ms)})
