"""Now Online's text search (`q`) over the search buckets, in activity order (issue 24 item 3)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from shopadmin.logic.online_list import OnlineListRequest, list_online
from shopadmin.logic.online_sweep import sweep_online
from shopadmin.models.online_index import SEARCH_SHARD_COUNT, online_sort_key, search_partitions, shard_of
from shopadmin.models.presence import CustomerSnapshot, PresenceState

from tests.fakes import MemoryIndex
from tests.support import BASE_MS
from tests.unit.test_online_name_sorts import INTERVAL, MIN, pages

NAMES = [None, "", "Jo", "john", "Joan", "JOHNSON", "Ada", "ada", "Zoë", "Émile", "o'Neil", "van Dijk", "İsmail"]


def state(i: int, *, age_ms: int, first: str | None, last: str | None, email: str | None, customer: bool,
          signed_out: bool = False) -> PresenceState:
    at = BASE_MS - age_ms - i  # distinct times
    snap = CustomerSnapshot(first, last, email, None) if customer else CustomerSnapshot()
    return PresenceState(f"s-{i:04d}", "base", at, at, None, f"c-{i}" if customer else None, snap,
                         bound_at=at if signed_out else 0, signed_out=signed_out)


def expected(rows: list[PresenceState], q: str, sort: str, kind: str | None) -> list[str]:
    """By brute force: online rows with a field starting with q (case-insensitive), in the list's order."""
    found = [s for s in rows if s.visible and s.last_activity >= BASE_MS - INTERVAL * MIN
             and (kind is None or (s.customer_id is not None) == (kind == "customer"))
             and any((v or "").lower().startswith(q.lower())
                     for v in (s.customer.first_name, s.customer.last_name, s.customer.email))]
    if sort.lstrip("-") == "last_activity":
        found.sort(key=lambda s: online_sort_key(s.last_activity, s.session_id), reverse=sort.startswith("-"))
    else:
        found.sort(key=lambda s: ((getattr(s.customer, sort.lstrip("-")) or "").lower(), s.session_id),
                   reverse=sort.startswith("-"))
    return [s.session_id for s in found]


sessions = st.lists(st.tuples(
    st.integers(0, 40 * MIN),  # age: a third of them left the 15-minute window
    st.sampled_from(NAMES), st.sampled_from(NAMES),
    st.sampled_from([None, "jo@example.com", "ada.l@example.com", "zed@example.com", "JOHN@EXAMPLE.COM"]),
    st.booleans(),  # customer
    st.booleans(),  # signed out
), max_size=40)


@settings(max_examples=200, deadline=None)
@given(sessions, st.sampled_from(["j", "jo", "JOH", "a", "ad", "z", "é", "i̇", "v", "x", "john@"]),
       st.sampled_from(["-last_activity", "last_activity", "last_name", "-last_name", "email", "-email"]),
       st.sampled_from([None, "customer", "visitor"]),
       st.integers(1, 7), st.booleans())
def test_every_page_in_order_each_match_once_with_or_without_a_sweep(rows, q, sort, kind, limit, swept):
    index = MemoryIndex(shard_count=3)
    states = [state(i, age_ms=age, first=first, last=last, email=email, customer=customer, signed_out=out)
              for i, (age, first, last, email, customer, out) in enumerate(rows)]
    for s in states:
        index.put(s)
    if swept:
        sweep_online(index, {"base"}, BASE_MS, INTERVAL)
    assert pages(index, OnlineListRequest(q=q, sort=sort, type=kind, limit=limit)) == expected(states, q, sort, kind)


def test_a_customer_sits_once_in_each_bucket_of_its_fields_initials():
    shard = shard_of("s-1", SEARCH_SHARD_COUNT)
    assert search_partitions("base", "s-1", "John", "Johnson", "john@x.io") == (f"base#{shard}#j", None, None)
    assert search_partitions("base", "s-1", "Ada", "Lovelace", "ada@x.io") == (f"base#{shard}#a", f"base#{shard}#l",
                                                                              None)
    assert search_partitions("base", "s-1", None, "", "Zed@x.io") == (None, None, f"base#{shard}#z")


def test_rows_read_follow_the_matches_of_the_page_not_the_crowd():
    small, large = MemoryIndex(shard_count=8), MemoryIndex(shard_count=8)
    for index, count in ((small, 500), (large, 10_000)):
        for i in range(count):
            first = ("John", "Joan", "Ada", "Grace", "Alan", "Tim", "Ken", "Linus", "Guido", "Hedy")[i % 10]
            index.put(state(i, age_ms=MIN, first=first, last=f"L{i % 7}", email=f"{first.lower()}{i}@example.com",
                            customer=i % 5 != 0))
        index.rows_read = 0
        rows, _ = list_online(OnlineListRequest(q="jo", limit=50), index, {"base"}, BASE_MS, INTERVAL,
                              cursor_key=b"k" * 32)
        assert len(rows) == 50
    assert large.rows_read <= 4 * 50  # bucket entries read (a page, plus a few per stream) and the page's rows
    assert large.rows_read <= small.rows_read * 1.5


def test_a_name_sorted_search_reads_its_matches_not_the_window():
    index = MemoryIndex(shard_count=8)
    for i in range(5_000):
        first = ("Zoë", "Ada", "Grace", "Alan", "Tim", "Ken", "Linus", "Guido", "Hedy", "Edsger")[i % 10]
        index.put(state(i, age_ms=MIN, first=first, last=f"L{i % 7}", email=f"{first.lower()}{i}@example.com",
                        customer=True))
    index.rows_read = 0
    rows, cursor = list_online(OnlineListRequest(q="zo", sort="-last_name", limit=50), index, {"base"}, BASE_MS,
                               INTERVAL, cursor_key=b"k" * 32)
    assert len(rows) == 50 and cursor is not None
    assert index.rows_read <= 500 + 51  # the 500 matching entries and the page's rows, not 5,000
