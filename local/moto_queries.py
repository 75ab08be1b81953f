"""moto's Query reading only what it must, instead of sorting the whole table first (issue 24, item 6).

moto 5.x answers every Query from `Table.all_items()`, which gathers every item of the table and
sorts them all by key (`moto/dynamodb/models/table.py`), and only then keeps the queried
partition. A Query of one customer's cart thus cost as much as sorting every session, customer
and counter of the local stack: profiled under a 100-event burst (py-spy), that sort was moto's
largest cost.

`install()` wraps `Table.query` so that, for the duration of the call, `all_items()` returns
- for a Query of the table itself: only the items of the queried partition (moto keeps exactly
  those: its next step filters on `item.hash_key == hash_key`, then sorts them by range key);
- for a Query of an index: every item, unsorted (moto sorts what it keeps by the index keys and
  then the table keys, which together are unique, so the order it started from never shows).
Every other caller of `all_items()` (Scan, export) is untouched. moto's answers do not change:
tests/integration/test_moto_queries.py compares both on random tables, queries and pages. This
changes the emulator only, never what the product asks.
"""

from __future__ import annotations

import contextvars
from typing import Any

from moto.dynamodb.models.table import Table

_ALL_UNSORTED = object()
_scope: contextvars.ContextVar[Any] = contextvars.ContextVar("moto_query_scope", default=None)
_original_query = Table.query
_original_all_items = Table.all_items


def _items_of(table: Table, hash_set: Any) -> list[Any]:
    return list(hash_set.values()) if table.range_key_attr else [hash_set]


def _all_items(self: Table) -> list[Any]:
    scope = _scope.get()
    if scope is None:
        return _original_all_items(self)
    if scope is _ALL_UNSORTED:
        return [item for hash_set in self.items.values() for item in _items_of(self, hash_set)]
    hash_set = self.items.get(scope)
    return [] if hash_set is None else _items_of(self, hash_set)


def _query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    if not index_name and hash_key is None:
        return _original_query(self, hash_key, *args, **kwargs)  # a key condition moto reads its own way
    token = _scope.set(_ALL_UNSORTED if index_name else hash_key)
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _scope.reset(token)


def install() -> None:
    """Idempotent: patch moto's DynamoDB tables in this process."""
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]


def uninstall() -> None:
    Table.query = _original_query  # type: ignore[method-assign]
    Table.all_items = _original_all_items  # type: ignore[method-assign]
