"""moto's DynamoDB answering one request at a time, so each request is as atomic as on DynamoDB (issue 24, item 6).

DynamoDB applies every request atomically: two `ADD n :one` updates of one counter never lose an
increment, and a transaction's conditions and writes are one step. moto applies a request as
plain Python (read the item, compute, store it back), so two threads of one process (the
ingest's parallel session groups, the summary's parallel reads, the moto server's request
threads) can interleave inside a request: an increment lost, a condition checked before another
transaction's write and applied after it, or a Query walking a table while an item is added
("dictionary changed size during iteration", an answer of 500).

`install()` wraps moto's DynamoDB request handler (`DynamoHandler.call_action`, the one entry of
both the in-process mock and the server) in one process-wide lock. Only DynamoDB is serialized:
SQS long polls still wait side by side. This changes the emulator only, never what the product
sends; DynamoDB's own concurrency is what the product is written for.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler

_lock = threading.RLock()
_original = DynamoHandler.call_action


def _call_action(self: DynamoHandler) -> Any:
    with _lock:
        return _original(self)


def install() -> None:
    """Idempotent: serialize moto's DynamoDB requests in this process."""
    DynamoHandler.call_action = _call_action  # type: ignore[method-assign]


def uninstall() -> None:
    DynamoHandler.call_action = _original  # type: ignore[method-assign]
