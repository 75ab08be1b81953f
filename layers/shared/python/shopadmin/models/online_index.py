"""Keys of the online indexes (by activity, by last name, by email, the search buckets): shared by the dal and logic."""

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


# The name and email indexes (sorts `last_name`, `email`): "<type><text>#<session_id>", where the type
# digit puts visitors ("0", no name or email) before customers ("1") in ascending order, as an empty
# value sorts first, and lets a type filter read one key range. Only the first bytes sort (a key
# holds at most 1,024 bytes).
FIELD_KEY_TEXT_BYTES = 400
VISITOR_KEYS = ("0", "1")  # [lower, upper) of the visitors' keys
CUSTOMER_KEYS = ("1", "2")


def field_key_text(value: str | None) -> str:
    """Lower-cased, cut to FIELD_KEY_TEXT_BYTES of UTF-8 on a character boundary."""
    return (value or "").lower().encode("utf-8")[:FIELD_KEY_TEXT_BYTES].decode("utf-8", "ignore")


def field_sort_key(value: str | None, session_id: str, is_customer: bool) -> str:
    """Unique and ordered by the value: "1<value, lower case>#<session_id>" ("0#<session_id>" for a visitor)."""
    if not is_customer:
        return f"0#{session_id}"
    return f"1{field_key_text(value)}#{session_id}"


@dataclass(frozen=True)
class FieldQuery:
    """One read of one partition of the last-name or email index: keys only, in the index's order."""

    partition: str
    field: str  # "last_name" or "email"
    key_range: tuple[str, str] | None  # [lower, upper) of the keys read (a type filter), None: every key
    resume_key: str | None  # exclusive: where the previous read stopped
    limit: int
    ascending: bool = True


@dataclass(frozen=True)
class OnlineQuery:
    """One read of one index partition inside the online window."""

    partition: str
    lower_sk: str  # inclusive: the online window
    resume_sk: str | None  # exclusive: where the previous read stopped, None from the start
    limit: int
    customer_only: bool | None = None  # True: customers, False: visitors, None: both
    ascending: bool = False  # False: newest first


# The search indexes (`q` with the activity sorts): a customer's row is in bucket "<website>#<shard>#<c>"
# for each distinct first character c of its first name, last name and email (lower case), in slot
# 1, 2 or 3 of the field that first has it — one GSI per slot, since an item sits in one partition
# per index. So a prefix starting with c reads bucket c of the three indexes and meets each
# customer at most once; "John Johnson, john@…" moves one entry per event, "Ada Lovelace, ada@…" two.
# a bucket with 10% of 10,000 events/s takes 2,000 index writes/s: 500 per shard (a partition takes 1,000)
SEARCH_SHARD_COUNT = 4
SEARCH_SLOTS = (1, 2, 3)  # first name, last name, email


def search_initial(text: str) -> str:
    """The bucket of a value or of a searched prefix: its first character, lower case."""
    return text.lower()[:1]


def search_partition(website_id: str, shard: int, initial: str) -> str:
    return f"{website_id}#{shard}#{initial}"


def search_partitions(website_id: str, session_id: str, first_name: str | None, last_name: str | None,
                      email: str | None) -> tuple[str | None, str | None, str | None]:
    """The row's search partition per slot (None: not in that index)."""
    shard = shard_of(session_id, SEARCH_SHARD_COUNT)
    seen: set[str] = set()
    slots: list[str | None] = []
    for value in (first_name, last_name, email):
        initial = search_initial(value or "")
        if initial and initial not in seen:
            seen.add(initial)
            slots.append(search_partition(website_id, shard, initial))
        else:
            slots.append(None)
    return slots[0], slots[1], slots[2]


def search_stream(slot: int, partition: str) -> str:
    """One partition of one search index, as the sharded merge names it: "<slot>|<partition>"."""
    return f"{slot}|{partition}"


def parse_search_stream(stream: str) -> tuple[int, str]:
    slot, partition = stream.split("|", 1)
    return int(slot), partition


@dataclass(frozen=True)
class SearchEntry:
    """One entry of a search index: its session and the projected search copies (lower case)."""

    session_id: str
    first_name: str | None
    last_name: str | None
    email: str | None


@dataclass(frozen=True)
class SearchQuery:
    """One read of one partition of a search index inside the online window, in activity order."""

    slot: int
    partition: str
    lower_sk: str  # inclusive: the online window
    resume_sk: str | None  # exclusive: where the previous read stopped
    limit: int
    prefix: str  # lower case
    ascending: bool = False
