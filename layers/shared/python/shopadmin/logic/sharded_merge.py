"""One ordered stream over the partitions of a write-sharded index, read lazily (the online list, the grid).

A write-sharded index spreads one logical order over several partitions. Reading a page in that
order needs each partition's next few keys, merged: every partition's first `chunk` entries are
read at once (side by side), then a partition is read again, twice as much, only when the merge
has consumed all it returned. So the entries read follow the page size plus a few per
partition, never the size of the index.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from shopadmin.logic.concurrency import in_parallel

T = TypeVar("T")
# (entries in index order as (key, item), key to resume after or None when the partition is done)
Page = tuple[list[tuple[str, T]], str | None]
Reader = Callable[[str, str | None, int], Page[T]]  # (partition, resume after, at most) -> Page

MAX_PARALLEL_READS = 16


def first_chunk(limit: int, partitions: Sequence[str]) -> int:
    """Entries to read per partition at first: each holds about 1/len(partitions) of a page, plus a little."""
    return max(2, math.ceil((limit + 1) / max(len(partitions), 1)) + 2)


def merged(partitions: Sequence[str], read: Reader[T], start_after: str | None, limit: int,
           descending: bool) -> Iterator[tuple[str, T]]:
    """Every partition's (key, item) after `start_after`, in key order (descending: reverse), merged lazily."""
    chunk = first_chunk(limit, partitions)

    def stream(partition: str, first: Page[T]) -> Iterator[tuple[str, T]]:
        entries, resume = first
        while True:
            yield from entries
            if resume is None:
                return
            entries, resume = read(partition, resume, chunk * 2)

    firsts = in_parallel(lambda partition: read(partition, start_after, chunk), list(partitions), MAX_PARALLEL_READS)
    return heapq.merge(*(stream(p, f) for p, f in zip(partitions, firsts, strict=True)),
                       key=lambda entry: entry[0], reverse=descending)
