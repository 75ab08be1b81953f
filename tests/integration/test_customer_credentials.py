"""Login as Customer, Force Sign-In and Reset Password (SPEC 3.3) against moto, one rule per test."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest
from shopadmin import wiring
from shopadmin.clock import to_iso
from shopadmin.logic import credentials
from shopadmin.logic.credentials import NotRedeemable

from tests.integration.admin_support import (
    api,
    audit_entries,
    new_customer,
    online_rows,
    scan,
    session_check,
)
from tests.support import storefront_event

MIN = 60_000
ASSIST = "customers:assist"
CREDENTIALS = "customers:credentials"


def login_as(cid, *, sub="admin-1", scopes=ASSIST):
    return api("POST", f"/customers/{cid}/login-as", scopes=scopes, sub=sub)


def redeem(secret, session_id=None, *, website_id=None):
    body = {"secret": secret, **({"session_id": session_id} if session_id else {})}
    claims = {"website_id": website_id} if website_id else None
    return api("POST", "/storefront/login-as/redeem", body, scopes="sessions:write", sub="storefront-base",
               claims=claims)


def started_secret(cid, **kw):
    status, body, headers = login_as(cid, **kw)
    assert status == 201, body
    assert headers.get("Cache-Control") == "no-store"
    return body["secret"]


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def holds(items: list[dict], needle: str) -> bool:
    return needle in json.dumps(items)


# ------------------------------------------------------------------ Login as Customer
def test_login_as_is_refused_without_the_customers_consent(aws, clock, bus):
    cid = new_customer(assist=False)
    status, error, _ = login_as(cid)
    assert status == 403
    assert error["error"]["details"][0]["field"] == "customer.allow_remote_assistance"
    assert not [i for i in scan(aws["tables"]["CustomersTable"]) if i["pk"]["S"].startswith("LOGINAS#")]
    assert not bus.of_type("customer.login_as_started")


def test_login_as_needs_the_assist_scope(aws, clock):
    cid = new_customer()
    status, error, _ = login_as(cid, scopes="customers:read customers:write customers:credentials")
    assert status == 403 and "customers:assist" in error["error"]["message"]


def test_login_as_unknown_customer_is_404(aws, clock):
    assert login_as("nobody")[0] == 404


def test_login_as_secret_is_stored_only_hashed_and_the_customer_is_notified(aws, clock, bus):
    cid = new_customer()
    status, body, _ = login_as(cid, sub="admin-7")
    assert status == 201 and set(body) == {"secret", "expires_at"}
    secret = body["secret"]
    assert len(secret) >= 40
    assert body["expires_at"] == to_iso(clock.now_ms + 60_000)
    table = scan(aws["tables"]["CustomersTable"])
    assert not holds(table, secret), "the plain secret must never be stored"
    stored = [i for i in table if i["pk"]["S"] == f"LOGINAS#{sha256(secret)}"]
    assert len(stored) == 1 and stored[0]["customer_id"]["S"] == cid
    assert int(stored[0]["expires_at"]["N"]) * 1000 >= clock.now_ms + 60_000  # TTL attribute for clean-up
    (event,) = bus.of_type("customer.login_as_started")
    assert event == {"customer_id": cid, "website_id": "base", "admin": "admin-7", "expires_at": body["expires_at"]}
    (entry,) = [e for e in audit_entries(cid) if e["action"] == "login_as.started"]
    assert entry["actor"] == "admin-7" and secret not in json.dumps(entry)


def test_redeem_starts_an_assisted_session_in_now_online(aws, clock):
    cid = new_customer()
    secret = started_secret(cid, sub="admin-7")
    status, body, _ = redeem(secret, "v-assist")
    assert status == 201
    assert body == {"session_id": "v-assist", "customer_id": cid, "assisted_by": "admin-7"}
    row = online_rows()["v-assist"]
    assert row["type"] == "customer" and row["customer_id"] == cid and row["assisted_by"] == "admin-7"
    assert row["email"] == "ada@example.com" and row["first_name"] == "Ada"
    assert session_check("v-assist") == {"session_id": "v-assist", "signed_in": True, "customer_id": cid}


def test_redeem_without_a_session_id_assigns_one(aws, clock):
    cid = new_customer()
    status, body, _ = redeem(started_secret(cid))
    assert status == 201 and body["session_id"] in online_rows()


def test_a_secret_is_single_use_and_failures_all_look_the_same(aws, clock):
    cid = new_customer()
    secret = started_secret(cid)
    assert redeem(secret, "v-1")[0] == 201
    again = redeem(secret, "v-2")
    unknown = redeem("x" * 43, "v-3")
    assert again[0] == unknown[0] == 404
    assert again[1] == unknown[1]  # no hint whether it was used, expired or never existed
    assert "v-2" not in online_rows()


def test_a_secret_expires_after_60_seconds(aws, clock):
    cid = new_customer()
    early, late = started_secret(cid), started_secret(cid)
    clock.advance(seconds=59)
    assert redeem(early, "v-early")[0] == 201
    clock.advance(seconds=1)  # 60 s after issue
    status, body, _ = redeem(late, "v-late")
    assert status == 404 and body == redeem("y" * 43)[1]
    assert session_check("v-late")["signed_in"] is False


def test_concurrent_redeems_let_exactly_one_through(aws, clock):
    cid = new_customer()
    secret = started_secret(cid)
    store, presence = wiring.credential_store(), wiring.presence_store()
    barrier = threading.Barrier(8)
    outcomes = []

    def attempt(n):
        barrier.wait()
        try:
            credentials.redeem_login_as(secret, f"v-race-{n}", store, presence, None, clock.now_ms, 15)
            outcomes.append("ok")
        except NotRedeemable:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert len([s for s in online_rows() if s.startswith("v-race-")]) == 1


def test_a_website_bound_token_redeems_only_its_websites_secrets(aws, clock):
    cid = new_customer()  # website "base"
    secret = started_secret(cid)
    assert redeem(secret, "v-fr", website_id="fr")[0] == 404
    assert redeem(secret, "v-base", website_id="base")[0] == 201  # not spent by the refused attempt


def test_withdrawn_consent_voids_an_issued_secret(aws, clock):
    cid = new_customer()
    secret = started_secret(cid)
    _, customer, headers = api("GET", f"/customers/{cid}")
    body = {k: customer["customer"][k] for k in ("email", "first_name", "last_name", "website_id")}
    assert api("PUT", f"/customers/{cid}", {**body, "allow_remote_assistance": False},
               headers={"if-match": headers["ETag"]})[0] == 200
    assert redeem(secret, "v-1")[0] == 404


def test_orders_placed_in_the_assisted_session_say_placed_by_admin(aws, clock, ingest):
    cid = new_customer()
    assert redeem(started_secret(cid, sub="admin-7"), "v-assist")[0] == 201
    clock.advance(seconds=5)
    assert ingest([storefront_event("order_placed", "v-assist", clock.now_ms, customer_id=cid,
                                    data={"order_id": "o-assisted", "total": "20.00"})]) == [False]
    _, page, _ = api("GET", f"/customers/{cid}")
    (order,) = page["orders"]
    assert order["id"] == "o-assisted" and order["placed_by"] == "admin admin-7"


def test_an_assisted_order_arriving_after_the_logout_still_says_placed_by_admin(aws, clock, ingest):
    """SPEC 10: the order's effects are those of its own time, when the admin's session was on."""
    cid = new_customer()
    assert redeem(started_secret(cid, sub="admin-7"), "v-assist")[0] == 201
    redeemed_at = clock.now_ms
    clock.advance(minutes=3)
    assert ingest([storefront_event("customer_logged_out", "v-assist", redeemed_at + 2 * MIN)]) == [False]
    assert ingest([storefront_event("order_placed", "v-assist", redeemed_at + MIN,
                                    data={"order_id": "o-late", "total": "20.00"})]) == [False]
    _, page, _ = api("GET", f"/customers/{cid}")
    assert [(o["id"], o["placed_by"]) for o in page["orders"]] == [("o-late", "admin admin-7")]


# ------------------------------------------------------------------ Force Sign-In
def signed_in_on(cid, sessions, ingest, clock):
    events = [storefront_event("customer_logged_in", s, clock.now_ms - MIN, customer_id=cid) for s in sessions]
    assert ingest(events) == [False] * len(sessions)
    for session in sessions:
        assert session_check(session)["signed_in"] is True


def test_force_sign_in_ends_every_session_of_the_customer(aws, clock, ingest, bus):
    cid = new_customer()
    other = new_customer("bob@example.com", first="Bob", last="Byron")
    signed_in_on(cid, ["v-phone", "v-laptop"], ingest, clock)
    signed_in_on(other, ["v-bob"], ingest, clock)
    status, body, _ = api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS, sub="admin-7")
    assert status == 200
    assert body == {"customer_id": cid, "sessions_signed_out": 2, "secrets_revoked": 0}
    rows = online_rows()
    assert "v-phone" not in rows and "v-laptop" not in rows and "v-bob" in rows
    for session in ("v-phone", "v-laptop"):
        assert session_check(session) == {"session_id": session, "signed_in": False, "customer_id": None}
    assert session_check("v-bob")["signed_in"] is True
    (entry,) = [e for e in audit_entries(cid) if e["action"] == "force_sign_in"]
    assert entry["actor"] == "admin-7" and entry["changes"]["signed_in_sessions"] == {"before": 2, "after": 0}
    (event,) = bus.of_type("customer.force_sign_in")
    assert event["customer_id"] == cid and event["sessions_signed_out"] == 2


def test_late_logins_older_than_the_force_stay_out_and_a_new_login_restores(aws, clock, ingest):
    cid = new_customer()
    signed_in_on(cid, ["v-1"], ingest, clock)
    forced_at = clock.now_ms
    assert api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS)[0] == 200
    clock.advance(seconds=30)
    # a login that happened before the force, delivered late: must not sign the session back in
    assert ingest([storefront_event("customer_logged_in", "v-1", forced_at - 1000, customer_id=cid)]) == [False]
    assert session_check("v-1")["signed_in"] is False and "v-1" not in online_rows()
    # a new login after the force does
    assert ingest([storefront_event("customer_logged_in", "v-1", clock.now_ms, customer_id=cid)]) == [False]
    assert session_check("v-1") == {"session_id": "v-1", "signed_in": True, "customer_id": cid}
    assert online_rows()["v-1"]["type"] == "customer"


def test_force_sign_in_revokes_login_as_secrets_and_reset_tokens(aws, clock, bus):
    cid = new_customer()
    secret = started_secret(cid)
    assert api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS)[0] == 202
    (mail,) = bus.of_type("customer.password_reset_requested")
    status, body, _ = api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS)
    assert status == 200 and body["secrets_revoked"] == 2
    assert redeem(secret, "v-1")[0] == 404
    with pytest.raises(NotRedeemable):
        credentials.use_password_reset(mail["token"], wiring.credential_store(), clock.now_ms)
    left = [i for i in scan(aws["tables"]["CustomersTable"]) if i["pk"]["S"].startswith(("LOGINAS#", "RESET#"))
            or i["sk"]["S"].startswith("SECRET#")]
    assert not left


def test_force_sign_in_an_assisted_session_too(aws, clock):
    cid = new_customer()
    assert redeem(started_secret(cid), "v-assist")[0] == 201
    assert api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS)[1]["sessions_signed_out"] == 1
    assert "v-assist" not in online_rows() and session_check("v-assist")["signed_in"] is False


def activity(cid):
    status, body, _ = api("GET", f"/customers/{cid}", scopes="customers:read")
    assert status == 200, body
    return body["activity"]


def test_an_assisted_session_is_the_last_login_and_force_sign_in_the_last_logout(aws, clock):
    cid = new_customer()
    assert activity(cid)["last_login_at"] is None and activity(cid)["last_logout_at"] is None
    assert redeem(started_secret(cid), "v-assist")[0] == 201
    assert activity(cid)["last_login_at"] == to_iso(clock.now_ms)
    clock.advance(minutes=2)
    assert api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS)[0] == 200
    times = activity(cid)
    assert (times["last_login_at"], times["last_logout_at"]) == (to_iso(clock.now_ms - 2 * MIN), to_iso(clock.now_ms))


def test_force_sign_in_without_sessions_still_records_the_logout_time(aws, clock):
    cid = new_customer()
    assert api("POST", f"/customers/{cid}/force-sign-in", scopes=CREDENTIALS)[1]["sessions_signed_out"] == 0
    assert activity(cid)["last_logout_at"] == to_iso(clock.now_ms)


def test_force_sign_in_unknown_customer_is_404_and_needs_its_scope(aws, clock):
    assert api("POST", "/customers/nobody/force-sign-in", scopes=CREDENTIALS)[0] == 404
    cid = new_customer()
    assert api("POST", f"/customers/{cid}/force-sign-in", scopes="customers:assist customers:write")[0] == 403


# ------------------------------------------------------------------ Reset Password
def test_password_reset_token_is_hashed_and_only_in_the_event(aws, clock, bus):
    cid = new_customer()
    status, body, _ = api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS, sub="admin-7")
    assert status == 202
    assert body == {"customer_id": cid, "status": "requested", "expires_at": to_iso(clock.now_ms + 7_200_000)}
    (mail,) = bus.of_type("customer.password_reset_requested")
    token = mail["token"]
    assert len(token) >= 40 and mail["customer_id"] == cid and mail["expires_at"] == body["expires_at"]
    table = scan(aws["tables"]["CustomersTable"])
    assert not holds(table, token)
    (stored,) = [i for i in table if i["pk"]["S"].startswith("RESET#")]
    assert stored["pk"]["S"] == f"RESET#{sha256(token)}" and stored["customer_id"]["S"] == cid
    (entry,) = [e for e in audit_entries(cid) if e["action"] == "password_reset.requested"]
    assert entry["actor"] == "admin-7" and token not in json.dumps(entry)


def test_reset_token_works_once_within_2_hours(aws, clock, bus):
    cid = new_customer()
    assert api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS)[0] == 202
    token = bus.of_type("customer.password_reset_requested")[-1]["token"]
    clock.advance(minutes=119)
    assert credentials.use_password_reset(token, wiring.credential_store(), clock.now_ms) == cid
    with pytest.raises(NotRedeemable):  # single use
        credentials.use_password_reset(token, wiring.credential_store(), clock.now_ms)


def test_reset_token_expires_after_2_hours_even_before_ttl_removes_it(aws, clock, bus):
    cid = new_customer()
    assert api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS)[0] == 202
    token = bus.of_type("customer.password_reset_requested")[-1]["token"]
    clock.advance(minutes=120)
    assert [i for i in scan(aws["tables"]["CustomersTable"]) if i["pk"]["S"].startswith("RESET#")]  # still stored
    with pytest.raises(NotRedeemable):
        credentials.use_password_reset(token, wiring.credential_store(), clock.now_ms)


def test_password_reset_is_limited_to_one_per_10_minutes(aws, clock, bus):
    cid = new_customer()
    assert api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS)[0] == 202
    clock.advance(minutes=9, seconds=30)
    status, error, headers = api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS)
    assert status == 429 and error["error"]["code"] == "too_many_requests"
    assert headers["Retry-After"] == "31"
    assert len(bus.of_type("customer.password_reset_requested")) == 1  # no second mail, no second token
    assert len([i for i in scan(aws["tables"]["CustomersTable"]) if i["pk"]["S"].startswith("RESET#")]) == 1
    clock.advance(seconds=31)
    assert api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS)[0] == 202
    assert len(bus.of_type("customer.password_reset_requested")) == 2
    # the limit is per customer
    assert api("POST", f"/customers/{new_customer('bob@example.com')}/password-reset", scopes=CREDENTIALS)[0] == 202


def test_password_reset_retry_with_the_same_idempotency_key_sends_one_mail(aws, clock, bus):
    cid = new_customer()
    key = {"idempotency-key": "reset-1"}
    first = api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS, headers=key)
    second = api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS, headers=key)
    assert first[0] == second[0] == 202 and first[1] == second[1]
    assert len(bus.of_type("customer.password_reset_requested")) == 1


def test_password_reset_unknown_customer_is_404(aws, clock, bus):
    assert api("POST", "/customers/nobody/password-reset", scopes=CREDENTIALS)[0] == 404
    assert not bus.of_type("customer.password_reset_requested")


def test_password_reset_is_withdrawn_when_the_mail_event_fails(aws, clock):
    cid = new_customer()

    def refuse(*_, **__):
        raise RuntimeError("bus down")

    events = wiring.admin_events()
    events.publish = refuse  # this instance only; the class is untouched
    try:
        status, error, _ = api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS)
    finally:
        del events.publish
    assert status == 503 and error["error"]["code"] == "unavailable"
    table = scan(aws["tables"]["CustomersTable"])
    assert not [i for i in table if i["pk"]["S"].startswith("RESET#") or i["sk"]["S"].startswith(("SECRET#", "RATE#"))]
    assert not [e for e in audit_entries(cid) if e["action"] == "password_reset.requested"]
    assert api("POST", f"/customers/{cid}/password-reset", scopes=CREDENTIALS)[0] == 202  # not rate limited
