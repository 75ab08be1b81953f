"""Keys of the online-by-activity index: shared by the dal (writes, queries) and logic (cursors)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SORT_KEY_DIGITS = 13  # epoch ms fits 13 digits until the year 2286


def shard_of(session_id: str, shard_count: int) -> int:
    """Stable across processes (unlike hash()): a session always writes to the same shard."""
    digest = hashlib.blake2b(session_id.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % shard_count


def online_partition(website_id: str, shard: int) -> str:
    return f"{website_id}#{shard}"


def online_sort_key(last_activity_ms: int, session_id: str) -> str:
    """Unique and time ordered: "<last_activity ms, 13 digits>#<session_id>"."""
    return f"{last_activity_ms:0{SORT_KEY_DIGITS}d}#{session_id}"


def activity_bound(epoch_ms: int) -> str:
    """Sort-key bound for 'last_activity >= epoch_ms' (every key of that ms sorts above it)."""
    return f"{epoch_ms:0{SORT_KEY_DIGITS}d}#"


@dataclass(frozen=True)
class OnlineQuery:
    """One read of one index partition inside the online window."""

    partition: str
    lower_sk: str  # inclusive: the online window
    resume_sk: str | None  # exclusive: where the previous read stopped, None from the start
    limit: int
    customer_only: bool | None = None  # True: customers, False: visitors, None: both
    q: str | None = None  # case-insensitive prefix of email, first or last name
    ascending: bool = False  # False: newest first
