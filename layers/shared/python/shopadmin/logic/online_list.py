"""Customers Now Online: the list and the summary (SPEC 2.2), decided at read time.

The indexes are sparse (only visible sessions) and write-sharded per website. The default sort
reads every shard newest first from the online window down, merging lazily: the rows read grow
with the page size, not with the number of sessions. The name and email sorts merge the shards of
their keys-only index the same way and read the rows of the keys they keep: the index may still
hold sessions that left the window (until logic/online_sweep.py takes them out), which are read
and dropped. A text search (`q`) reads the prefix's bucket of the three search indexes: lazily
merged in activity order, or every matching entry (with the search copies it sorts by) in name or
email order; then the page's rows. The summary reads
counters per second (logic/online_counts.py): its cost follows the interval.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from shopadmin.clock import to_iso
from shopadmin.errors import InvalidRequest
from shopadmin.logic.concurrency import in_parallel
from shopadmin.logic.cursor import decode_cursor, encode_cursor
from shopadmin.logic.online_window import window_start
from shopadmin.logic.sharded_merge import MAX_PARALLEL_READS, merged
from shopadmin.logic.sharded_merge import Page as ShardPage
from shopadmin.models.online_index import (
    CUSTOMER_KEYS,
    SEARCH_SHARD_COUNT,
    SEARCH_SLOTS,
    VISITOR_KEYS,
    FieldQuery,
    OnlineQuery,
    SearchEntry,
    SearchQuery,
    activity_bound,
    online_partition,
    online_sort_key,
    parse_search_stream,
    search_initial,
    search_partition,
    search_stream,
)
from shopadmin.models.presence import OnlineRow, PresenceState

OnlineSort = Literal["-last_activity", "last_activity", "last_name", "-last_name", "email", "-email"]
SessionType = Literal["customer", "visitor"]
MAX_PARALLEL_SHARD_READS = MAX_PARALLEL_READS
SEARCH_DRAIN_PAGE = 500  # entries per read when a name or email sorted search reads its whole bucket
K = TypeVar("K")


def _stale_cursor() -> InvalidRequest:
    """A cursor of another list form (issued before an update changed how this order is read)."""
    return InvalidRequest("cursor is not valid", [{"field": "query.cursor",
                                                   "reason": "issued before an update; start from page 1"}])


class OnlineIndex(Protocol):
    shard_count: int

    def query_online(self, query: OnlineQuery) -> tuple[list[PresenceState], str | None]: ...
    def count_online(self, website_id: str, shard: int, window_start_ms: int) -> tuple[int, int]: ...
    def field_keys(self, query: FieldQuery) -> tuple[list[tuple[str, str]], str | None]: ...
    def search_keys(self, query: SearchQuery) -> tuple[list[tuple[str, SearchEntry]], str | None]: ...
    def listed_rows(self, session_ids: list[str]) -> dict[str, PresenceState]: ...


@dataclass(frozen=True)
class OnlineListRequest:
    type: SessionType | None = None
    website_id: str | None = None
    q: str | None = None
    sort: OnlineSort = "-last_activity"
    limit: int = 50
    cursor: str | None = None

    def fingerprint(self) -> dict[str, Any]:
        return {"list": "online-customers", "type": self.type, "website_id": self.website_id,
                "q": (self.q or "").lower(), "sort": self.sort}


def to_row(state: PresenceState) -> OnlineRow:
    snap = state.customer
    return OnlineRow(
        session_id=state.session_id, customer_id=state.customer_id, type=state.type,
        first_name=snap.first_name, last_name=snap.last_name, email=snap.email, company=snap.company,
        website_id=state.website_id, last_activity=to_iso(state.last_activity),
        session_start=to_iso(state.session_start), last_url=state.last_url, assisted_by=state.assisted_by,
    )


def partitions(websites: AbstractSet[str], shard_count: int) -> list[str]:
    return [online_partition(w, shard) for w in sorted(websites) for shard in range(shard_count)]


def list_online(request: OnlineListRequest, index: OnlineIndex, websites: AbstractSet[str], now_ms: int,
                interval_minutes: int, *, cursor_key: bytes) -> tuple[list[OnlineRow], str | None]:
    """One page; a cursor issued earlier stays valid when the window moved (fewer or no rows follow)."""
    if request.website_id:
        websites = websites & {request.website_id}
    parts = partitions(websites, index.shard_count)
    lower = activity_bound(window_start(now_ms, interval_minutes))
    customer_only = None if request.type is None else request.type == "customer"
    position = decode_cursor(request.cursor, request.fingerprint(), cursor_key)
    last: str | list[str] | None
    if request.q:
        rows, last = _search(request, index, websites, window_start(now_ms, interval_minutes), customer_only,
                             position)
    elif request.sort in ("-last_activity", "last_activity"):
        rows, last = _by_activity(request, index, parts, lower, customer_only, position)
    else:
        if position is not None and not isinstance(position, str):
            raise _stale_cursor()
        rows, last = _by_field(request, index, parts, window_start(now_ms, interval_minutes), customer_only,
                               position)
    next_cursor = encode_cursor(request.fingerprint(), last, cursor_key) if last is not None else None
    return [to_row(state) for state in rows], next_cursor


def _sort_key(state: PresenceState) -> str:
    return online_sort_key(state.last_activity, state.session_id)


def _by_activity(request: OnlineListRequest, index: OnlineIndex, parts: list[str], lower: str,
                 customer_only: bool | None, position: str | None) -> tuple[list[PresenceState], str | None]:
    newest_first = request.sort == "-last_activity"

    def read(partition: str, resume: str | None, limit: int) -> ShardPage[PresenceState]:
        rows, next_resume = index.query_online(OnlineQuery(partition, lower, resume, limit, customer_only,
                                                           ascending=not newest_first))
        return [(_sort_key(state), state) for state in rows], next_resume

    page = list(itertools.islice(merged(parts, read, position, request.limit, newest_first), request.limit + 1))
    if len(page) > request.limit:
        kept = page[: request.limit]
        return [state for _, state in kept], kept[-1][0]
    return [state for _, state in page], None


def _by_field(request: OnlineListRequest, index: OnlineIndex, parts: list[str], start_ms: int,
              customer_only: bool | None, position: str | None) -> tuple[list[PresenceState], str | None]:
    """A page in name or email order: the shards' index keys merged lazily, then the kept keys' rows read.

    A key whose row left the window, was hidden by a logout or changed type since the index was
    written is dropped and the next key taken: the rows read follow the page size plus the sessions
    left in the index since the sweeper's last run.
    """
    field = request.sort.lstrip("-")
    ascending = not request.sort.startswith("-")
    key_range = None if customer_only is None else (CUSTOMER_KEYS if customer_only else VISITOR_KEYS)

    def read(partition: str, resume: str | None, limit: int) -> ShardPage[str]:
        return index.field_keys(FieldQuery(partition, field, key_range, resume, limit, ascending))

    def listed(state: PresenceState) -> bool:
        return customer_only is None or (state.customer_id is not None) == customer_only

    return _page_of_rows(merged(parts, read, position, request.limit, not ascending), index, request.limit,
                         start_ms, listed)


def _search(request: OnlineListRequest, index: OnlineIndex, websites: AbstractSet[str], start_ms: int,
            customer_only: bool | None, position: str | list[str] | None
            ) -> tuple[list[PresenceState], str | list[str] | None]:
    """A `q` page from the prefix's bucket of the three search indexes, then the kept entries' rows
    (models/online_index.py::search_partitions). In activity order the bucket's shards are merged
    lazily, so the entries read follow the page; in name or email order every matching entry of
    the bucket is read (they carry the search copies to sort by), never the rest of the window.

    Only customers have a name or email, so a visitor never matches. A row the index shows with an
    old name or activity is checked again on the row itself.
    """
    assert request.q is not None
    prefix = request.q.lower()
    if customer_only is False:
        return [], None
    lower = activity_bound(start_ms)
    initial = search_initial(prefix)
    streams = [search_stream(slot, search_partition(website, shard, initial))
               for website in sorted(websites) for shard in range(SEARCH_SHARD_COUNT) for slot in SEARCH_SLOTS]
    newest_first = request.sort != "last_activity"

    def read(stream: str, resume: str | None, limit: int) -> ShardPage[SearchEntry]:
        slot, partition = parse_search_stream(stream)
        return index.search_keys(SearchQuery(slot, partition, lower, resume, limit, prefix, not newest_first))

    def matches(state: PresenceState) -> bool:
        snap = state.customer
        return state.customer_id is not None and any(
            (value or "").lower().startswith(prefix) for value in (snap.first_name, snap.last_name, snap.email))

    if request.sort in ("-last_activity", "last_activity"):
        if position is not None and not isinstance(position, str):
            raise _stale_cursor()
        keys = ((key, entry.session_id) for key, entry in merged(streams, read, position, request.limit, newest_first))
        return _page_of_rows(keys, index, request.limit, start_ms, matches)
    if position is not None and not isinstance(position, list):
        raise _stale_cursor()
    field = request.sort.lstrip("-")
    descending = request.sort.startswith("-")
    entries: dict[str, SearchEntry] = {}
    for drained in in_parallel(lambda stream: list(merged([stream], read, None, SEARCH_DRAIN_PAGE, True)), streams,
                               MAX_PARALLEL_SHARD_READS):
        entries.update((entry.session_id, entry) for _, entry in drained)

    def order(entry: SearchEntry) -> list[str]:
        return [getattr(entry, field) or "", entry.session_id]

    ordered = sorted(entries.values(), key=order, reverse=descending)
    if position is not None:
        ordered = [e for e in ordered if (order(e) < position if descending else order(e) > position)]
    return _page_of_rows(((order(e), e.session_id) for e in ordered), index, request.limit, start_ms, matches)


def _page_of_rows(keys: Iterator[tuple[K, str]], index: OnlineIndex, limit: int, start_ms: int,
                  listed: Callable[[PresenceState], bool]) -> tuple[list[PresenceState], K | None]:
    """A page from index keys in list order: the rows of the next keys read together, those that
    left the window (not swept yet), were signed out, or no longer pass `listed` dropped, and the
    next keys taken, until the page and one more row are found. A session met twice (the index
    still holding an old key) is listed once."""
    page: list[tuple[K, PresenceState]] = []
    seen: set[str] = set()
    while len(page) <= limit:
        candidates = list(itertools.islice(keys, limit + 1 - len(page)))
        if not candidates:
            break
        rows = index.listed_rows(list(dict.fromkeys(session_id for _, session_id in candidates)))
        for key, session_id in candidates:
            state = rows.get(session_id)
            if state is None or not state.visible or state.last_activity < start_ms or session_id in seen:
                continue
            if listed(state):
                seen.add(session_id)
                page.append((key, state))
    if len(page) > limit:
        kept = page[:limit]
        return [state for _, state in kept], kept[-1][0]
    return [state for _, state in page], None


def summarize(index: OnlineIndex, websites: AbstractSet[str], now_ms: int, interval_minutes: int) -> dict[str, Any]:
    """Counts from the summary's counters (logic/online_counts.py): reads follow the interval, not the crowd."""
    start = window_start(now_ms, interval_minutes)
    shards = [(website, shard) for website in sorted(websites) for shard in range(index.shard_count)]
    counts = in_parallel(lambda place: index.count_online(place[0], place[1], start), shards,
                         MAX_PARALLEL_SHARD_READS)
    by_website: dict[str, int] = dict.fromkeys(websites, 0)
    customers = 0
    for (website, _), (total, customer_count) in zip(shards, counts, strict=True):
        by_website[website] += total
        customers += customer_count
    total = sum(by_website.values())
    return {"total": total, "by_type": {"customer": customers, "visitor": total - customers},
            "by_website": by_website}
