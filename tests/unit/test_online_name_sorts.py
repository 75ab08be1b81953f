"""Name and email sorts over their keys-only indexes, and the sweeper that keeps them bounded (issue 24 item 3)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from shopadmin.logic.online_list import OnlineListRequest, list_online
from shopadmin.logic.online_sweep import SWEEP_MARGIN_MS, sweep_online
from shopadmin.models.online_index import field_sort_key
from shopadmin.models.presence import CustomerSnapshot, PresenceState

from tests.fakes import MemoryIndex
from tests.support import BASE_MS

MIN = 60_000
KEY = b"k" * 32
INTERVAL = 15


def state(i: int, *, age_ms: int, name: str | None, customer: bool, signed_out: bool = False) -> PresenceState:
    at = BASE_MS - age_ms
    snap = CustomerSnapshot("F", name, f"{(name or 'x').lower()}{i % 3}@example.com", None) if customer \
        else CustomerSnapshot()
    return PresenceState(f"s-{i:04d}", "base", at, at, None, f"c-{i}" if customer else None, snap,
                         bound_at=at if signed_out else 0, signed_out=signed_out)


def pages(index: MemoryIndex, request: OnlineListRequest, now_ms: int = BASE_MS) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        rows, cursor = list_online(OnlineListRequest(**{**request.__dict__, "cursor": cursor}), index, {"base"},
                                   now_ms, INTERVAL, cursor_key=KEY)
        seen += [r.session_id for r in rows]
        if cursor is None:
            return seen


def expected(rows: list[PresenceState], sort: str, kind: str | None, now_ms: int = BASE_MS) -> list[str]:
    field = sort.lstrip("-")
    online = [s for s in rows if s.visible and s.last_activity >= now_ms - INTERVAL * MIN
              and (kind is None or (s.customer_id is not None) == (kind == "customer"))]
    online.sort(key=lambda s: field_sort_key(getattr(s.customer, field), s.session_id, s.customer_id is not None),
                reverse=sort.startswith("-"))
    return [s.session_id for s in online]


sessions = st.lists(st.tuples(
    st.integers(0, 40 * MIN),  # age: a third of them left the 15-minute window
    st.sampled_from([None, "", "Ng", "ng", "Nguyen", "Ada", "ada", "Zoë", "o'Neil", "van Dijk", "#x"]),
    st.booleans(),  # customer
    st.booleans(),  # signed out
), max_size=40)


@settings(max_examples=150, deadline=None)
@given(sessions, st.sampled_from(["last_name", "-last_name", "email", "-email"]),
       st.sampled_from([None, "customer", "visitor"]), st.integers(1, 7), st.booleans())
def test_every_page_in_order_each_online_row_once_with_or_without_a_sweep(rows, sort, kind, limit, swept):
    index = MemoryIndex(shard_count=3)
    states = [state(i, age_ms=age, name=name, customer=customer, signed_out=out)
              for i, (age, name, customer, out) in enumerate(rows)]
    for s in states:
        index.put(s)
    if swept:
        sweep_online(index, {"base"}, BASE_MS, INTERVAL)
    assert pages(index, OnlineListRequest(sort=sort, type=kind, limit=limit)) == expected(states, sort, kind)


def test_visitors_sort_before_customers_ascending_and_after_them_descending():
    index = MemoryIndex()
    for s in (state(1, age_ms=MIN, name="Byron", customer=True), state(2, age_ms=MIN, name=None, customer=False),
              state(3, age_ms=MIN, name="Ada", customer=True)):
        index.put(s)
    assert pages(index, OnlineListRequest(sort="last_name")) == ["s-0002", "s-0003", "s-0001"]
    assert pages(index, OnlineListRequest(sort="-last_name")) == ["s-0001", "s-0003", "s-0002"]
    assert pages(index, OnlineListRequest(sort="last_name", type="customer")) == ["s-0003", "s-0001"]


def test_rows_read_follow_the_page_not_the_crowd_once_swept():
    small, large = MemoryIndex(shard_count=8), MemoryIndex(shard_count=8)
    for index, count in ((small, 200), (large, 8_000)):
        for i in range(count):
            # half of them left the window a while ago (their rows wait for TTL)
            index.put(state(i, age_ms=(i % 2) * 30 * MIN + MIN, name=f"N{i:05d}", customer=True))
        assert sweep_online(index, {"base"}, BASE_MS, INTERVAL) == count // 2
        index.rows_read = 0
        list_online(OnlineListRequest(sort="last_name", limit=50), index, {"base"}, BASE_MS, INTERVAL, cursor_key=KEY)
    assert large.rows_read <= 4 * 50  # keys (a page, plus a few per shard) and the page's rows
    assert large.rows_read <= small.rows_read * 1.5


def test_unswept_stale_rows_are_read_and_dropped():
    index = MemoryIndex(shard_count=1)
    index.put(state(1, age_ms=20 * MIN, name="Ada", customer=True))  # left the window; not swept yet
    index.put(state(2, age_ms=MIN, name="Byron", customer=True))
    assert pages(index, OnlineListRequest(sort="last_name", limit=1)) == ["s-0002"]


def test_the_sweep_keeps_a_minute_below_the_window_and_everything_inside():
    index = MemoryIndex(shard_count=2)
    window = INTERVAL * MIN
    index.put(state(1, age_ms=window + SWEEP_MARGIN_MS - 1, name="Ada", customer=True))  # within the margin
    index.put(state(2, age_ms=window + SWEEP_MARGIN_MS + 1, name="Bo", customer=True))
    index.put(state(3, age_ms=MIN, name="Cy", customer=True))
    assert sweep_online(index, {"base"}, BASE_MS, INTERVAL) == 1
    left = {s.session_id for rows in index.partitions.values() for s in rows}
    assert left == {"s-0001", "s-0003"}
    assert sweep_online(index, {"base"}, BASE_MS, INTERVAL) == 0  # a second run finds nothing to do
