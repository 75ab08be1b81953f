"""logic/online_counts.py: where a row is counted, how a write moves it, and what a window reads of a minute."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shopadmin.logic.online_counts import (
    CounterKey,
    add_moves,
    count_attribute,
    count_moves,
    counted_at,
    counted_in_window,
    first_counted_second,
    parse_count_attribute,
    window_edge,
)
from shopadmin.models.online_index import shard_of
from shopadmin.models.presence import PresenceState

MINUTE = 1_795_000_020_000  # a whole minute (epoch ms)


def state(at: int, customer: str | None = None, **changes) -> PresenceState:
    return PresenceState(session_id="v-1", website_id="base", last_activity=at, session_start=at,
                         customer_id=customer, **changes)


def test_a_row_is_counted_in_its_minute_second_and_type():
    key, attribute = counted_at(state(MINUTE + 7_999, "c-1"), 4)
    assert key == CounterKey("base", shard_of("v-1", 4), MINUTE)
    assert attribute == "c07"
    assert counted_at(state(MINUTE + 59_999), 4)[1] == "v59"
    assert counted_at(None, 4) is None
    # a logout hides the row: it counts nowhere until a later event shows it again
    assert counted_at(state(MINUTE, "c-1", signed_out=True, bound_at=MINUTE), 4) is None


def test_a_write_moves_one_session_and_nets_out_what_did_not_move():
    before, after = state(MINUTE + 1_000), state(MINUTE + 61_500, "c-1")
    key_before, key_after = counted_at(before, 4)[0], counted_at(after, 4)[0]
    assert count_moves(before, after, 4) == {key_before: {"v01": -1}, key_after: {"c01": 1}}
    assert count_moves(before, state(MINUTE + 1_999), 4) == {}  # same second, same type: no counter write
    assert count_moves(None, before, 4) == {key_before: {"v01": 1}}
    assert count_moves(before, state(MINUTE + 2_000, signed_out=True, bound_at=MINUTE + 2_000), 4) == \
        {key_before: {"v01": -1}}


def test_moves_add_up_across_rows():
    total: dict = {}
    for at in (MINUTE, MINUTE + 10, MINUTE + 1_000):
        add_moves(total, count_moves(None, state(at), 1))
    assert total == {CounterKey("base", 0, MINUTE): {"v00": 2, "v01": 1}}


@pytest.mark.parametrize(("start", "first", "edge"), [
    (MINUTE + 5_000, MINUTE + 5_000, None),  # a whole second: its counters count whole
    (MINUTE + 5_001, MINUTE + 6_000, (MINUTE + 5_001, MINUTE + 6_000)),
    (MINUTE + 59_500, MINUTE + 60_000, (MINUTE + 59_500, MINUTE + 60_000)),
])
def test_the_window_counts_whole_seconds_from_its_start_and_leaves_the_part_second_to_the_index(start, first, edge):
    assert first_counted_second(start) == first
    assert window_edge(start) == edge


def test_a_minute_item_counts_the_seconds_inside_the_window_and_ignores_other_attributes():
    item = {"pk": "ONLINECOUNT#0#base", "kind": "online_count", "expires_at": "123", "c04": "2", "v05": "3",
            "c06": "1", "v59": "4"}
    assert counted_in_window(MINUTE, item, MINUTE) == (10, 3)
    assert counted_in_window(MINUTE, item, MINUTE + 5_000) == (8, 1)  # from second 5 on
    assert counted_in_window(MINUTE, item, MINUTE + 4_001) == (8, 1)  # second 4 is cut: the index counts it
    assert counted_in_window(MINUTE, item, MINUTE + 59_001) == (0, 0)
    assert counted_in_window(MINUTE + 60_000, item, MINUTE + 59_001) == (10, 3)  # a later minute counts whole


@given(customer=st.booleans(), second=st.integers(min_value=0, max_value=59))
def test_counter_attributes_round_trip(customer, second):
    assert parse_count_attribute(count_attribute(customer, second)) == (customer, second)


@pytest.mark.parametrize("name", ["pk", "sk", "kind", "c60", "x01", "c1", "c001", "expires_at"])
def test_other_attributes_are_not_counters(name):
    assert parse_count_attribute(name) is None
