"""Admin actions, pure parts: assisted login and forced sign-out in the presence state machine,
secrets, the reset rate limit, audit redaction and deletion paging (fake ports, no AWS)."""

from __future__ import annotations

import pytest
from shopadmin.errors import RateLimited, TooManyRequests, Unavailable
from shopadmin.logic import credentials, customer_deletion
from shopadmin.logic.online_window import is_online, is_signed_in
from shopadmin.logic.presence import apply_events, assisted_login, forced_sign_out
from shopadmin.models.credentials import CustomerFacts
from shopadmin.models.events import parse_event
from shopadmin.models.presence import CustomerSnapshot

from tests.fakes import FakeBus, FakeDeletion, NoSessions
from tests.support import BASE_MS, storefront_event

MIN = 60_000
INTERVAL = 15
ADA = CustomerSnapshot("Ada", "Lovelace", "ada@example.com", None)
PROFILES = {"c-1": ADA}


def ev(type_, at, session="v-1", customer=None, **kw):
    return parse_event(storefront_event(type_, session, at, customer_id=customer, **kw))


def fold(state, *events):
    return apply_events(state, list(events), INTERVAL, PROFILES)


def assisted(state=None, at=BASE_MS, session="v-1"):
    return assisted_login(state, session_id=session, website_id="base", customer_id="c-1", snapshot=ADA,
                          admin="admin-7", at=at, interval_minutes=INTERVAL)


# ------------------------------------------------------------------ presence
def test_assisted_login_creates_an_online_customer_row_assisted_by_the_admin():
    row = assisted()
    assert row.type == "customer" and row.assisted_by == "admin-7" and row.customer == ADA
    assert is_signed_in(row, BASE_MS, INTERVAL)


def test_assisted_login_turns_a_visitor_row_into_the_customers_row():
    visitor = fold(None, ev("cart_item_added", BASE_MS - MIN, data={"sku": "A"}))
    row = assisted(visitor)
    assert row.customer_id == "c-1" and row.session_start == visitor.session_start
    assert row.last_activity == BASE_MS


def test_assisted_login_after_the_interval_is_a_new_visit():
    old = fold(None, ev("cart_item_added", BASE_MS - 20 * MIN, data={"sku": "A"}))
    assert assisted(old).session_start == BASE_MS


def test_a_later_storefront_logout_ends_the_assisted_session():
    row = fold(assisted(), ev("customer_logged_out", BASE_MS + MIN, customer="c-1"))
    assert row.customer_id is None and not is_online(row, BASE_MS + MIN, INTERVAL)


def test_forced_sign_out_hides_the_row_and_clears_the_customer():
    row = fold(None, ev("customer_logged_in", BASE_MS - MIN, customer="c-1"))
    out = forced_sign_out(row, "c-1", BASE_MS)
    assert out.customer_id is None and out.customer == CustomerSnapshot() and out.assisted_by is None
    assert not is_online(out, BASE_MS, INTERVAL) and not is_signed_in(out, BASE_MS, INTERVAL)
    assert out.bound_at == BASE_MS


def test_forced_sign_out_ignores_sessions_of_someone_else():
    row = fold(None, ev("customer_logged_in", BASE_MS - MIN, customer="c-2"))
    assert forced_sign_out(row, "c-1", BASE_MS) is None
    assert forced_sign_out(None, "c-1", BASE_MS) is None


def test_a_login_older_than_the_forced_sign_out_never_binds_again():
    row = fold(None, ev("customer_logged_in", BASE_MS - 2 * MIN, customer="c-1"))
    out = forced_sign_out(row, "c-1", BASE_MS)
    late = fold(out, ev("customer_logged_in", BASE_MS - 1, customer="c-1"))
    assert late.customer_id is None and not is_signed_in(late, BASE_MS, INTERVAL)
    again = fold(out, ev("customer_logged_in", BASE_MS + 1, customer="c-1"))
    assert again.customer_id == "c-1" and is_signed_in(again, BASE_MS + 1, INTERVAL)


def test_forced_sign_out_also_covers_activity_stamped_ahead_of_now():
    row = fold(None, ev("customer_logged_in", BASE_MS + MIN, customer="c-1"))  # storefront clock ahead
    assert not forced_sign_out(row, "c-1", BASE_MS).visible


# ------------------------------------------------------------------ secrets and the rate limit
def test_secrets_are_random_and_only_their_hash_is_kept():
    a, b = credentials.new_secret(), credentials.new_secret()
    assert a != b and len(a) >= 40
    assert credentials.secret_hash(a) == credentials.secret_hash(a) != a
    assert len(credentials.secret_hash(a)) == 64


class FakeStore:
    def __init__(self, rate_limited_at=None):
        self.rate_limited_at = rate_limited_at
        self.withdrawn = []

    def customer(self, customer_id):
        return CustomerFacts(customer_id, "base", True, ADA, ADA.email)

    def issue_password_reset(self, issued, audit, allowed_if_last_before):
        if self.rate_limited_at is not None and not self.rate_limited_at < allowed_if_last_before:
            raise RateLimited(self.rate_limited_at)

    def withdraw_password_reset(self, issued, audit):
        self.withdrawn.append(issued)




def test_a_second_reset_within_10_minutes_says_when_to_retry():
    store = FakeStore(rate_limited_at=BASE_MS - 4 * MIN)
    with pytest.raises(TooManyRequests) as refused:
        credentials.request_password_reset("c-1", store, FakeBus(), "admin-1", BASE_MS)
    assert refused.value.status == 429 and refused.value.retry_after_seconds == 6 * 60 + 1


def test_the_reset_token_goes_only_into_the_event_and_never_into_the_answer():
    bus = FakeBus()
    answer = credentials.request_password_reset("c-1", FakeStore(), bus, "admin-1", BASE_MS)
    ((detail_type, detail),) = bus.sent
    assert detail_type == "customer.password_reset_requested" and len(detail["token"]) >= 40
    assert detail["token"] not in answer.model_dump_json()


def test_a_reset_whose_event_fails_is_withdrawn():
    store = FakeStore()
    with pytest.raises(Unavailable):
        credentials.request_password_reset("c-1", store, FakeBus(fail=True), "admin-1", BASE_MS)
    assert len(store.withdrawn) == 1


# ------------------------------------------------------------------ deletion
def test_redaction_keeps_field_names_and_drops_values():
    changes = {"email": {"before": None, "after": "ada@example.com"}, "addresses.a1": {"before": {"city": "X"},
                                                                                         "after": None}}
    assert customer_deletion.redact_changes(changes) == {
        "email": {"before": None, "after": "[redacted]"}, "addresses.a1": {"before": "[redacted]", "after": None}}
    assert customer_deletion.redact_changes({}) == {}






def run_delete(store, bus, has_time):
    return customer_deletion.delete_customer("c-1", store, lambda _: [], NoSessions(), bus, "admin-1", BASE_MS,
                                             INTERVAL, has_time)


def test_deletion_makes_progress_one_page_per_call_when_time_is_short(monkeypatch):
    monkeypatch.setattr(customer_deletion, "PAGE_SIZE", 2)
    store, bus = FakeDeletion([f"I{n}" for n in range(5)], ["A1", "A2"], profile=True), FakeBus()
    results = []
    while not results or results[-1] is False:
        results.append(run_delete(store, bus, has_time=lambda: False))
        assert len(results) < 20
    # partition pages: I0-I1, I2-I3, I4 (done); audit pages: A1-A2, then an empty page (done)
    assert results == [False, False, False, False, True]
    assert store.finished and [t for t, _ in bus.sent] == ["customer.deleted"]
    with pytest.raises(customer_deletion.NotFound):
        run_delete(store, bus, has_time=lambda: True)


def test_deletion_finishes_in_one_call_with_time_to_spare(monkeypatch):
    monkeypatch.setattr(customer_deletion, "PAGE_SIZE", 2)
    store = FakeDeletion([f"I{n}" for n in range(5)], ["A1"])
    assert run_delete(store, FakeBus(), has_time=lambda: True) is True


def test_deleting_an_unknown_customer_is_not_found_and_starts_nothing():
    store = FakeDeletion([], [], profile=False)
    with pytest.raises(customer_deletion.NotFound):
        run_delete(store, FakeBus(), has_time=lambda: True)
    assert store.job("c-1") is None and store.pages == 0
