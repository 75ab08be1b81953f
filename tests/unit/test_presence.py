"""The presence state machine (SPEC 2.1), pure: no AWS, no clock."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from shopadmin.logic.online_window import is_online, is_signed_in
from shopadmin.logic.presence import apply_event, apply_events, forced_sign_out, note_guest_cart
from shopadmin.models.events import parse_event
from shopadmin.models.presence import CustomerSnapshot

from tests.support import BASE_MS, storefront_event

MIN = 60_000
INTERVAL = 15
ADA = CustomerSnapshot("Ada", "Lovelace", "ada@example.com", "Analytical Ltd")
PROFILES = {"c-1": ADA, "c-2": CustomerSnapshot("Bob", "Byron", "bob@example.com", None)}


def ev(type_, at, session="v-1", customer=None, **kw):
    return parse_event(storefront_event(type_, session, at, customer_id=customer, **kw))


def fold(*events, state=None):
    return apply_events(state, list(events), INTERVAL, PROFILES)


def test_guest_cart_note_is_the_newest_expiry_of_cart_lines_naming_no_customer_in_any_order():
    lifetime = 60
    adds = [ev("cart_item_added", BASE_MS + 5 * MIN, data={"sku": "A"}),
            ev("cart_item_updated", BASE_MS + MIN, data={"sku": "A", "qty": 2}),
            ev("cart_item_added", BASE_MS + 9 * MIN, customer="c-1", data={"sku": "B"}),  # the customer's line
            ev("cart_item_removed", BASE_MS + 8 * MIN, data={"sku": "A"}),  # writes no line
            ev("customer_logged_in", BASE_MS + 7 * MIN, customer="c-1")]
    expected = (BASE_MS + 5 * MIN) // 1000 + lifetime * 60
    for ordering in (adds, adds[::-1], adds[2:] + adds[:2] + adds[:1]):
        row = note_guest_cart(fold(*ordering), ordering, lifetime)
        assert row.guest_cart_until == expected
    fresh = fold(ev("customer_logged_in", BASE_MS, customer="c-1"))
    assert fresh.guest_cart_until == 0  # a new row knows it: nothing written yet
    unknown = fresh.evolve(guest_cart_until=None)  # a row from before the note was kept
    assert note_guest_cart(unknown, adds, lifetime).guest_cart_until is None


def test_page_view_alone_creates_nothing():
    assert fold(ev("page_viewed", BASE_MS)) is None


def test_page_view_changes_nothing_on_an_existing_row():
    row = fold(ev("cart_item_added", BASE_MS, data={"sku": "A"}))
    assert fold(ev("page_viewed", BASE_MS + MIN), state=row) == row


def test_a_cart_event_makes_a_visitor_row():
    row = fold(ev("cart_item_added", BASE_MS, data={"sku": "A"}, url="https://shop.example/cart"))
    assert row.type == "visitor" and row.customer_id is None
    assert row.last_activity == row.session_start == BASE_MS
    assert row.last_url == "https://shop.example/cart"


def test_login_binds_the_customer_and_copies_the_profile():
    row = fold(ev("cart_item_added", BASE_MS, data={"sku": "A"}),
               ev("customer_logged_in", BASE_MS + MIN, customer="c-1"))
    assert row.type == "customer" and row.customer_id == "c-1"
    assert row.customer == ADA
    assert row.session_start == BASE_MS  # same session: the visitor's row became the customer's


def test_logout_hides_the_row_at_once():
    row = fold(ev("customer_logged_in", BASE_MS, customer="c-1"),
               ev("customer_logged_out", BASE_MS + MIN, customer="c-1"))
    assert not row.visible
    assert not is_online(row, BASE_MS + 2 * MIN, INTERVAL)
    assert row.customer_id is None and row.customer == CustomerSnapshot()


def test_activity_after_logout_shows_a_visitor_again():
    row = fold(ev("customer_logged_in", BASE_MS, customer="c-1"),
               ev("customer_logged_out", BASE_MS + MIN, customer="c-1"),
               ev("cart_item_added", BASE_MS + 2 * MIN, data={"sku": "A"}))
    assert row.visible and row.type == "visitor"


def test_late_event_older_than_logout_does_not_bring_the_row_back():
    row = fold(ev("customer_logged_in", BASE_MS, customer="c-1"),
               ev("customer_logged_out", BASE_MS + 2 * MIN, customer="c-1"))
    late = apply_event(row, ev("cart_item_added", BASE_MS + MIN, data={"sku": "A"}), INTERVAL, PROFILES)
    assert not late.visible and late.last_activity == BASE_MS + 2 * MIN


def test_session_older_than_interval_has_ended_and_shows_as_visitor():
    row = fold(ev("customer_logged_in", BASE_MS, customer="c-1"))
    later = apply_event(row, ev("cart_item_added", BASE_MS + 16 * MIN, customer="c-1", data={"sku": "A"}),
                        INTERVAL, PROFILES)
    assert later.type == "visitor" and later.customer_id is None and later.customer == CustomerSnapshot()
    assert later.session_start == BASE_MS + 16 * MIN  # a new visit
    relogged = apply_event(later, ev("customer_logged_in", BASE_MS + 17 * MIN, customer="c-1"), INTERVAL, PROFILES)
    assert relogged.type == "customer"


def test_activity_within_the_interval_keeps_the_customer_session():
    row = fold(ev("customer_logged_in", BASE_MS, customer="c-1"),
               ev("cart_item_added", BASE_MS + 14 * MIN, data={"sku": "A"}),
               ev("cart_item_added", BASE_MS + 28 * MIN, data={"sku": "B"}))
    assert row.type == "customer"


def test_late_event_never_moves_last_activity_backwards_or_overwrites_newer_fields():
    row = fold(ev("cart_item_added", BASE_MS + 5 * MIN, data={"sku": "A"}, url="https://shop.example/new",
                  website_id="fr"))
    late = apply_event(row, ev("cart_item_added", BASE_MS, data={"sku": "B"}, url="https://shop.example/old"),
                       INTERVAL, PROFILES)
    assert late.last_activity == BASE_MS + 5 * MIN
    assert late.last_url == "https://shop.example/new" and late.website_id == "fr"
    assert late.session_start == BASE_MS  # the visit began earlier than first seen


def test_a_replayed_event_changes_nothing():
    login = ev("customer_logged_in", BASE_MS, customer="c-1")
    cart = ev("cart_item_added", BASE_MS + MIN, data={"sku": "A"})
    once = fold(login, cart)
    assert fold(login, cart, login, cart) == once
    assert apply_event(once, cart, INTERVAL, PROFILES) == once


def test_late_login_binds_when_no_newer_binding_exists():
    row = fold(ev("cart_item_added", BASE_MS + MIN, data={"sku": "A"}))
    late_login = apply_event(row, ev("customer_logged_in", BASE_MS, customer="c-1"), INTERVAL, PROFILES)
    assert late_login.customer_id == "c-1" and late_login.last_activity == BASE_MS + MIN


def test_late_logout_does_not_undo_a_newer_login():
    row = fold(ev("customer_logged_in", BASE_MS + 2 * MIN, customer="c-2"))
    late = apply_event(row, ev("customer_logged_out", BASE_MS + MIN, customer="c-1"), INTERVAL, PROFILES)
    assert late.customer_id == "c-2" and late.visible


def test_events_with_equal_timestamps_all_apply():
    row = fold(ev("cart_item_added", BASE_MS, data={"sku": "A"}), ev("customer_logged_in", BASE_MS, customer="c-1"))
    assert row.type == "customer" and row.last_activity == BASE_MS


def test_account_update_changes_no_snapshot_the_account_mirrors_it():
    """SPEC 9: a row shows what the account holds; the account's own write changes the rows."""
    row = fold(ev("customer_logged_in", BASE_MS, customer="c-1"))
    updated = apply_event(row, ev("account_updated", BASE_MS + MIN, customer="c-1",
                                  data={"last_name": "King", "email": "taken@example.com"}), INTERVAL, PROFILES)
    assert updated.customer == ADA  # the event's data never reaches the row
    assert updated.last_activity == BASE_MS + MIN  # it is still activity of the session


def test_online_window_is_inclusive_and_decided_by_the_interval_given():
    row = fold(ev("cart_item_added", BASE_MS, data={"sku": "A"}))
    assert is_online(row, BASE_MS + 15 * MIN, 15)
    assert not is_online(row, BASE_MS + 15 * MIN + 1, 15)
    assert is_online(row, BASE_MS + 15 * MIN + 1, 30)  # a raised interval widens the window at read time


def test_signed_in_needs_a_bound_customer_within_the_interval():
    visitor = fold(ev("cart_item_added", BASE_MS, data={"sku": "A"}))
    customer = fold(ev("customer_logged_in", BASE_MS, customer="c-1"))
    assert not is_signed_in(visitor, BASE_MS, INTERVAL)
    assert is_signed_in(customer, BASE_MS + 15 * MIN, INTERVAL)
    assert not is_signed_in(customer, BASE_MS + 15 * MIN + 1, INTERVAL)


# ------------------------------------------------------------------ convergence
# Within one interval, any arrival order with any replays ends in the same row as in-order delivery.
# (Distinct timestamps: for equal ones the last arrival decides the URL, by design "all apply".)
PRESENCE_TYPES = ["customer_logged_in", "customer_logged_out", "cart_item_added", "cart_item_updated",
                  "order_placed", "wishlist_item_added", "newsletter_subscribed", "page_viewed"]


@st.composite
def session_histories(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    offsets = draw(st.lists(st.integers(min_value=0, max_value=INTERVAL * MIN - 1), min_size=count,
                            max_size=count, unique=True))
    events = []
    for offset in offsets:
        type_ = draw(st.sampled_from(PRESENCE_TYPES))
        customer = draw(st.sampled_from(["c-1", "c-2"]))
        data = {"sku": "A"} if type_.startswith(("cart", "wishlist")) else {}
        if type_ == "order_placed":
            data = {"order_id": "o-1"}
        needs_customer = type_ in ("customer_logged_in", "wishlist_item_added", "newsletter_subscribed")
        events.append(ev(type_, BASE_MS + offset, customer=customer if needs_customer else None, data=data,
                         website_id=draw(st.sampled_from(["base", "fr"]))))
    return events


@settings(max_examples=int(__import__("os").environ.get("PROPERTY_EXAMPLES", "300")), deadline=None)
@given(history=session_histories(), data=st.data())
def test_any_order_and_replays_converge_on_the_in_order_row(history, data):
    assert_any_arrival_gives_the_in_order_row(history, data)


def assert_any_arrival_gives_the_in_order_row(history, data):
    in_order = fold(*sorted(history, key=lambda e: e.occurred_ms))
    arrival = data.draw(st.permutations(history + data.draw(st.lists(st.sampled_from(history), max_size=4))))
    # deliver one event per batch (the hardest case: every event is "late" relative to the row)
    state = None
    for event in arrival:
        state = apply_event(state, event, INTERVAL, PROFILES)
    assert state == in_order


# ------------------------------------------------------------------ convergence over any span (SPEC 10)
SEC = 1000
GAP = INTERVAL * MIN


def test_three_logins_over_more_than_one_interval_give_the_same_row_in_any_order():
    """Issue 23: logins at t, t+7 s and t+15 min 3 s arriving 1st, 3rd, 2nd gave another Session Start."""
    first, second, third = (ev("customer_logged_in", BASE_MS + offset, customer="c-1")
                            for offset in (0, 7 * SEC, 15 * MIN + 3 * SEC))
    in_order = fold(first, second, third)
    assert in_order.session_start == BASE_MS and in_order.customer_id == "c-1"
    state = None
    for event in (first, third, second):
        state = apply_event(state, event, INTERVAL, PROFILES)
    assert state == in_order


def test_a_gap_of_exactly_the_interval_keeps_the_session_one_millisecond_more_ends_it():
    login = ev("customer_logged_in", BASE_MS, customer="c-1")
    kept = fold(login, ev("cart_item_added", BASE_MS + GAP, data={"sku": "A"}))
    assert (kept.customer_id, kept.session_start) == ("c-1", BASE_MS)
    ended = fold(login, ev("cart_item_added", BASE_MS + GAP + 1, data={"sku": "A"}))
    assert (ended.customer_id, ended.session_start) == (None, BASE_MS + GAP + 1)


def test_a_late_event_inside_a_gap_joins_the_runs_on_either_side():
    login = ev("customer_logged_in", BASE_MS, customer="c-1")
    later = ev("cart_item_added", BASE_MS + 20 * MIN, data={"sku": "A"})
    row = fold(login, later)
    assert row.type == "visitor" and row.session_start == BASE_MS + 20 * MIN  # the session had ended
    bridged = apply_event(row, ev("cart_item_added", BASE_MS + 10 * MIN, data={"sku": "B"}), INTERVAL, PROFILES)
    assert bridged.customer_id == "c-1" and bridged.customer == ADA and bridged.session_start == BASE_MS
    assert bridged.last_activity == BASE_MS + 20 * MIN and bridged.last_url == later.url


def test_a_forced_sign_out_voids_earlier_sign_ins_even_when_a_late_event_bridges_to_them():
    row = fold(ev("customer_logged_in", BASE_MS, customer="c-1"),
               ev("cart_item_added", BASE_MS + 20 * MIN, data={"sku": "A"}))
    row = forced_sign_out(fold(ev("customer_logged_in", BASE_MS + 21 * MIN, customer="c-1"), state=row),
                          "c-1", BASE_MS + 22 * MIN)
    assert row is not None and row.customer_id is None and not row.visible
    bridged = apply_event(row, ev("cart_item_added", BASE_MS + 10 * MIN, data={"sku": "B"}), INTERVAL, PROFILES)
    assert bridged.customer_id is None and not bridged.visible


GAPS = st.one_of(st.sampled_from([GAP - 1, GAP, GAP + 1]), st.integers(min_value=1, max_value=GAP - 2),
                 st.integers(min_value=GAP + 2, max_value=3 * GAP))
SPAN_TYPES = ["customer_logged_in", "customer_logged_out", "cart_item_added", "order_placed",
              "wishlist_item_added", "page_viewed"]


@st.composite
def long_session_histories(draw):
    """3-12 events whose gaps hit the interval exactly, one millisecond either side, or anything else,
    spanning at least three intervals."""
    count = draw(st.integers(min_value=3, max_value=12))
    at, times = BASE_MS, [BASE_MS]
    for _ in range(count - 1):
        at += draw(GAPS)
        times.append(at)
    if at - BASE_MS < 3 * GAP:
        times.append(BASE_MS + 3 * GAP + draw(st.integers(min_value=0, max_value=GAP)))
    events = []
    for time in times:
        type_ = draw(st.sampled_from(SPAN_TYPES))
        customer = draw(st.sampled_from(["c-1", "c-2"])) if type_ in ("customer_logged_in", "wishlist_item_added") \
            else None
        data = {"sku": "A"} if type_ in ("cart_item_added", "wishlist_item_added") else {}
        if type_ == "order_placed":
            data = {"order_id": "o-1"}
        events.append(ev(type_, time, customer=customer, data=data))
    return events


@settings(max_examples=int(__import__("os").environ.get("PROPERTY_EXAMPLES", "300")) * 3, deadline=None)
@given(history=long_session_histories(), data=st.data())
def test_any_order_and_replays_over_several_intervals_converge_on_the_in_order_row(history, data):
    assert_any_arrival_gives_the_in_order_row(history, data)


def test_deleting_a_customer_who_left_the_session_earlier_leaves_no_trace_of_it_in_the_runs():
    row = fold(ev("customer_logged_in", BASE_MS, customer="c-1"),
               ev("cart_item_added", BASE_MS + 20 * MIN, data={"sku": "A"}))
    assert row.type == "visitor"
    scrubbed = forced_sign_out(row, "c-1", BASE_MS + 21 * MIN)
    assert scrubbed is not None and scrubbed.type == "visitor" and scrubbed.visible
    assert "c-1" not in repr(scrubbed)
    bridged = apply_event(scrubbed, ev("cart_item_added", BASE_MS + 10 * MIN, data={"sku": "B"}), INTERVAL, PROFILES)
    assert bridged.customer_id is None and bridged.visible  # the late event shows no one signed in
    assert forced_sign_out(row, "c-2", BASE_MS + 21 * MIN) is None  # never this customer's session


# ------------------------------------------------------------------ login/logout times (account_touches)
def test_touches_stamp_logins_and_logouts_with_their_newest_time_in_any_order():
    from shopadmin.logic.presence import account_touches

    events = [ev("customer_logged_in", BASE_MS, customer="c-1"), ev("customer_logged_out", BASE_MS + MIN),
              ev("customer_logged_in", BASE_MS + 2 * MIN, customer="c-2"),
              ev("customer_logged_in", BASE_MS + 3 * MIN, customer="c-1"),
              ev("cart_item_added", BASE_MS + 4 * MIN, data={"sku": "A"})]
    expected = {"c-1": {"last_login_at": BASE_MS + 3 * MIN, "last_logout_at": BASE_MS + MIN},
                "c-2": {"last_login_at": BASE_MS + 2 * MIN}}
    assert account_touches(None, events, INTERVAL, PROFILES) == expected
    assert account_touches(None, list(reversed(events)), INTERVAL, PROFILES) == expected


def test_a_logout_naming_no_one_stamps_the_customer_the_row_showed():
    from shopadmin.logic.presence import account_touches

    row = fold(ev("customer_logged_in", BASE_MS, customer="c-2"))
    assert account_touches(row, [ev("customer_logged_out", BASE_MS + MIN)], INTERVAL, PROFILES) == {
        "c-2": {"last_logout_at": BASE_MS + MIN}}
    assert account_touches(None, [ev("customer_logged_out", BASE_MS + MIN)], INTERVAL, PROFILES) == {}
