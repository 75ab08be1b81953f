"""Independent store requests issued together instead of one after another.

A Lambda's time on DynamoDB is mostly waiting for answers (5-10 ms each); requests that do not
depend on one another (the summary's per-shard reads, the ingest's writes of unrelated sessions)
overlap their waits in threads. boto3 clients are thread-safe; each task runs in a copy of the
caller's context, so the logger's keys and the tracer's segment follow it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def in_parallel(function: Callable[[T], R], items: Sequence[T], max_workers: int) -> list[R]:
    """`[function(item) for item in items]`, at most `max_workers` at once; results in item order.

    The first item runs alone, in the caller's thread: PynamoDB builds each model's botocore client
    on its first request, and threads starting together would each build their own (a cold
    function's first summary took 7-9 s on the local stack, 16 threads building clients at once).
    Then the others run side by side; inline when there is one worker. An exception of the first
    item is raised at once (the others never start); otherwise the first exception raised by the
    others is raised here once every one of them has ended.
    """
    if not items:
        return []
    if len(items) == 1 or max_workers <= 1:
        return [function(item) for item in items]
    first = function(items[0])
    rest = items[1:]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(rest))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, function, item) for item in rest]
    return [first, *(future.result() for future in futures)]
