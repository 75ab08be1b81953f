"""SPEC 9: one order for every writer — admin saves and storefront events, newest change by time (issue 23)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.admin_support import api, audit_entries, online_rows
from tests.support import registered, storefront_event

SEC = 1000
MIN = 60 * SEC
_ids = itertools.count()


def _customer(ingest, clock, session):
    """A storefront-registered customer signed in on `session` (its Now Online row mirrors the account)."""
    n = next(_ids)
    cid, email = f"c-{n}", f"first-{n}@example.com"
    assert ingest([registered(session, cid, clock.now_ms - 10 * MIN, email)]) == [False]
    assert ingest([storefront_event("customer_logged_in", session, clock.now_ms - 10 * MIN + 1, customer_id=cid)]) \
        == [False]
    return cid


def _account(cid):
    status, profile, headers = api("GET", f"/customers/{cid}")
    assert status == 200, profile
    return profile["customer"], headers["ETag"]


def _form(customer, **changes):
    keep = ("email", "first_name", "last_name", "website_id", "company", "group_id", "taxvat", "gender")
    return {**{name: customer[name] for name in keep}, **changes}


def _row_matches_account(cid, session):
    customer, _ = _account(cid)
    row = online_rows()[session]
    assert row["customer_id"] == cid
    assert (row["email"], row["first_name"], row["last_name"], row["company"]) == \
        (customer["email"], customer["first_name"], customer["last_name"], customer["company"])


def test_a_late_storefront_change_does_not_undo_an_admin_save(aws, clock, ingest):
    cid = _customer(ingest, clock, "v-1")
    customer, etag = _account(cid)
    status, saved, _ = api("PUT", f"/customers/{cid}", _form(customer, email="fixed@example.com"),
                           headers={"if-match": etag})
    assert status == 200 and saved["version"] == 2
    late = storefront_event("account_updated", "v-1", clock.now_ms - 20 * SEC, customer_id=cid,
                            data={"email": "typo@example.com", "last_name": "Typo"})
    assert ingest([late]) == [False]  # accepted: its older email loses, its last name (never changed later) applies
    customer, _ = _account(cid)
    assert customer["email"] == "fixed@example.com" and customer["last_name"] == "Typo"
    _row_matches_account(cid, "v-1")
    entries = audit_entries(cid)
    by_event = [e for e in entries if e["actor"].startswith("storefront event ")]
    assert [e["changes"] for e in by_event if e["action"] == "customer.updated"] == \
        [{"last_name": {"before": "Lovelace", "after": "Typo"}}]
    assert any(e["actor"] == "admin-1" and "email" in e["changes"] for e in entries)

    replay = ingest([late])  # the same event again: nothing changes, nothing is audited twice
    assert replay == [False] and len(audit_entries(cid)) == len(entries)
    assert _account(cid)[0]["version"] == customer["version"]

    newer = storefront_event("account_updated", "v-1", clock.now_ms + 10 * SEC, customer_id=cid,
                             data={"email": "newest@example.com"})
    assert ingest([newer]) == [False]
    assert _account(cid)[0]["email"] == "newest@example.com"
    _row_matches_account(cid, "v-1")


def test_an_admin_save_older_than_a_field_stamped_ahead_is_refused_whole(aws, clock, ingest):
    cid = _customer(ingest, clock, "v-1")
    ahead = storefront_event("account_updated", "v-1", clock.now_ms + 2 * MIN, customer_id=cid,
                             data={"email": "ahead@example.com"})
    assert ingest([ahead]) == [False]
    customer, etag = _account(cid)
    status, error, _ = api("PUT", f"/customers/{cid}", _form(customer, email="admin@example.com", taxvat="X1"),
                           headers={"if-match": etag})
    assert status == 409 and [d["field"] for d in error["error"]["details"]] == ["body.email"], error
    after, _ = _account(cid)
    assert after == customer  # nothing written, not even taxvat
    status, saved, _ = api("PUT", f"/customers/{cid}", _form(customer, taxvat="X1"), headers={"if-match": etag})
    assert status == 200 and saved["taxvat"] == "X1"  # fields no newer change holds save as usual


def test_the_row_never_shows_what_the_account_refused(aws, clock, ingest):
    mine = _customer(ingest, clock, "v-1")
    other = _customer(ingest, clock, "v-2")
    taken = _account(other)[0]["email"]
    before, _ = _account(mine)
    refused = storefront_event("account_updated", "v-1", clock.now_ms - SEC, customer_id=mine,
                               data={"email": taken, "first_name": "Other"})
    assert ingest([refused]) == [True]  # invalid: the message fails (then the DLQ)
    assert _account(mine)[0] == before
    _row_matches_account(mine, "v-1")
    assert online_rows()["v-1"]["email"] == before["email"]


def test_a_registration_replayed_after_an_admin_save_changes_nothing(aws, clock, ingest):
    cid = _customer(ingest, clock, "v-1")
    customer, etag = _account(cid)
    assert api("PUT", f"/customers/{cid}", _form(customer, first_name="Augusta"), headers={"if-match": etag})[0] == 200
    replay = registered("v-1", cid, clock.now_ms - 10 * MIN, customer["email"], first="Ada")
    assert ingest([replay]) == [False]
    assert _account(cid)[0]["first_name"] == "Augusta"
    _row_matches_account(cid, "v-1")


# ------------------------------------------------------------------ consent
def _subscriptions(cid):
    return api("GET", f"/customers/{cid}")[1]["newsletter"]["subscriptions"]


def _consent(cid, kind, at):
    return storefront_event(kind, "v-1", at, customer_id=cid)


def test_an_older_consent_never_undoes_a_newer_one(aws, clock, ingest):
    cid = _customer(ingest, clock, "v-1")
    t = clock.now_ms - 5 * MIN
    assert ingest([_consent(cid, "newsletter_unsubscribed", t + 2 * SEC)]) == [False]
    assert ingest([_consent(cid, "newsletter_subscribed", t + 1 * SEC)]) == [False]  # late and older
    assert _subscriptions(cid) == {"base": False}

    # the admin's decision now is newer than any of those; a storefront decision before it arriving later loses
    status, state, _ = api("PUT", f"/customers/{cid}/newsletter", {"website_id": "base", "subscribed": True})
    assert status == 200 and state["subscriptions"] == {"base": True}
    assert ingest([_consent(cid, "newsletter_unsubscribed", clock.now_ms - SEC)]) == [False]
    assert _subscriptions(cid) == {"base": True}
    assert ingest([_consent(cid, "newsletter_unsubscribed", clock.now_ms + SEC)]) == [False]  # newer: applies
    assert _subscriptions(cid) == {"base": False}
    # an admin decision older than a storefront one stamped ahead of the server clock is refused
    assert ingest([_consent(cid, "newsletter_subscribed", clock.now_ms + 3 * MIN)]) == [False]
    status, error, _ = api("PUT", f"/customers/{cid}/newsletter", {"website_id": "base", "subscribed": False})
    assert status == 409 and error["error"]["details"][0]["field"] == "body.subscribed", error
    assert _subscriptions(cid) == {"base": True}


# ------------------------------------------------------------------ properties
# One customer, interleaved admin saves (server time = the clock when they arrive) and storefront
# events (their occurred_at, up to 4 minutes ahead of the clock), delivered one by one in any order.
# Expected: per field, the value of the newest change by time (equal times: the later arrival).
FIELDS = ("email", "last_name")


@st.composite
def writer_histories(draw):
    steps = []
    for _ in range(draw(st.integers(min_value=1, max_value=7))):
        kind = draw(st.sampled_from(["admin", "event"]))
        fields = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=2, unique=True))
        advance = draw(st.integers(min_value=0, max_value=30 * SEC))
        offset = draw(st.integers(min_value=-10 * MIN, max_value=4 * MIN))  # event time from the clock
        steps.append((kind, tuple(fields), advance, offset))
    return steps


@settings(max_examples=int(__import__("os").environ.get("PROPERTY_EXAMPLES_AWS", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=writer_histories())
def test_property_account_and_rows_hold_the_newest_change_by_time(aws, clock, ingest, history):
    cid = _customer(ingest, clock, session := f"v-{next(_ids)}")
    newest: dict[str, tuple[int, int, str]] = {}  # field -> (time, arrival, value)
    for arrival, (kind, fields, advance, offset) in enumerate(history):
        clock.advance(seconds=advance / SEC)
        values = {name: (f"{name}-{arrival}-{cid}@example.com" if name == "email" else f"{name}-{arrival}")
                  for name in fields}
        if kind == "admin":
            customer, etag = _account(cid)
            status, body, _ = api("PUT", f"/customers/{cid}", _form(customer, **values), headers={"if-match": etag})
            at = clock.now_ms
            if status == 409:  # only when a field it changes holds a change stamped ahead of the clock
                assert any(newest.get(name, (0,))[0] > at for name in fields), body
                continue
            assert status == 200, body
        else:
            at = clock.now_ms + offset
            event = storefront_event("account_updated", session, at, customer_id=cid, data=values)
            assert ingest([event]) == [False]
        for name, value in values.items():
            if (at, arrival) > newest.get(name, (0, -1, ""))[:2]:
                newest[name] = (at, arrival, value)
    customer, _ = _account(cid)
    for name, (_, _, value) in newest.items():
        assert customer[name] == value, (name, history)
    _row_matches_account(cid, session)


@st.composite
def consent_histories(draw):
    return [(draw(st.sampled_from(["admin", "event"])), draw(st.booleans()),
             draw(st.integers(min_value=0, max_value=30 * SEC)),
             draw(st.integers(min_value=-10 * MIN, max_value=4 * MIN)))
            for _ in range(draw(st.integers(min_value=1, max_value=8)))]


@settings(max_examples=int(__import__("os").environ.get("PROPERTY_EXAMPLES_AWS", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=consent_histories())
def test_property_consent_follows_the_newest_decision_by_time(aws, clock, ingest, history):
    cid = _customer(ingest, clock, session := f"v-{next(_ids)}")
    newest: tuple[int, int, bool] | None = None
    for arrival, (kind, subscribed, advance, offset) in enumerate(history):
        clock.advance(seconds=advance / SEC)
        if kind == "admin":
            at = clock.now_ms
            status, body, _ = api("PUT", f"/customers/{cid}/newsletter", {"website_id": "base",
                                                                          "subscribed": subscribed})
            if status == 409:
                assert newest is not None and newest[0] > at, body
                continue
            assert status == 200, body
        else:
            at = clock.now_ms + offset
            kind_ = "newsletter_subscribed" if subscribed else "newsletter_unsubscribed"
            assert ingest([storefront_event(kind_, session, at, customer_id=cid)]) == [False]
        if newest is None or (at, arrival) > newest[:2]:
            newest = (at, arrival, subscribed)
    assert newest is not None
    assert _subscriptions(cid) == {"base": newest[2]}, history


def test_a_login_racing_with_an_admin_save_shows_the_saved_name(aws, clock, ingest, monkeypatch):
    """The login's batch read the profile, then an admin save landed before the login's row was written:
    the binding's transaction sees the profile moved on, reads it again, and the row shows the saved name."""
    from shopadmin.dal.customer_store import CustomerStore

    cid = _customer(ingest, clock, "v-0")
    customer, etag = _account(cid)
    original = CustomerStore.get_profiles
    raced = []

    def read_then_admin_saves(self, customer_ids):
        found = original(self, customer_ids)
        if cid in customer_ids and not raced:
            raced.append(True)
            status, _, _ = api("PUT", f"/customers/{cid}", _form(customer, first_name="Augusta"),
                               headers={"if-match": etag})
            assert status == 200
        return found

    monkeypatch.setattr(CustomerStore, "get_profiles", read_then_admin_saves)
    assert ingest([storefront_event("customer_logged_in", "v-race", clock.now_ms - 1000, customer_id=cid)]) == [False]
    assert raced and online_rows()["v-race"]["first_name"] == "Augusta"
    _row_matches_account(cid, "v-race")
