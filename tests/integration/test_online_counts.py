"""The summary counts from counters that move with the rows (issue 24 item 2, SPEC 2.1/2.2).

Whatever order events arrive in, duplicated or not, and whatever the interval and the clock say,
the summary equals a count over the presence rows by the one online rule
(logic/online_window.py::is_online) — to the millisecond at the window's edge — and it reads the
window's counter items, not the sessions online.
"""

from __future__ import annotations

import itertools
from collections import Counter

import botocore.client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.admin_support import api, online_rows, scan
from tests.integration.lambdas import invoke_http
from tests.support import http_event, registered, storefront_event

SEC = 1000
MIN = 60 * SEC
INTERVAL = 15 * MIN
SHARDS = 4  # ONLINE_SHARD_COUNT of the integration stack
_ids = itertools.count()


def summary() -> dict:
    status, body, _ = api("GET", "/online-customers/summary", scopes="online:read")
    assert status == 200, body
    return body


def counted_by_rows(now_ms: int, interval_minutes: int) -> dict:
    """The brute-force answer: every presence row through the one online rule."""
    from shopadmin import wiring
    from shopadmin.dal.presence_store import to_state
    from shopadmin.dal.tables import PresenceItem
    from shopadmin.logic.online_window import is_online

    wiring.presence_store()  # binds the models to the stack's tables
    online = [state for item in PresenceItem.scan()
              if is_online(state := to_state(item), now_ms, interval_minutes)]
    by_website = Counter(state.website_id for state in online)
    customers = sum(1 for state in online if state.customer_id)
    return {"total": len(online), "by_type": {"customer": customers, "visitor": len(online) - customers},
            "by_website": {"base": by_website["base"], "fr": by_website["fr"]}}


def set_interval(minutes: int) -> None:
    event = http_event("PUT", "/config/online-customers", scopes="config:write", route="PUT /config/online-customers",
                       body={"online_minutes_interval": minutes, "customer_data_lifetime": 60})
    status, body, _ = invoke_http("OnlineConfigFunction", event)
    assert status == 200, body


def counter_values() -> list[int]:
    return [int(value["N"]) for item in scan("CustomersTable") if item["pk"]["S"].startswith("ONLINECOUNT#")
            for name, value in item.items() if len(name) == 3 and name[0] in "cv"]


def test_the_window_edge_is_exact_to_the_millisecond(ingest, clock):
    clock.now_ms += 400  # the window now starts 400 ms into a second: counters alone cannot split it
    start = clock.now_ms - INTERVAL
    times = {"v-before": start - 1, "v-edge": start, "v-edge-late": start + 599, "v-next-second": start + 600,
             "v-now": clock.now_ms}
    for session, at in times.items():
        assert ingest([storefront_event("cart_item_added", session, at, data={"sku": "A"})]) == [False]
    assert summary()["total"] == 4 == len(online_rows())
    clock.now_ms += 1  # v-edge leaves the window
    assert summary()["total"] == 3 == len(online_rows())
    clock.now_ms += 599  # v-edge-late too; the window starts on a whole second again
    assert summary() == counted_by_rows(clock.now_ms, 15)
    assert summary()["total"] == 2 == len(online_rows())


def test_a_login_a_logout_and_a_late_event_move_the_counts(ingest, clock):
    t = clock.now_ms - 5 * MIN
    assert ingest([registered("v-reg", "c-1", t - MIN, "ada@example.com")]) == [False]
    assert ingest([storefront_event("cart_item_added", "v-1", t, data={"sku": "A"})]) == [False]
    assert summary()["by_type"] == {"customer": 1, "visitor": 1}  # v-reg (registered) and v-1
    assert ingest([storefront_event("customer_logged_in", "v-1", t + 1500, customer_id="c-1")]) == [False]
    assert summary()["by_type"] == {"customer": 2, "visitor": 0}
    assert ingest([storefront_event("customer_logged_out", "v-1", t + 3 * SEC, customer_id="c-1")]) == [False]
    assert summary()["by_type"] == {"customer": 1, "visitor": 0}  # a logout hides the row at once
    late = storefront_event("cart_item_added", "v-1", t + 2 * SEC, data={"sku": "B"})
    assert ingest([late]) == [False] and ingest([late]) == [False]  # late and replayed: still hidden
    assert summary() == counted_by_rows(clock.now_ms, 15)
    assert summary()["total"] == 1


def test_the_summary_reads_counters_not_sessions(ingest, clock, monkeypatch):
    clock.now_ms -= clock.now_ms % SEC  # a window starting on a whole second needs no index read at all
    for n in range(40):
        at = clock.now_ms - (n % 14) * MIN - (n * 997) % MIN
        assert ingest([storefront_event("cart_item_added", f"v-{n}", at, website_id=("base", "fr")[n % 2],
                                        data={"sku": "A"})]) == [False]
    read: Counter = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        answer = original(self, operation_name, api_params)
        if operation_name == "Query":
            read[(api_params["TableName"], api_params.get("IndexName"))] += answer["ScannedCount"]
            read["queries"] += 1
        read[operation_name] += operation_name == "Scan"
        return answer

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    assert summary()["total"] == 40
    assert read["Scan"] == 0
    assert read[("PresenceTable", "online-by-activity")] == 0
    # two websites of 4 shards: at most 16 minutes (interval + 1) of counter items each
    assert 0 < read[("CustomersTable", None)] <= 2 * SHARDS * 16


# ------------------------------------------------------------------ property
KINDS = st.sampled_from(["login", "logout", "add", "add", "view"])
SESSIONS = [("s-a", "base"), ("s-b", "base"), ("s-c", "fr")]


@st.composite
def histories(draw):
    """Events of three sessions over up to three intervals, at any millisecond; an arrival order with replays."""
    events = []
    for session, website in SESSIONS:
        for kind in draw(st.lists(KINDS, min_size=1, max_size=6)):
            events.append((session, website, kind, draw(st.integers(min_value=0, max_value=3 * INTERVAL))))
    arrival = draw(st.permutations(range(len(events))))
    replays = draw(st.lists(st.integers(min_value=0, max_value=len(events) - 1), max_size=3))
    # (interval, clock) pairs; the clock moves on by more than the config cache's 5 s between reads
    steps = draw(st.lists(st.tuples(st.sampled_from([1, 15, 40]), st.integers(min_value=6 * SEC, max_value=20 * MIN)),
                          min_size=1, max_size=3))
    reads, later = [], 0
    for interval, step in steps:
        later += step
        reads.append((interval, later))
    return events, list(arrival) + replays, reads


@settings(max_examples=int(__import__("os").environ.get("PROPERTY_EXAMPLES_AWS", "20")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=histories())
def test_property_the_summary_equals_a_count_over_the_rows(ingest, clock, drawn):
    events, arrival, reads = drawn
    n = next(_ids)
    base_now = clock.now_ms
    start = base_now - 3 * INTERVAL
    cid = f"c-{n}"
    assert ingest([registered(f"v-reg-{n}", cid, start - MIN, f"{cid}@example.com")]) == [False]
    bodies = []
    for session, website, kind, offset in events:
        session_id, at = f"{session}-{n}", start + offset
        if kind == "login":
            bodies.append(storefront_event("customer_logged_in", session_id, at, customer_id=cid, website_id=website))
        elif kind == "logout":
            bodies.append(storefront_event("customer_logged_out", session_id, at, website_id=website))
        elif kind == "add":
            bodies.append(storefront_event("cart_item_added", session_id, at, website_id=website,
                                           data={"sku": f"S{offset}"}))
        else:
            bodies.append(storefront_event("page_viewed", session_id, at, website_id=website))
    for position, index in enumerate(arrival):
        ingest([bodies[index]])  # an event may be refused (a login on fr for a base customer): never counted
        if position == len(arrival) // 2:
            assert summary() == counted_by_rows(clock.now_ms, 15)
    try:
        for interval, later in reads:
            set_interval(interval)
            clock.now_ms = base_now + later
            assert summary() == counted_by_rows(clock.now_ms, interval), (events, arrival, interval, later)
    finally:
        set_interval(15)
        clock.now_ms = base_now + 2 * 40 * MIN  # the next example starts past the config cache
    assert min(counter_values(), default=0) >= 0
