"""The online list and summary over an in-memory index with the dal's semantics."""

from __future__ import annotations

import pytest
from shopadmin.errors import InvalidRequest
from shopadmin.logic.online_list import OnlineListRequest, list_online, summarize
from shopadmin.models.presence import CustomerSnapshot, PresenceState

from tests.fakes import MemoryIndex
from tests.support import BASE_MS

MIN = 60_000
KEY = b"k" * 32  # the cursor signing key (the stack's secret in AWS)




def session(i: int, *, age_min: float = 1, customer: bool = False, website: str = "base", last: str = "Zed",
            email: str | None = None) -> PresenceState:
    at = BASE_MS - int(age_min * MIN)
    snap = CustomerSnapshot("F", last, email or f"user{i}@example.com", None) if customer else CustomerSnapshot()
    return PresenceState(f"v-{i:05d}", website, at, at, None, f"c-{i}" if customer else None, snap)


def all_pages(index, request: OnlineListRequest, websites=None):
    if websites is None:
        websites = {"base"}
    rows, cursor, pages = [], None, 0
    while True:
        page, cursor = list_online(OnlineListRequest(**{**request.__dict__, "cursor": cursor}), index, websites,
                                   BASE_MS, 15, cursor_key=KEY)
        rows.extend(page)
        pages += 1
        if cursor is None:
            return rows, pages


def test_newest_first_across_shards_and_pages_each_row_once():
    index = MemoryIndex()
    for i in range(57):
        index.put(session(i, age_min=i * 0.2))
    rows, pages = all_pages(index, OnlineListRequest(limit=10))
    assert [r.session_id for r in rows] == [f"v-{i:05d}" for i in range(57)]
    assert pages == 6


def test_stale_sessions_are_not_listed_even_when_their_row_still_exists():
    index = MemoryIndex()
    index.put(session(1, age_min=14.9))
    index.put(session(2, age_min=15.5))  # TTL has not removed it yet: read time decides
    rows, _ = list_online(OnlineListRequest(), index, {"base"}, BASE_MS, 15, cursor_key=KEY)
    assert [r.session_id for r in rows] == ["v-00001"]
    rows, _ = list_online(OnlineListRequest(), index, {"base"}, BASE_MS, 30, cursor_key=KEY)
    assert len(rows) == 2


def test_oldest_first_sort():
    index = MemoryIndex()
    for i in range(12):
        index.put(session(i, age_min=i))
    rows, _ = all_pages(index, OnlineListRequest(sort="last_activity", limit=5))
    assert [r.session_id for r in rows] == [f"v-{i:05d}" for i in reversed(range(12))]


def test_filters_by_type_website_and_text():
    index = MemoryIndex()
    index.put(session(1, customer=True, last="Lovelace", email="ada@example.com"))
    index.put(session(2, customer=True, last="Byron", email="bob@example.com", website="fr"))
    index.put(session(3))
    both = {"base", "fr"}
    customers, _ = all_pages(index, OnlineListRequest(type="customer"), both)
    visitors, _ = all_pages(index, OnlineListRequest(type="visitor"), both)
    assert {r.session_id for r in customers} == {"v-00001", "v-00002"}
    assert {r.session_id for r in visitors} == {"v-00003"}
    assert {r.session_id for r in all_pages(index, OnlineListRequest(website_id="fr"), both)[0]} == {"v-00002"}
    assert {r.session_id for r in all_pages(index, OnlineListRequest(q="LOVE"), both)[0]} == {"v-00001"}
    assert {r.session_id for r in all_pages(index, OnlineListRequest(q="bob@"), both)[0]} == {"v-00002"}


def test_sort_by_last_name_and_email_pages_without_repeats():
    index = MemoryIndex()
    names = ["delta", "alpha", "Charlie", "bravo", "echo", "alpha"]
    for i, name in enumerate(names):
        index.put(session(i, customer=True, last=name, email=f"{name}{i}@example.com"))
    rows, _ = all_pages(index, OnlineListRequest(sort="last_name", limit=2))
    assert [r.last_name.lower() for r in rows] == sorted(n.lower() for n in names)
    rows, _ = all_pages(index, OnlineListRequest(sort="-email", limit=4))
    expected = sorted((f"{n}{i}@example.com" for i, n in enumerate(names)), key=str.lower, reverse=True)
    assert [r.email for r in rows] == expected


def test_default_sort_cost_follows_page_size_not_session_count():
    small, large = MemoryIndex(shard_count=8), MemoryIndex(shard_count=8)
    for i in range(200):
        small.put(session(i, age_min=(i % 600) / 50))
    for i in range(20_000):
        large.put(session(i, age_min=(i % 600) / 50))
    list_online(OnlineListRequest(limit=50), small, {"base"}, BASE_MS, 15, cursor_key=KEY)
    list_online(OnlineListRequest(limit=50), large, {"base"}, BASE_MS, 15, cursor_key=KEY)
    assert large.rows_read <= 2 * 51 + 8 * 8  # about a page, plus a few rows per shard
    assert large.rows_read <= small.rows_read * 2


def test_cursor_is_bound_to_its_query():
    index = MemoryIndex()
    for i in range(5):
        index.put(session(i, customer=True))
    _, cursor = list_online(OnlineListRequest(limit=2), index, {"base"}, BASE_MS, 15, cursor_key=KEY)
    with pytest.raises(InvalidRequest):
        list_online(OnlineListRequest(limit=2, type="visitor", cursor=cursor), index, {"base"}, BASE_MS, 15,
                    cursor_key=KEY)
    with pytest.raises(InvalidRequest):
        list_online(OnlineListRequest(cursor="garbage!!"), index, {"base"}, BASE_MS, 15, cursor_key=KEY)


def test_summary_counts_by_type_and_website_inside_the_window():
    index = MemoryIndex()
    index.put(session(1, customer=True))
    index.put(session(2, website="fr"))
    index.put(session(3))
    index.put(session(4, age_min=20))
    summary = summarize(index, {"base", "fr", "de"}, BASE_MS, 15)
    assert summary == {"total": 3, "by_type": {"customer": 1, "visitor": 2},
                       "by_website": {"base": 2, "fr": 1, "de": 0}}


def test_a_cursor_stays_valid_after_the_window_moved():
    index = MemoryIndex()
    for i in range(4):
        index.put(session(i, age_min=1 + i))
    page, cursor = list_online(OnlineListRequest(limit=2), index, {"base"}, BASE_MS, 15, cursor_key=KEY)
    assert len(page) == 2 and cursor
    later, _ = list_online(OnlineListRequest(limit=2, cursor=cursor), index, {"base"}, BASE_MS + 30 * MIN, 15,
                           cursor_key=KEY)
    assert later == []
    lowered, _ = list_online(OnlineListRequest(limit=2, cursor=cursor), index, {"base"}, BASE_MS, 3, cursor_key=KEY)
    assert [r.session_id for r in lowered] == ["v-00002"]  # 3 minutes old: still inside a 3-minute window


def test_cursors_are_signed_with_the_key():
    index = MemoryIndex()
    for i in range(5):
        index.put(session(i))
    _, cursor = list_online(OnlineListRequest(limit=2), index, {"base"}, BASE_MS, 15, cursor_key=KEY)
    with pytest.raises(InvalidRequest):
        list_online(OnlineListRequest(limit=2, cursor=cursor), index, {"base"}, BASE_MS, 15, cursor_key=b"o" * 32)
