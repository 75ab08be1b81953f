"""How every DAL module meets DynamoDB's failures: one classification, one retry policy.

DynamoDB answers a write with one of a few kinds of failure, and each has one right response:
- CONDITION_FAILED (ConditionalCheckFailed, in a transaction a ConditionalCheckFailed
  cancellation reason): the guarded item changed; the caller's domain decides (409, re-read…).
- CONFLICT (TransactionConflict cancellation reason, TransactionInProgressException): another
  transaction held the item for a moment; nothing was applied, so the same request is retried.
- THROTTLED (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded, also as
  cancellation reasons): the table or account is over its rate; retried after a pause.
- TRANSIENT (connection errors, 5xx InternalServerError / ServiceUnavailable): the request may or
  may not have been applied; retried with the SAME ClientRequestToken so DynamoDB recognises it.
- VALIDATION (ValidationException, ItemCollectionSizeLimitExceeded…): the request itself is wrong.

`transact_write()` replaces `TransactWrite(connection=…)`: its ClientRequestToken is derived from the
operation (a hash of every item of the transaction: keys, values, conditions), so a botocore retry
of a request whose response was lost is recognised by DynamoDB instead of applied twice. CONFLICT
and THROTTLED cancellations are retried here with bounded exponential backoff and full jitter;
when the attempts run out, `StorageBusy` (503 with Retry-After) is raised, never a 500.
`commit_packed()` is the same for a transaction packing many independent writes (the ingest's
rows and collection changes): it hands back the positions of the items whose condition failed, so
the caller settles each packed write by its own items and sends the others again.
`batch_get` / `batch_writer` retry UnprocessedKeys / UnprocessedItems the same way.

Single-item calls (GetItem, PutItem, UpdateItem, Query) rely on botocore's "standard" retry mode
(PynamoDB's default: 4 attempts with exponential backoff and jitter for throttling and 5xx); what
still fails is mapped to 503 by `domain_error` in api/errors.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from shopadmin.errors import StorageBusy
from shopadmin.retry import Backoff, pause, use_sleep


class ErrorKind(Enum):
    CONDITION_FAILED = "condition_failed"
    CONFLICT = "conflict"
    THROTTLED = "throttled"
    TRANSIENT = "transient"
    VALIDATION = "validation"
    OTHER = "other"


CONDITION_CODES = frozenset({"ConditionalCheckFailedException", "ConditionalCheckFailed"})
CONFLICT_CODES = frozenset({"TransactionConflict", "TransactionConflictException", "TransactionInProgressException"})
THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ProvisionedThroughputExceeded", "ThrottlingException",
    "ThrottlingError", "RequestLimitExceeded", "LimitExceededException",
})
TRANSIENT_CODES = frozenset({"InternalServerError", "InternalFailure", "ServiceUnavailable",
                             "ServiceUnavailableException"})
VALIDATION_CODES = frozenset({"ValidationException", "ValidationError", "ItemCollectionSizeLimitExceededException",
                              "IdempotentParameterMismatchException", "SerializationException"})
RETRYABLE = frozenset({ErrorKind.CONFLICT, ErrorKind.THROTTLED, ErrorKind.TRANSIENT})


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "cause", None)  # PynamoDB keeps botocore's error there
        current = wrapped if isinstance(wrapped, BaseException) else (current.__cause__ or current.__context__)


def error_code(error: BaseException) -> str | None:
    """The DynamoDB error code of a PynamoDB or botocore exception (following its causes)."""
    for link in _chain(error):
        code = getattr(link, "cause_response_code", None)
        if code:
            return str(code)
        response = getattr(link, "response", None)
        if isinstance(response, dict) and response.get("Error", {}).get("Code"):
            return str(response["Error"]["Code"])
    return None


def cancellation_codes(error: BaseException) -> list[str]:
    """The codes of a cancelled transaction's items (those that failed; "None" ones left out)."""
    for link in _chain(error):
        reasons = getattr(link, "cancellation_reasons", None)
        if reasons:
            return [reason.code for reason in reasons if reason is not None and reason.code != "None"]
    return []


def _is_connection_error(error: BaseException) -> bool:
    from botocore.exceptions import ConnectionError as BotocoreConnectionError
    from botocore.exceptions import HTTPClientError

    return any(isinstance(link, (BotocoreConnectionError, HTTPClientError)) for link in _chain(error))


def classify(error: BaseException) -> ErrorKind:
    """What kind of DynamoDB failure this is (see the module docstring)."""
    reasons = cancellation_codes(error)
    if reasons:
        if any(code in CONDITION_CODES for code in reasons):
            return ErrorKind.CONDITION_FAILED
        if any(code in CONFLICT_CODES for code in reasons):
            return ErrorKind.CONFLICT
        if any(code in THROTTLING_CODES for code in reasons):
            return ErrorKind.THROTTLED
        return ErrorKind.VALIDATION
    code = error_code(error)
    if code in CONDITION_CODES:
        return ErrorKind.CONDITION_FAILED
    if code in CONFLICT_CODES:
        return ErrorKind.CONFLICT
    if code in THROTTLING_CODES:
        return ErrorKind.THROTTLED
    if code in TRANSIENT_CODES or _is_connection_error(error):
        return ErrorKind.TRANSIENT
    if code in VALIDATION_CODES:
        return ErrorKind.VALIDATION
    return ErrorKind.OTHER


# ---------------------------------------------------------------- backoff
TRANSACTION_BACKOFF = Backoff(attempts=5)
BATCH_BACKOFF = Backoff(attempts=8)
SHARED_READ_BACKOFF = Backoff(attempts=3)
RETRY_AFTER_SECONDS = 1
__all__ = ["Backoff", "ErrorKind", "batch_get", "batch_writer", "classify", "commit_packed", "domain_error",
           "retrying",
           "transact_write", "use_sleep"]

def busy(kind: ErrorKind | None, what: str) -> StorageBusy:
    reason = "too many requests" if kind == ErrorKind.THROTTLED else "concurrent changes"
    return StorageBusy(f"The store is busy ({reason}) {what}; retry shortly", retry_after_seconds=RETRY_AFTER_SECONDS)


T = TypeVar("T")


def retrying(call: Callable[[], T], backoff: Backoff = SHARED_READ_BACKOFF, what: str = "reading") -> T:
    """Run an idempotent call (a read) again after CONFLICT/THROTTLED/TRANSIENT failures; StorageBusy at the end."""
    for attempt in range(backoff.attempts):
        try:
            return call()
        except Exception as error:
            kind = classify(error)
            if kind not in RETRYABLE:
                raise
            if attempt == backoff.attempts - 1:
                raise busy(kind, what) from error
            pause(backoff, attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def domain_error(error: BaseException) -> StorageBusy | None:
    """The domain error an unhandled DynamoDB failure stands for (None: a real internal error)."""
    kind = classify(error)
    if kind in RETRYABLE:
        return busy(kind, "saving or reading")
    return None


# ---------------------------------------------------------------- transactions
class IdempotentTransactWrite(TransactWrite):
    """TransactWrite whose ClientRequestToken is a hash of the operation, retried on conflict/throttling."""

    def __init__(self, connection: Connection, operation: str = "", backoff: Backoff = TRANSACTION_BACKOFF) -> None:
        super().__init__(connection=connection)
        self._operation = operation
        self._backoff = backoff

    def request_token(self, cancelled: int) -> str:
        """36 characters (DynamoDB's maximum) derived from everything the transaction writes and checks.

        `cancelled` counts the attempts DynamoDB definitely cancelled (conflict, throttling): they
        applied nothing, so the next attempt is a new request with a new token; a connection error
        or 5xx leaves it unchanged, so a resend is recognised as the same request.
        """
        payload = json.dumps([self._operation, cancelled, self._condition_check_items, self._delete_items,
                              self._put_items, self._update_items], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:36]

    def _commit(self) -> Any:
        cancelled = 0
        for attempt in range(self._backoff.attempts):
            self._client_request_token = self.request_token(cancelled)
            try:
                return super()._commit()
            except TransactWriteError as error:
                kind = classify(error)
                if kind not in RETRYABLE:
                    raise
                if attempt == self._backoff.attempts - 1:
                    raise busy(kind, "saving") from error
                if kind in (ErrorKind.CONFLICT, ErrorKind.THROTTLED) and cancellation_codes(error):
                    cancelled += 1
                pause(self._backoff, attempt)
        raise AssertionError("unreachable")  # pragma: no cover


def transact_write(operation: str = "") -> IdempotentTransactWrite:
    """A transaction through the shared connection: `with transact_write("action") as t: t.save(...)`."""
    from shopadmin.dal.tables import transaction_connection

    return IdempotentTransactWrite(connection=transaction_connection(), operation=operation)


MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit per TransactWriteItems: what every packer fills up to


def consecutive_packs(writes: Sequence[T], items_of: Callable[[T], int]) -> list[list[T]]:
    """Consecutive writes in chunks of at most MAX_TRANSACTION_ITEMS transaction items, `items_of`
    counting each write's items (the account packers; the presence and collection packers also
    share items between writes, so they fit their own way)."""
    chunks: list[list[T]] = []
    used = MAX_TRANSACTION_ITEMS
    for write in writes:
        items = items_of(write)
        if used + items > MAX_TRANSACTION_ITEMS:
            chunks.append([])
            used = 0
        chunks[-1].append(write)
        used += items
    return chunks


def commit_packed(operation: str, fill: Callable[[TransactWrite], None]) -> list[int] | Exception | None:
    """Commit one packed transaction that `fill` builds, for callers that settle each packed write on its own.

    None when it applied; when DynamoDB cancelled it for failed conditions, the positions of those
    items (in the order sent: checks, deletes, puts, updates); any other failure (busy after the
    retries, a refused request) is returned, not raised, so it stays with the writes packed here.
    """
    try:
        with transact_write(operation) as transaction:
            fill(transaction)
    except TransactWriteError as error:
        reasons = list(getattr(error, "cancellation_reasons", None) or [])
        failed = [position for position, reason in enumerate(reasons)
                  if reason is not None and reason.code == "ConditionalCheckFailed"]
        return failed or error
    except Exception as error:  # noqa: BLE001 - handed back: it belongs to this transaction's writes only
        return error
    return None


# ---------------------------------------------------------------- batches
M = TypeVar("M", bound=Model)
BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25


def batch_get(model: type[M], keys: Iterable[Any], consistent_read: bool = False,
              attributes_to_get: Sequence[str] | None = None, backoff: Backoff = BATCH_BACKOFF) -> list[M]:
    """BatchGetItem in pages of 100; UnprocessedKeys are asked again after a backoff, a bounded number of times."""
    untyped: Any = model  # PynamoDB's batch helpers are not annotated
    hash_attr = untyped._hash_key_attribute().attr_name
    range_attribute = untyped._range_key_attribute()
    serialized: list[dict[str, Any]] = []
    for key in dict.fromkeys(keys):
        if range_attribute is not None:
            hash_key, range_key = key
            hash_ser, range_ser = model._serialize_keys(hash_key, range_key)
            serialized.append({hash_attr: hash_ser, range_attribute.attr_name: range_ser})
        else:
            hash_ser, _ = model._serialize_keys(key)
            serialized.append({hash_attr: hash_ser})
    found: list[M] = []
    for start in range(0, len(serialized), BATCH_GET_LIMIT):
        pending = serialized[start:start + BATCH_GET_LIMIT]
        attempt = 0
        while pending:
            page, unprocessed = untyped._batch_get_page(pending, consistent_read=consistent_read,
                                                      attributes_to_get=attributes_to_get)
            found.extend(model.from_raw_data(raw) for raw in page)
            pending = list(unprocessed or [])
            if pending:
                if attempt == backoff.attempts - 1:
                    raise busy(ErrorKind.THROTTLED, "reading")
                pause(backoff, attempt)
                attempt += 1
    return found


class BatchWriter:
    """BatchWriteItem in chunks of 25 (PynamoDB's batch_write interface: save, delete).

    UnprocessedItems are sent again after a capped, jittered backoff, a bounded number of times;
    then StorageBusy is raised, so no caller reports success while an item is left unwritten.
    """

    def __init__(self, model: type[Model], backoff: Backoff = BATCH_BACKOFF) -> None:
        self._model = model
        self._backoff = backoff
        self._requests: list[dict[str, Any]] = []

    def save(self, item: Model) -> None:
        connection = self._model._get_connection()
        self._requests.append({"PutRequest": connection.connection.get_item_attribute_map(
            connection.table_name, item.serialize(), pythonic_key=False)})

    def delete(self, item: Model) -> None:
        connection = self._model._get_connection()
        self._requests.append({"DeleteRequest": connection.connection.get_item_attribute_map(
            connection.table_name, _keys(item), item_key="Key", pythonic_key=False)})

    def commit(self) -> None:
        requests, self._requests = self._requests, []
        for start in range(0, len(requests), BATCH_WRITE_LIMIT):
            self._write_chunk(requests[start:start + BATCH_WRITE_LIMIT])

    def _write_chunk(self, pending: list[dict[str, Any]]) -> None:
        connection = self._model._get_connection().connection
        table = self._model.Meta.table_name
        for attempt in range(self._backoff.attempts):
            try:
                data = connection.dispatch("BatchWriteItem", {"RequestItems": {table: pending}})
            except Exception as error:
                kind = classify(error)
                if kind not in RETRYABLE:
                    raise
                if attempt == self._backoff.attempts - 1:
                    raise busy(kind, "saving") from error
                pause(self._backoff, attempt)
                continue
            pending = list((data or {}).get("UnprocessedItems", {}).get(table) or [])
            if not pending:
                return
            if attempt < self._backoff.attempts - 1:
                pause(self._backoff, attempt)
        raise busy(ErrorKind.THROTTLED, "saving")


def _keys(item: Model) -> dict[str, Any]:
    untyped: Any = item
    keys: dict[str, Any] = untyped._get_keys()
    return keys


@contextmanager
def batch_writer(model: type[Model], backoff: Backoff = BATCH_BACKOFF) -> Iterator[BatchWriter]:
    """`with batch_writer(Model) as batch:` like `Model.batch_write()`, with bounded backoff."""
    writer = BatchWriter(model, backoff)
    yield writer
    writer.commit()
