"""How the ingest's presence writes are packed into transactions (dal/presence_store.py::pack): pure, no AWS."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from shopadmin.dal.presence_store import MAX_TRANSACTION_ITEMS, _plan, pack
from shopadmin.logic.presence import apply_events
from shopadmin.models.events import parse_event
from shopadmin.models.presence import CustomerSnapshot, PresenceWrite

from tests.support import BASE_MS, storefront_event

SHARDS = 4
INTERVAL = 15


def write(session: str, customer: str | None, at: int, touched: tuple[str, ...] = ()) -> PresenceWrite:
    event_type = "customer_logged_in" if customer else "cart_item_added"
    event = parse_event(storefront_event(event_type, session, at, customer_id=customer,
                                         data=None if customer else {"sku": "A"}))
    state = apply_events(None, [event], INTERVAL, {customer: CustomerSnapshot("A", "B")} if customer else {})
    assert state is not None
    activity = {c: {"last_login_at": at} for c in (*touched, *([customer] if customer else []))}
    return PresenceWrite(state, None, frozenset([customer]) if customer else frozenset(), activity)


def items_of(chunk) -> int:
    counters = {key for planned in chunk for key in planned.moves}
    return sum(planned.item_count - len(planned.moves) for planned in chunk) + len(counters)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from([None, "c-1", "c-2", "c-3", "c-4"]),
                          st.integers(0, 3_600_000), st.lists(st.sampled_from(["c-5", "c-6"]), max_size=2)),
                min_size=1, max_size=80, unique_by=lambda t: t[0]))
def test_chunks_hold_at_most_100_items_and_never_one_customer_twice(specs):
    planned = [_plan(write(f"v-{s}", customer, BASE_MS + at, tuple(touched)), SHARDS, INTERVAL)
               for s, customer, at, touched in specs]
    chunks = pack(planned)
    assert sorted(p.session_id for chunk in chunks for p in chunk) == sorted(p.session_id for p in planned)
    for chunk in chunks:
        assert items_of(chunk) <= MAX_TRANSACTION_ITEMS
        customers = [c for p in chunk for c in p.checks]
        assert len(customers) == len(set(customers)), customers


def test_sessions_of_different_customers_share_one_transaction_and_its_counter_items():
    planned = [_plan(write(f"v-{n}", f"c-{n}", BASE_MS + n), SHARDS, INTERVAL) for n in range(20)]
    chunks = pack(planned)
    assert [len(chunk) for chunk in chunks] == [20]
    # 20 rows, 20 profile checks, 20 session references, 20 login times, one counter item per shard and minute
    assert items_of(chunks[0]) == 80 + len({key for p in planned for key in p.moves})


def test_two_sessions_of_one_customer_go_to_two_transactions():
    planned = [_plan(write("v-1", "c-1", BASE_MS), SHARDS, INTERVAL),
               _plan(write("v-2", "c-1", BASE_MS + 1), SHARDS, INTERVAL),
               _plan(write("v-3", "c-2", BASE_MS + 2), SHARDS, INTERVAL)]
    assert [[p.session_id for p in chunk] for chunk in pack(planned)] == [["v-1", "v-3"], ["v-2"]]
