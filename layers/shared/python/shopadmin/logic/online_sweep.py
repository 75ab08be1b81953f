"""Sessions that left the online window leave the online indexes (OnlineSweeperFunction, every minute).

Reads never need this for correctness: every list decides "online" at read time. It keeps the
name and email sorts bounded: their keys-only indexes cannot be cut at the window like the
activity index, so a row below the window would be read and dropped by every name-sorted page
until its TTL removes it (DynamoDB's TTL may take days). Each run reads only the rows still in the
activity index below the window, i.e. the sessions that left since the last run: its cost follows
the churn, not the sessions online.

A row taken out comes back with its session's next event. Raising the interval does not bring
swept sessions back into the list (their TTL had passed, or will soon, with the old interval).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Protocol

from shopadmin.logic.concurrency import in_parallel
from shopadmin.logic.online_list import MAX_PARALLEL_SHARD_READS, partitions
from shopadmin.logic.online_window import window_start
from shopadmin.models.online_index import activity_bound

# Sweep a minute below the window: a reader whose clock is a little behind still finds the rows
# at its window's edge (the summary counts that edge from the activity index).
SWEEP_MARGIN_MS = 60_000
# Rows per partition per run: ~2,100 sessions leave a shard per minute at a million online on 32
# shards (docs/scale-model.md); a backlog (first deploy, an outage) drains over a few runs, each
# inside the function's 60 s timeout.
MAX_SWEPT_PER_PARTITION = 5_000


class SweepIndex(Protocol):
    shard_count: int

    def sweep_partition(self, partition: str, below_sk: str, limit: int) -> int: ...


def sweep_online(index: SweepIndex, websites: AbstractSet[str], now_ms: int, interval_minutes: int) -> int:
    """Take every website's rows whose last activity is over a minute before the window out; returns how many."""
    below = activity_bound(window_start(now_ms, interval_minutes) - SWEEP_MARGIN_MS)
    swept = in_parallel(lambda partition: index.sweep_partition(partition, below, MAX_SWEPT_PER_PARTITION),
                        partitions(websites, index.shard_count), MAX_PARALLEL_SHARD_READS)
    return sum(swept)
