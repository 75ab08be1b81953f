"""moto's TransactWriteItems, backing up only the items a transaction touches (issue 24, item 6).

moto 5.x backs up every table a transaction names with `copy.deepcopy(table)`, once per
transaction item, so one transaction costs as much as the tables it touches: 6 ms on a
100-item table, 122 ms at 5,000 (`moto/dynamodb/models/__init__.py`, transact_write_items).
Real DynamoDB has no such cost, and every write under a customer is a transaction here, so the
local stack, the tests and the benchmarks slowed down as their tables filled.

`install()` wraps moto's method: before it runs, a copy of each item the transaction names is
kept (or "absent"); moto's own whole-table copy is skipped for the duration of the call; when moto
cancels the transaction (or refuses it), those items are put back as they were. moto's answers
are unchanged: the same checks, the same cancellation reasons, the same rollback of what the
transaction touched (tests/integration/test_moto_transactions.py compares both on random
transactions). This changes the emulator only, never what the product writes.
"""

from __future__ import annotations

import contextvars
import copy
from typing import Any

import moto.dynamodb.models as _moto_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

_skip_table_copies = contextvars.ContextVar("skip_table_copies", default=False)
_original_transact = DynamoDBBackend.transact_write_items


class _CopyModule:
    """Stands for `copy` inside moto's backend module: a table is not copied during our wrapper."""

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table) and _skip_table_copies.get():
            return value  # moto's rollback then puts the same table back: our item copies restore it
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _key_of(table: Table, op_type: str, op: dict[str, Any]) -> tuple[DynamoType, DynamoType | None] | None:
    attributes = op.get("Item") if op_type == "Put" else op.get("Key")
    if not isinstance(attributes, dict) or table.hash_key_attr not in attributes:
        return None  # moto refuses it itself
    range_value = None
    if table.range_key_attr is not None:
        if table.range_key_attr not in attributes:
            return None
        range_value = DynamoType(attributes[table.range_key_attr])
    return DynamoType(attributes[table.hash_key_attr]), range_value


def _backup(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[tuple[Table, Any, Any, Any]]:
    saved = []
    for entry in transact_items:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        op_type, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        if table is None:
            continue
        key = _key_of(table, op_type, op)
        if key is None:
            continue
        hash_value, range_value = key
        current = table.get_item(hash_value, range_value)
        saved.append((table, hash_value, range_value, copy.deepcopy(current)))
    return saved


def _restore(saved: list[tuple[Table, Any, Any, Any]]) -> None:
    for table, hash_value, range_value, item in reversed(saved):
        if range_value is None:
            if item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
        elif item is None:
            table.items.get(hash_value, {}).pop(range_value, None)
        else:
            table.items[hash_value][range_value] = item


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    saved = _backup(self, transact_items)
    token = _skip_table_copies.set(True)
    try:
        _original_transact(self, transact_items)
    except Exception:
        _restore(saved)
        raise
    finally:
        _skip_table_copies.reset(token)


def install() -> None:
    """Idempotent: patch moto's DynamoDB backend in this process."""
    if DynamoDBBackend.transact_write_items is not _transact_write_items:
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        _moto_models.copy = _CopyModule()  # type: ignore[assignment]


def uninstall() -> None:
    DynamoDBBackend.transact_write_items = _original_transact  # type: ignore[method-assign]
    _moto_models.copy = copy
